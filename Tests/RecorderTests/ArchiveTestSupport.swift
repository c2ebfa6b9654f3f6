import Core
import Foundation
import GRDB
@testable import Recorder

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("crosstalk-recorder-\(safe)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ file: String) -> String { url.appendingPathComponent(file).path }
}

/// A small synthetic session: deterministic audio on three streams, VAD rows and events.
struct SyntheticSession {
    var format = AudioFormat(sampleRate: 16000, frameMs: 20)
    var frameCount: Int
    var seed: UInt64 = 42

    var meta: [String: String] {
        ["session_id": "test-\(seed)", "seed": String(seed), "scenario": "name: synthetic\n",
         "config": #"{"pipeline":{"vad":{"engine":"energy"}}}"#]
    }

    /// Frame `index` of `stream`: a stream-specific tone plus seeded noise.
    func samples(_ stream: AudioStream, frame index: Int) -> [Int16] {
        let n = format.samplesPerFrame
        let pitch: Double = stream == .caller ? 220 : stream == .bot ? 330 : 440
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 31 &+ UInt64(pitch))
        return (0..<n).map { i in
            let t = Double(index * n + i) / Double(format.sampleRate)
            let tone = 8000 * sin(2 * Double.pi * pitch * t)
            return Int16(clamping: Int(tone) + Int(rng.next() % 2001) - 1000)
        }
    }

    /// The whole stream, frame after frame.
    func stream(_ stream: AudioStream) -> [Int16] {
        (0..<frameCount).flatMap { samples(stream, frame: $0) }
    }

    /// Events at increasing times: for every 10 frames a cycle of kinds, turns counting up.
    var events: [PipelineEvent] {
        let cycle: [EventKind] = [
            .callerSpeechStart, .vadStart, .sttPartial, .callerSpeechEnd, .vadStop, .sttFinal, .turnEnd,
            .llmRequest, .llmToken, .llmDone, .ttsRequest, .ttsChunk, .ttsDone, .playStart, .playStop,
        ]
        var out: [PipelineEvent] = []
        for frame in stride(from: 0, to: frameCount, by: 10) {
            let turn = frame / 100 + 1
            for (i, kind) in cycle.enumerated() {
                let seq = Int64(out.count)
                let time = SimInstant(microseconds: Int64(frame) * 20_000 + Int64(i) * 1000)
                let data: JSONValue = [
                    "text": .string("turn \(turn) event \(seq) \"quoted\"\nline"),
                    "n": .int(seq), "ratio": .double(Double(seq) + 0.25), "flags": [true, false, .null],
                ]
                out.append(PipelineEvent(seq: seq, time: time, kind: kind, turn: i == 0 ? nil : turn, data: data))
            }
        }
        return out
    }

    func vadProbability(frame: Int) -> Double { Double(frame % 7) / 7 + 0.01 }

    /// Records the session into `writer`, checkpointing every `checkpointEvery` frames; calls
    /// `afterCheckpoint` with the frame count recorded so far after each checkpoint.
    func record(into writer: SessionRecording, checkpointEvery: Int = 50, upTo limit: Int? = nil,
                afterCheckpoint: (Int) throws -> Void = { _ in }) throws {
        let codec = PCM16Codec(samplesPerFrame: format.samplesPerFrame)
        let allEvents = events
        var nextEvent = 0
        let end = min(limit ?? frameCount, frameCount)
        for frame in 0..<end {
            let time = SimInstant(microseconds: Int64(frame) * Int64(format.frameMs) * 1000)
            let frameEnd = time + format.frameDuration
            while nextEvent < allEvents.count, allEvents[nextEvent].time < frameEnd {
                writer.record(event: allEvents[nextEvent])
                nextEvent += 1
            }
            let mic = samples(.mic, frame: frame)
            writer.record(stream: .caller, frame: frame, time: time, samples: samples(.caller, frame: frame), packet: nil)
            writer.record(stream: .mic, frame: frame, time: time, samples: mic, packet: try codec.encode(mic))
            writer.record(stream: .bot, frame: frame, time: time, samples: samples(.bot, frame: frame), packet: nil)
            writer.record(vadFrame: frame, time: time, probability: vadProbability(frame: frame), speech: frame % 3 == 0)
            if (frame + 1) % checkpointEvery == 0 {
                try writer.checkpoint(at: frameEnd)
                try afterCheckpoint(frame + 1)
            }
        }
    }

    /// Writes the whole session to `path` with PCM16 and finishes it.
    @discardableResult
    func write(to path: String) throws -> SessionArchiveWriter {
        let samplesPerFrame = format.samplesPerFrame
        let writer = try SessionArchiveWriter(
            path: path, meta: meta, format: format, packetCodec: "pcm16",
            makeCodec: { PCM16Codec(samplesPerFrame: samplesPerFrame) })
        try record(into: writer)
        try writer.finish()
        return writer
    }
}

/// Runs raw SQL on an archive file (to damage copies of good archives in tests).
func mutate(_ path: String, _ sql: String) throws {
    let database = try DatabaseQueue(path: path)
    try database.writeWithoutTransaction { try $0.execute(sql: sql) }
    try database.close()
}

/// Copies `source` to `destination`.
func copyFile(_ source: String, _ destination: String) throws {
    try FileManager.default.copyItem(atPath: source, toPath: destination)
}

extension ArchiveVerifier {
    /// The findings of every check but the checksums: tests that edit rows by hand to exercise one
    /// check also break their chunk's checksum, which `ArchiveChecksumsTests` covers.
    func verifyBesideChecksums(path: String) throws -> [Finding] {
        try verify(path: path).filter { $0.check != "checksums" }
    }
}
