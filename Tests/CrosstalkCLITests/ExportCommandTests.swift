import Foundation
import Recorder
import Testing

@Suite(.serialized) struct ExportCommandTests {
    @Test func exportsAStereoWAVAndAPerfettoTrace() throws {
        let dir = try CLIHarness.tempDir()
        let archive = dir.appendingPathComponent("s.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("barge-in"), "-o", archive]).status == 0)
        let wav = dir.appendingPathComponent("s.wav").path, trace = dir.appendingPathComponent("s.json").path
        let r = try CLIHarness.run(["export", archive, "--wav", wav, "--trace", trace])
        #expect(r.status == 0, "\(r.stderr)")
        let audio = try WAVReader.read(path: wav)
        #expect(audio.channels.count == 2)
        #expect(audio.sampleRate == 16000)
        // The caller talks on the left, the bot on the right: both channels carry speech.
        #expect(audio.channels.allSatisfy { ch in ch.contains { abs(Int($0)) > 3000 } })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [String: Any]
        let events = json?["traceEvents"] as? [[String: Any]] ?? []
        #expect(events.contains { ($0["name"] as? String) == "thread_name" })
        #expect(events.contains { ($0["ph"] as? String) == "X" })
        // Refuses to overwrite.
        #expect(try CLIHarness.run(["export", archive, "--wav", wav]).status == 2)
    }
}
