import Core
import Engines
import Foundation
import Testing
@testable import Recorder

/// Write-throughput measurement, run on demand: `CROSSTALK_BENCH=1 swift test -c release
/// -Xswiftc -enable-testing --filter ArchiveWriteBenchmark` (`CROSSTALK_BENCH_CODEC=opus` runs one
/// codec alone). Prints rows/s and bytes per audio row.
@Suite struct ArchiveWriteBenchmarkTests {
    /// A codec that stands in for Opus's packet size (60 bytes ≈ 24 kbit/s at 20 ms) at no CPU cost.
    final class SixtyByteCodec: FrameCodec {
        var name: String { "opus" }
        func encode(_ frame: [Int16]) throws -> [UInt8] {
            (0..<60).map { UInt8(truncatingIfNeeded: Int(frame[$0 * 5]) &+ $0) }
        }
        func decode(_ packet: [UInt8]) throws -> [Int16] { [] }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["CROSSTALK_BENCH"] != nil),
          arguments: ["pcm16", "opus-sized", "opus"])
    func recordOneHour(codec: String) throws {
        if let only = ProcessInfo.processInfo.environment["CROSSTALK_BENCH_CODEC"], only != codec { return }
        let dir = TemporaryDirectory()
        let path = dir.path("hour.ctk")
        let format = AudioFormat()
        let samplesPerFrame = format.samplesPerFrame
        let makeCodec: @Sendable () throws -> any FrameCodec
        switch codec {
        case "pcm16": makeCodec = { PCM16Codec(samplesPerFrame: samplesPerFrame) }
        case "opus": makeCodec = { try OpusCodec(sampleRate: 16000, samplesPerFrame: samplesPerFrame) }
        default: makeCodec = { SixtyByteCodec() }
        }
        let synthetic = SyntheticSession(frameCount: 16)
        let frameSamples = (0..<16).map { synthetic.samples(.caller, frame: $0) }
        let micCodec = try makeCodec()
        let micPackets = try frameSamples.map { try micCodec.encode($0) }
        let frames = 3600 * 1000 / format.frameMs
        var seq: Int64 = 0
        let start = Date()
        let writer = try SessionArchiveWriter(
            path: path, meta: ["session_id": "bench"], format: format,
            packetCodec: micCodec.name, makeCodec: makeCodec)
        for frame in 0..<frames {
            let time = SimInstant(microseconds: Int64(frame) * 20_000)
            let samples = frameSamples[frame % 16]
            writer.record(stream: .caller, frame: frame, time: time, samples: samples, packet: nil)
            writer.record(stream: .mic, frame: frame, time: time, samples: samples, packet: micPackets[frame % 16])
            writer.record(stream: .bot, frame: frame, time: time, samples: samples, packet: nil)
            writer.record(vadFrame: frame, time: time, probability: 0.5, speech: frame % 2 == 0)
            if frame % 5 == 0 {  // 10 events per second
                writer.record(event: PipelineEvent(seq: seq, time: time, kind: .llmToken, turn: Int(seq / 100),
                                                   data: ["text": .string("token \(seq)"), "index": .int(seq)]))
                seq += 1
            }
            if frame % 50 == 49 { try writer.checkpoint(at: time + format.frameDuration) }
        }
        try writer.finish()
        let seconds = Date().timeIntervalSince(start)
        let rows = frames * 4 + Int(seq)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        let audioBytes = try audioTableBytes(path)
        print("""
            bench \(codec): \(rows) rows (\(frames * 3) audio) in \(String(format: "%.2f", seconds)) s = \
            \(Int(Double(rows) / seconds)) rows/s, \(String(format: "%.0f", 3600 / seconds))x real time; \
            file \(size) bytes; audio table \(audioBytes) bytes = \(audioBytes / (frames * 3)) bytes/audio row
            """)
        let readStart = Date()
        let archive = try SessionArchive(path: path) { name, _ in
            name == "opus" && codec == "opus-sized" ? SixtyByteCodec() : nil
        }
        let events = try archive.events()
        let readEvents = Date().timeIntervalSince(readStart)
        let caller = codec == "pcm16" ? try archive.decodedAudio(.caller) : []
        print("""
            bench \(codec): read \(events.count) events in \(String(format: "%.2f", readEvents)) s, \
            decoded caller stream in \(String(format: "%.2f", Date().timeIntervalSince(readStart) - readEvents)) s
            """)
        #expect(codec != "pcm16" || caller.count == frames * samplesPerFrame)
        #expect(try archive.frameCount(.bot) == frames)
    }

    /// Bytes of the pages holding the audio table, via the dbstat virtual table when SQLite has it.
    private func audioTableBytes(_ path: String) throws -> Int {
        let archive = try SessionArchive(path: path)
        return (try? archive.read { db in
            try Int.fetchOne(db, sql: "SELECT sum(pgsize) FROM dbstat WHERE name = 'audio'")
        }) .flatMap { $0 } ?? -1
    }
}
