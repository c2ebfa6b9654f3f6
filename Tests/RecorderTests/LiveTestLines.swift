import Core
import Foundation
@testable import Recorder

/// Lines of the live recording protocol, built the way a client would send them.
enum LiveLines {
    static func hello(
        rate: Int = 16000, frameMs: Int = 20, codec: String = "pcm16", sessionID: String? = "live-test",
        extra: [String: JSONValue] = [:]
    ) -> String {
        var members: [String: JSONValue] = [
            "type": "hello", "sample_rate": .int(Int64(rate)), "frame_ms": .int(Int64(frameMs)), "codec": .string(codec),
        ]
        if let sessionID { members["session_id"] = .string(sessionID) }
        members.merge(extra) { $1 }
        return JSONValue.object(members).canonicalText
    }

    static func event(_ timeUs: Int64, _ kind: String, turn: Int? = 1, data: JSONValue = [:]) -> String {
        var members: [String: JSONValue] = ["type": "event", "t_us": .int(timeUs), "kind": .string(kind), "data": data]
        if let turn { members["turn"] = .int(Int64(turn)) }
        return JSONValue.object(members).canonicalText
    }

    static func audio(_ stream: String, _ frame: Int, _ samples: [Int16], timeUs: Int64? = nil, extra: [String: JSONValue] = [:]) -> String {
        var members: [String: JSONValue] = [
            "type": "audio", "stream": .string(stream), "frame": .int(Int64(frame)), "pcm16": .string(base64(samples)),
        ]
        if let timeUs { members["t_us"] = .int(timeUs) }
        members.merge(extra) { $1 }
        return JSONValue.object(members).canonicalText
    }

    static func vad(_ frame: Int, prob: Double = 0.5, speech: Bool = true) -> String {
        JSONValue.object(["type": "vad", "frame": .int(Int64(frame)), "prob": .double(prob), "speech": .bool(speech)]).canonicalText
    }

    /// A vad row placed by time (it holds until the next row).
    static func vad(timeUs: Int64, prob: Double = 0.5, speech: Bool = true) -> String {
        JSONValue.object(["type": "vad", "t_us": .int(timeUs), "prob": .double(prob), "speech": .bool(speech)]).canonicalText
    }

    /// A chunk of any length without `frame`: placed at `timeUs`, or appended when nil.
    static func chunk(_ stream: String, _ samples: [Int16], timeUs: Int64? = nil, extra: [String: JSONValue] = [:]) -> String {
        var members: [String: JSONValue] = ["type": "audio", "stream": .string(stream), "pcm16": .string(base64(samples))]
        if let timeUs { members["t_us"] = .int(timeUs) }
        members.merge(extra) { $1 }
        return JSONValue.object(members).canonicalText
    }

    static let end = #"{"type":"end"}"#

    static func base64(_ samples: [Int16]) -> String {
        var bytes: [UInt8] = []
        for sample in samples {
            let bits = UInt16(bitPattern: sample)
            bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        return Data(bytes).base64EncodedString()
    }

    /// Frame `frame` of a tone (distinct per stream via `pitch`), full of non-zero samples.
    static func tone(frame: Int, samplesPerFrame: Int = 320, rate: Int = 16000, pitch: Double = 440) -> [Int16] {
        (0..<samplesPerFrame).map { k in
            let t = Double(frame * samplesPerFrame + k) / Double(rate)
            return Int16(7000 * sin(2 * Double.pi * pitch * t))
        }
    }
}

extension LiveSessionDecoder {
    /// Feeds one line given as text.
    mutating func feed(_ line: String) -> Action? { lineReceived(Array(line.utf8)) }
}

/// A wall clock that moves only when the test moves it, for the recorder's commit pacing and the
/// server's timeouts (shared with a server running on another thread).
final class LiveTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var offset = Duration.zero

    /// The clock's time.
    func now() -> ContinuousClock.Instant { lock.withLock { start + offset } }

    /// Moves the clock forward.
    func advance(_ duration: Duration) { lock.withLock { offset += duration } }
}
