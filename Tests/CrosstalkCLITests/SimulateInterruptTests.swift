import Core
import Foundation
import Recorder
import Testing

/// Ctrl-C or SIGTERM during `simulate` ends the session where it is and finishes the archive, as
/// `record` does: `session.end` reason `interrupted`, exit 130 or 143 (README "simulate").
@Suite(.serialized) struct SimulateInterruptTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func aStopSignalFinishesTheArchiveWithSessionEndInterrupted(signal: Int32) throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("long.ctk").path
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["simulate", CLIHarness.root.appendingPathComponent("Benchmarks/hour.yaml").path, "-o", out]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // Wait until some seconds of the hour are committed (the speech is synthesized first).
        let partial = out + ".partial"
        var waited = 0
        while waited < 6000, process.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 1
            let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0
            if size > 300_000 { break }
        }
        try #require(process.isRunning, "the simulation ended before it could be stopped")
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "finished, not killed by the signal")
        #expect(process.terminationStatus == 128 + signal, "\(stderr)")
        #expect(stderr.contains("stopped the simulation at") && stderr.contains("session.end reason interrupted"), "\(stderr)")

        // Renamed into place, finished, and ending at the frame where it was stopped.
        #expect(CLIHarness.files(in: dir, startingWith: "long.ctk") == ["long.ctk"])
        let verify = try CLIHarness.run(["verify", out])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let archive = try SessionArchive(path: out)
        let events = try archive.events()
        let last = try #require(events.last)
        #expect(last.kind == .sessionEnd && last.data["reason"] == "interrupted", "\(last)")
        #expect(events.count > 10 && last.time < .milliseconds(3_600_000), "stopped early, after some turns")
        #expect(last.data["frames"]?.intValue == Int64(try archive.frameCount(.mic)))
        // A replay stops there too and reproduces it.
        let replay = try CLIHarness.run(["replay", out])
        #expect(replay.status == 0 && replay.stdout.contains("reproduced exactly"), "\(replay.stdout) \(replay.stderr)")
    }
}
