import Core
import Foundation

/// What one live session recorded, as its `end` reply, the `session.end` event and the command's
/// last line report it.
public struct LiveSessionSummary: Hashable, Sendable {
    /// Why the session ended: `end` (the client said so), `disconnected` (the connection closed
    /// first), `interrupted` (the recorder was stopped), `dropped` (the client stopped reading replies),
    /// `idle_timeout` (no complete line for the idle timeout).
    public var reason: String
    /// The session id in the archive's meta.
    public var sessionID: String
    /// Events the client sent that were recorded (the `session.end` event not counted).
    public var events: Int
    /// Frames recorded per stream.
    public var frames: [AudioStream: Int]
    /// VAD rows recorded.
    public var vadRows: Int
    /// Lines rejected with an error reply.
    public var rejectedLines: Int
    /// The `session.end` event crosstalk appends: after the last event, the end of the longest
    /// stream, and the time the client's `end` gave, whichever is latest.
    public var endEvent: PipelineEvent

    /// Frames over all streams.
    public var totalFrames: Int { frames.values.reduce(0, +) }

    /// Frames per stream as a JSON object (streams without frames left out).
    var framesJSON: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: frames.filter { $0.value > 0 }.map { ($0.key.rawValue, .int(Int64($0.value))) }))
    }

    /// The reply to `end`: `{"ok":true,"type":"end","events":…,"frames":…,…}` (canonical JSON).
    public func replyLine(archive: String) -> String {
        JSONValue.object([
            "ok": true, "type": "end", "archive": .string(archive), "session_id": .string(sessionID),
            "events": .int(Int64(events)), "frames": .int(Int64(totalFrames)), "streams": framesJSON,
            "vad": .int(Int64(vadRows)), "rejected": .int(Int64(rejectedLines)),
            "duration_us": .int(endEvent.time.microseconds),
        ]).canonicalText
    }

    /// One line for people: counts per stream, rejections and how the session ended.
    public var text: String {
        let streams = AudioStream.sessionStreams.compactMap { stream in
            frames[stream].flatMap { $0 > 0 ? "\(stream.rawValue) \($0)" : nil }
        }
        let seconds = Double(endEvent.time.microseconds) / 1_000_000
        return "session \(sessionID): \(events) events, \(totalFrames) frames"
            + (streams.isEmpty ? "" : " (\(streams.joined(separator: ", ")))")
            + ", \(vadRows) vad rows, \(rejectedLines) rejected lines, "
            + String(format: "%.2f", seconds) + " s, ended by \(reason)"
    }
}
