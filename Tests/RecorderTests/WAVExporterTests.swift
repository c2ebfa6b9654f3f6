import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct WAVExporterTests {
    @Test func stereoExportHasCallerLeftAndBotRight() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 75)
        try session.write(to: path)
        let wav = dir.path("session.wav")
        try WAVExporter(archive: SessionArchive(path: path)).export(to: wav)

        let audio = try WAVReader.read(path: wav)
        #expect(audio.sampleRate == 16000)
        #expect(audio.channels.count == 2)
        #expect(audio.channels[0] == session.stream(.caller))
        #expect(audio.channels[1] == session.stream(.bot))
    }

    @Test func rangeExportHoldsExactlyThoseSamples() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 100)
        try session.write(to: path)
        let wav = dir.path("turn.wav")
        // 0.505 s … 1.2375 s: neither end on a frame boundary.
        try WAVExporter(archive: SessionArchive(path: path))
            .export(to: wav, from: SimInstant(microseconds: 505_000), to: SimInstant(microseconds: 1_237_500))
        let audio = try WAVReader.read(path: wav)
        let caller = session.stream(.caller)
        #expect(audio.frameCount == 19_800 - 8080)
        #expect(audio.channels[0] == Array(caller[8080..<19_800]))
    }

    @Test func chunkedExportHoldsTheSameSamplesAcrossChunkEdges() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 100)
        try session.write(to: path)
        var exporter = try WAVExporter(archive: SessionArchive(path: path))
        exporter.chunkFrames = 7
        let whole = dir.path("whole.wav"), part = dir.path("part.wav")
        try exporter.export(to: whole)
        try exporter.export(to: part, from: SimInstant(microseconds: 505_000), to: SimInstant(microseconds: 1_237_500))
        let audio = try WAVReader.read(path: whole)
        #expect(audio.channels[0] == session.stream(.caller))
        #expect(audio.channels[1] == session.stream(.bot))
        let range = try WAVReader.read(path: part)
        #expect(range.channels[0] == Array(session.stream(.caller)[8080..<19_800]))
        #expect(range.channels[1] == Array(session.stream(.bot)[8080..<19_800]))
    }

    @Test func anExportThatFailsLeavesNoHalfWrittenFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 100).write(to: path)
        // Frame 60 of the bot stream no longer decodes (a pcm16 packet of one byte, not a whole frame).
        try mutate(path, "UPDATE audio SET data = x'01' WHERE stream = 'bot' AND frame = 60")
        var exporter = try WAVExporter(archive: SessionArchive(path: path))
        exporter.chunkFrames = 10
        let wav = dir.path("out.wav")
        #expect(throws: ArchiveError.self) { try exporter.export(to: wav) }
        #expect(!FileManager.default.fileExists(atPath: wav))
    }

    @Test func turnRangeSpansTheTurnsEvents() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 250)
        try session.write(to: path)
        let exporter = try WAVExporter(archive: SessionArchive(path: path))
        let range = try #require(try exporter.timeRange(ofTurn: 2))
        let turnTimes = session.events.filter { $0.turn == 2 }.map(\.time)
        #expect(range.from == turnTimes.min())
        #expect(range.to == turnTimes.max())
        #expect(try exporter.timeRange(ofTurn: 99) == nil)
    }

    @Test func readerGivesClearErrorsAndMixesToMono() throws {
        let dir = TemporaryDirectory()
        let missing = dir.path("missing.wav")
        #expect(throws: ArchiveError.notFound(path: missing)) { try WAVReader.read(path: missing) }

        let garbage = dir.path("garbage.wav")
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: garbage))
        let error = #expect(throws: ArchiveError.self) { try WAVReader.read(path: garbage) }
        #expect(error?.description.hasPrefix("\(garbage): cannot read audio:") == true, "\(String(describing: error))")

        let stereo = dir.path("stereo.wav")
        try WAVExporter.writeStereo(left: [100, -100, 7], right: [300, 100], sampleRate: 8000, to: stereo)
        let audio = try WAVReader.read(path: stereo)
        #expect(audio.sampleRate == 8000)
        #expect(audio.channels == [[100, -100, 7], [300, 100, 0]])
        #expect(audio.mono == [200, 0, 4])
    }
}
