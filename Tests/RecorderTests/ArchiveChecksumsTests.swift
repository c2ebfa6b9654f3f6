import Core
import Foundation
import GRDB
import Testing
@testable import Recorder

@Suite struct ArchiveChecksumsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func checksumRows(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: "SELECT part || ' ' || chunk || ' ' || rows FROM checksums ORDER BY part, chunk")
        }
    }

    @Test func everyChunkOfAWrittenArchiveHasItsChecksum() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("s.ctk")
        try SyntheticSession(frameCount: 200).write(to: path)
        #expect(try ArchiveVerifier().verify(path: path) == [])
        let rows = try checksumRows(path)
        // 200 frames in chunks of 64: 64, 64, 64, 8 per stream and for the VAD.
        for part in ["audio.bot", "audio.caller", "audio.mic", "vad"] {
            #expect(rows.filter { $0.hasPrefix(part + " ") } == ["\(part) 0 64", "\(part) 1 64", "\(part) 2 64", "\(part) 3 8"], "\(rows)")
        }
        #expect(rows.contains { $0.hasPrefix("meta 0 ") })
    }

    @Test func theSameRowsGiveTheSameChecksumsHoweverTheyWereCommitted() throws {
        let dir = TemporaryDirectory()
        let session = SyntheticSession(frameCount: 150)
        var tables: [[String]] = []
        for every in [7, 50, 1000] {
            let path = dir.path("s\(every).ctk")
            let samplesPerFrame = session.format.samplesPerFrame
            let writer = try SessionArchiveWriter(
                path: path, meta: session.meta, format: session.format, packetCodec: "pcm16",
                makeCodec: { PCM16Codec(samplesPerFrame: samplesPerFrame) })
            try session.record(into: writer, checkpointEvery: every)
            try writer.finish()
            tables.append(try DatabaseQueue(path: path).read {
                try String.fetchAll($0, sql: "SELECT part || chunk || rows || fnv1a64 FROM checksums ORDER BY part, chunk")
            })
        }
        #expect(tables[0] == tables[1] && tables[1] == tables[2])
    }

    @Test func aChangedValueOrTypeIsFound() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("s.ctk")
        try SyntheticSession(frameCount: 100).write(to: path)
        let cases: [(String, String)] = [
            ("UPDATE vad SET prob = prob + 0.000001 WHERE frame = 70", "vad rows 64–127 do not match their checksum"),
            ("UPDATE audio SET data = CAST(data AS TEXT) WHERE stream = 'mic' AND frame = 3", "audio.mic rows 0–63 do not match"),
            ("UPDATE events SET turn = 7 WHERE seq = 0", "events rows 0–255 do not match"),
            ("INSERT INTO vad VALUES (100, 2000000, 0.5, 0)", "vad rows 64–127: 37 rows, the checksum covers 36"),
            ("DELETE FROM checksums WHERE part = 'audio.bot' AND chunk = 1", "audio.bot rows 64–127 have no checksum"),
            ("INSERT INTO checksums VALUES ('audio.bot', 9, 1, '0')", "checksum of audio.bot chunk 9 covers rows that are not there"),
        ]
        for (i, (sql, needle)) in cases.enumerated() {
            let copy = dir.path("c\(i).ctk")
            try copyFile(path, copy)
            try mutate(copy, sql)
            let findings = try ArchiveVerifier().verify(path: copy).map(\.description)
            #expect(findings.contains { $0.hasPrefix("checksums: ") && $0.contains(needle) }, "\(sql): \(findings)")
        }
    }

    @Test func theMigrationUpgradesAFormatOneArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("old.ctk")
        try copyFile(Self.root.appendingPathComponent("sessions/samples/hesitation-pcm16.ctk").path, path)
        let before = try SessionArchive(path: path).events()
        #expect(try ArchiveVerifier().verify(path: path) == [], "format 1 verifies without checksums")
        let database = try DatabaseQueue(path: path)
        try ArchiveSchema.migrator.migrate(database)
        try database.close()
        let archive = try SessionArchive(path: path)
        #expect(archive.meta["format_version"] == "2")
        #expect(try archive.events() == before)
        #expect(try ArchiveVerifier().verify(path: path) == [])
        try mutate(path, "UPDATE audio SET data = zeroblob(length(data)) WHERE stream = 'bot' AND frame = 300")
        #expect(try ArchiveVerifier().verify(path: path).contains { $0.description.contains("audio.bot rows 256–319 do not match") })
    }

    @Test func aFormatTwoArchiveWithoutTheTableIsAFinding() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("s.ctk")
        try SyntheticSession(frameCount: 20).write(to: path)
        try mutate(path, "DROP TABLE checksums")
        #expect(try ArchiveVerifier().verify(path: path).map(\.description).contains("checksums: the checksums table is missing (format 2 has one)"))
    }

    @Test func formatBoundsNameTheValue() throws {
        func problem(_ rate: String?, _ ms: String?) -> String? {
            if case .failure(let problem) = ArchiveSchema.audioFormat(sampleRate: rate, frameMs: ms) { return problem.message }
            return nil
        }
        #expect(try ArchiveSchema.audioFormat(sampleRate: "16000", frameMs: "20").get() == AudioFormat(sampleRate: 16000, frameMs: 20))
        #expect(problem("4000000000", "20") == "meta sample_rate 4000000000 is outside 8000–48000 Hz")
        #expect(problem(nil, "20") == "meta sample_rate is missing, not an integer")
        #expect(problem("16000", "0") == "meta frame_ms 0 is outside 10–60 ms")
        #expect(problem("44100", "15")?.contains("no whole number of samples") == true)
        #expect(ArchiveSchema.clipProblem(sampleRate: 16000, bytes: 32000) == nil)
        #expect(ArchiveSchema.clipProblem(sampleRate: 9_999_999_999, bytes: 32000)?.contains("outside 8000–192000 Hz") == true)
        #expect(ArchiveSchema.clipProblem(sampleRate: 16000, bytes: 3) == "3 bytes is not 16-bit PCM")
        #expect(ArchiveSchema.clipProblem(sampleRate: 8000, bytes: 2 * 8000 * 601)?.contains("longer than 10 minutes") == true)
    }
}
