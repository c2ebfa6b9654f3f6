import Core
import Foundation
import GRDB
import Testing
@testable import Recorder

@Suite struct SessionArchiveTests {
    @Test func roundTripKeepsEventsAudioAndVAD() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 230)
        try session.write(to: path)

        let archive = try SessionArchive(path: path)
        #expect(archive.format == session.format)
        #expect(archive.meta["format"] == "crosstalk-session")
        #expect(archive.meta["format_version"] == "2")
        #expect(archive.meta["sample_rate"] == "16000")
        #expect(archive.meta["frame_ms"] == "20")
        #expect(archive.meta["created_by"] == "crosstalk")
        for (key, value) in session.meta { #expect(archive.meta[key] == value, "meta \(key)") }

        let events = try archive.events()
        #expect(events == session.events)
        #expect(EventStreamHash.of(events) == EventStreamHash.of(session.events))
        for stream in AudioStream.sessionStreams {
            #expect(try archive.frameCount(stream) == 230, "\(stream)")
            #expect(try archive.decodedAudio(stream) == session.stream(stream), "\(stream) samples differ")
        }
        let vad = try archive.vadFrames()
        #expect(vad.count == 230)
        #expect(vad[7] == VADFrame(frame: 7, time: .milliseconds(140), probability: session.vadProbability(frame: 7),
                                   speech: false))
        #expect(vad[9].speech)
    }

    @Test func finishedArchiveIsOneSelfContainedFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 60).write(to: path)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        let database = try DatabaseQueue(path: path)
        #expect(try database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "delete")
        #expect(try database.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 2)
    }

    @Test func timeRangeQueryReturnsEventsInsideTheRangeUsingTheIndex() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 200)
        try session.write(to: path)
        let archive = try SessionArchive(path: path)

        let from = SimInstant.milliseconds(1000)
        let to = SimInstant.milliseconds(2005)
        let expected = session.events.filter { $0.time >= from && $0.time < to }
        #expect(!expected.isEmpty)
        #expect(try archive.events(from: from, to: to) == expected)
        #expect(try archive.events(from: .milliseconds(9000), to: .milliseconds(9999)).isEmpty)

        let plan = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM events WHERE t_us >= 1 AND t_us < 2 ORDER BY t_us, seq")
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("events_t"), "plan: \(plan)")
    }

    @Test func decodedAudioOfARangeMatchesTheWholeStream() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 80)
        try session.write(to: path)
        let archive = try SessionArchive(path: path)
        let whole = try archive.decodedAudio(.bot)
        let perFrame = session.format.samplesPerFrame
        #expect(try archive.decodedAudio(.bot, frames: 10..<25) == Array(whole[(10 * perFrame)..<(25 * perFrame)]))
    }

    @Test func garbageFileIsNotAnArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("garbage.ctk")
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path) }
        #expect(error?.description == "\(path): not a Crosstalk archive (file is not a database)")
    }

    @Test func emptyAndMissingFilesAreClearErrors() throws {
        let dir = TemporaryDirectory()
        let empty = dir.path("empty.ctk")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let emptyError = #expect(throws: ArchiveError.self) { try SessionArchive(path: empty) }
        #expect(emptyError?.description.hasPrefix("\(empty): not a Crosstalk archive") == true)

        let missing = dir.path("missing.ctk")
        let missingError = #expect(throws: ArchiveError.self) { try SessionArchive(path: missing) }
        #expect(missingError == .notFound(path: missing))
    }

    @Test func fileTruncatedToHalfItsSizeIsAnErrorNotACrash() throws {
        let dir = TemporaryDirectory()
        let good = dir.path("good.ctk")
        try SyntheticSession(frameCount: 300).write(to: good)
        let truncated = dir.path("truncated.ctk")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let error = #expect(throws: ArchiveError.self) {
            let archive = try SessionArchive(path: truncated)
            for stream in AudioStream.sessionStreams { _ = try archive.decodedAudio(stream) }
            _ = try archive.events()
        }
        #expect(error?.description.hasPrefix(truncated) == true)
        #expect(error?.description.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test func archiveWithAMissingTableIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 20).write(to: path)
        try mutate(path, "DROP TABLE vad")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path) }
        #expect(error == .notAnArchive(path: path, reason: "missing table vad"))
    }

    @Test func plainSQLiteDatabaseIsNotAnArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("other.db")
        try mutate(path, "CREATE TABLE t(x); INSERT INTO t VALUES (1)")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path) }
        #expect(error == .notAnArchive(path: path, reason: "no meta table"))
    }

    @Test func newerFormatVersionIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("future.ctk")
        try SyntheticSession(frameCount: 20).write(to: path)
        try mutate(path, "PRAGMA user_version = 3")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path) }
        #expect(error == .newerFormat(path: path, version: 3, supported: 2))
        #expect(error?.description.contains("upgrade crosstalk") == true)
    }

    @Test func unknownCodecHasNoDecoderUnlessTheCallerSuppliesOne() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 20)
        try session.write(to: path)
        try mutate(path, "UPDATE audio SET codec = 'speex' WHERE stream = 'bot'")
        let error = #expect(throws: ArchiveError.self) { try SessionArchive(path: path).decodedAudio(.bot) }
        #expect(error == .corrupt(path: path, detail: "no decoder for codec 'speex'"))
        let perFrame = session.format.samplesPerFrame
        let archive = try SessionArchive(path: path) { codec, _ in
            codec == "speex" ? PCM16Codec(samplesPerFrame: perFrame) : nil
        }
        #expect(try archive.decodedAudio(.bot) == session.stream(.bot))
    }
}
