import Core
import Foundation
import GRDB
import Testing
@testable import Recorder

@Suite struct SessionArchiveWriterTests {
    private let format = AudioFormat(sampleRate: 16000, frameMs: 20)

    private func pcm16() -> @Sendable () throws -> any FrameCodec {
        let samplesPerFrame = format.samplesPerFrame
        return { PCM16Codec(samplesPerFrame: samplesPerFrame) }
    }

    @Test func refusesToOverwriteAndLeavesTheFileUntouched() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("existing.ctk")
        let original = Data("precious".utf8)
        try original.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ArchiveError.self) {
            try SessionArchiveWriter(path: path, meta: [:], format: format, makeCodec: pcm16())
        }
        #expect(error?.description == "\(path) exists; use --force to overwrite")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func overwriteReplacesTheArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 100, seed: 1).write(to: path)
        let second = SyntheticSession(frameCount: 30, seed: 2)
        let writer = try SessionArchiveWriter(
            path: path, meta: second.meta, format: format, packetCodec: "pcm16", overwrite: true, makeCodec: pcm16())
        try second.record(into: writer)
        try writer.finish()
        let archive = try SessionArchive(path: path)
        #expect(archive.meta["session_id"] == "test-2")
        #expect(try archive.frameCount(.caller) == 30)
        #expect(try archive.events() == second.events)
    }

    @Test func metaIsCommittedBeforeAnyCheckpoint() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let writer = try SessionArchiveWriter(
            path: path, meta: ["session_id": "s1", "created_by": "tests"], format: format, makeCodec: pcm16())
        // Another connection sees the meta rows while the writer is still open (in session.ctk.partial,
        // renamed to session.ctk by finish()).
        #expect(writer.temporaryPath == path + ".partial")
        let archive = try SessionArchive(path: writer.temporaryPath)
        #expect(archive.meta["session_id"] == "s1")
        #expect(archive.meta["created_by"] == "tests")
        #expect(try archive.events().isEmpty)
        writer.record(event: PipelineEvent(seq: 0, time: .zero, kind: .sessionEnd, turn: nil, data: ["reason": "done"]))
        // Finishing while a reader has the file open keeps it in WAL mode instead of failing.
        try writer.finish()
        #expect(try archive.events().map(\.kind) == [.sessionEnd])
        #expect(try SessionArchive(path: path).events().count == 1)
    }

    @Test func workerErrorIsThrownByALaterCall() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let writer = try SessionArchiveWriter(path: path, meta: [:], format: format, makeCodec: pcm16())
        let silence = [Int16](repeating: 0, count: format.samplesPerFrame)
        writer.record(stream: .caller, frame: 0, time: .zero, samples: silence, packet: nil)
        writer.record(stream: .caller, frame: 0, time: .zero, samples: silence, packet: nil)  // duplicate key
        try writer.checkpoint(at: .milliseconds(20))
        let error = #expect(throws: ArchiveError.self) {
            try writer.commit()
        }
        #expect(error?.description.contains("UNIQUE constraint failed") == true, "\(String(describing: error))")
        #expect(throws: ArchiveError.self) { try writer.finish() }
    }

    @Test func encoderFailureNamesTheStreamAndFrame() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let writer = try SessionArchiveWriter(path: path, meta: [:], format: format, makeCodec: pcm16())
        writer.record(stream: .bot, frame: 0, time: .zero, samples: [1, 2, 3], packet: nil)
        try writer.commit()  // PCM16 encodes any length; the reader's decode is what fails
        #expect(throws: ArchiveError.self) { try SessionArchive(path: path).decodedAudio(.bot) }
        try writer.finish()

        struct Broken: Error {}
        let failing = dir.path("failing.ctk")
        let error = #expect(throws: ArchiveError.self) {
            try SessionArchiveWriter(path: failing, meta: [:], format: format, makeCodec: { throw Broken() })
        }
        #expect(error?.description.contains("cannot create the audio codec") == true)
        #expect(!FileManager.default.fileExists(atPath: failing))
    }

    @Test func writerDroppedWithoutFinishLeavesNoPartialArchiveAndTheOldFileUntouched() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        _ = FileManager.default.createFile(atPath: path, contents: Data("old".utf8))
        let session = SyntheticSession(frameCount: 75)
        do {
            // E.g. the simulation threw: the run failed, so nothing of it is left.
            let writer = try SessionArchiveWriter(
                path: path, meta: session.meta, format: format, packetCodec: "pcm16", overwrite: true, makeCodec: pcm16())
            try session.record(into: writer, checkpointEvery: 50)
            #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        }
        #expect(FileManager.default.contents(atPath: path) == Data("old".utf8))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix("session.ctk") }
        #expect(left == ["session.ctk"], "\(left)")
    }

    @Test func checkpointsCommitAsTheyGo() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 200)
        let writer = try SessionArchiveWriter(
            path: path, meta: session.meta, format: format, packetCodec: "pcm16", makeCodec: pcm16())
        try session.record(into: writer, checkpointEvery: 50, upTo: 100)
        try writer.commit()
        // 100 frames × 3 streams + 100 VAD rows + the events before frame 100.
        let eventsSoFar = session.events.filter { $0.time < .milliseconds(2000) }.count
        #expect(writer.committedRows == 400 + eventsSoFar)
        #expect(try SessionArchive(path: writer.temporaryPath).frameCount(.mic) == 100)
        try writer.finish()
        #expect(try SessionArchive(path: path).frameCount(.mic) == 100)
    }

    /// A stateful stand-in for Opus: each sample is stored as the difference from the previous one,
    /// carried across frames, so a packet decodes right only after all earlier packets of its stream
    /// went through the same instance in order.
    final class DeltaCodec: FrameCodec {
        private var last: Int16 = 0
        var name: String { "opus" }
        func encode(_ frame: [Int16]) throws -> [UInt8] {
            var out: [UInt8] = []
            for sample in frame {
                let delta = UInt16(bitPattern: sample &- last)
                out += [UInt8(delta & 0xFF), UInt8(delta >> 8)]
                last = sample
            }
            return out
        }
        func decode(_ packet: [UInt8]) throws -> [Int16] {
            stride(from: 0, to: packet.count, by: 2).map { i in
                last = last &+ Int16(bitPattern: UInt16(packet[i]) | UInt16(packet[i + 1]) << 8)
                return last
            }
        }
    }

    @Test func statefulCodecGetsOneInstancePerStreamInFrameOrder() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        let session = SyntheticSession(frameCount: 260)
        let writer = try SessionArchiveWriter(
            path: path, meta: session.meta, format: format, packetCodec: "pcm16", makeCodec: { DeltaCodec() })
        try session.record(into: writer, checkpointEvery: 37)
        try writer.finish()

        let archive = try SessionArchive(path: path) { codec, _ in codec == "opus" ? DeltaCodec() : nil }
        #expect(try ArchiveVerifier { codec, _ in codec == "opus" ? DeltaCodec() : nil }.verify(archive) == [])
        #expect(try archive.decodedAudio(.caller) == session.stream(.caller))
        #expect(try archive.decodedAudio(.bot) == session.stream(.bot))
        #expect(try archive.decodedAudio(.mic) == session.stream(.mic), "mic packets are stored as given (pcm16)")
        // decoded == a fresh decoder run over the stored packets in order.
        let fresh = DeltaCodec()
        let packets = try archive.audioRows(.bot).map { [UInt8]($0.data) }
        #expect(try archive.decodedAudio(.bot) == packets.flatMap { try fresh.decode($0) })
        #expect(try archive.audioRows(.caller).allSatisfy { $0.codec == "opus" })
        #expect(try archive.audioRows(.mic).allSatisfy { $0.codec == "pcm16" })
    }
}
