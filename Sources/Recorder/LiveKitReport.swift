import Core
import Foundation

/// A LiveKit Agents `session_report.json` (what `console --record` writes beside `audio.ogg`), read
/// and checked: the fields `crosstalk import --livekit` maps, each checked for type and range.
///
/// The field list follows livekit-agents 1.8 (`SessionReport.to_dict`, the `AgentEvent` models and
/// `ChatMessage.metrics`); docs/livekit.md lists what each becomes. Every error names the file, the
/// entry (`events[12]`, `chat_history.items[3]`) and the field.
public struct LiveKitReport: Sendable {
    /// One entry of `events`.
    public struct Event: Sendable, Equatable {
        /// Its index in `events`.
        public var index: Int
        /// `type`.
        public var type: String
        /// `created_at` (unix seconds).
        public var createdAt: Double
        /// The whole entry.
        public var fields: JSONValue
    }

    /// One `message` entry of `chat_history.items`.
    public struct Message: Sendable, Equatable {
        /// Its index in `chat_history.items`.
        public var index: Int
        /// `role`: user, assistant, system, developer.
        public var role: String
        /// The text content (its strings joined by a space).
        public var text: String
        /// `interrupted`.
        public var interrupted: Bool
        /// `created_at` (unix seconds), if given.
        public var createdAt: Double?
        /// `metrics` (seconds: `started_speaking_at`, `end_of_turn_delay`, …), numbers only.
        public var metrics: [String: Double]
    }

    /// The event types the importer maps to Crosstalk events.
    public static let mappedTypes: Set<String> = [
        "user_state_changed", "agent_state_changed", "user_input_transcribed", "eot_prediction", "agent_false_interruption",
    ]
    /// The event types read and ignored (they carry nothing the archive's events hold).
    public static let ignoredTypes: Set<String> = [
        "conversation_item_added", "speech_created", "session_usage_updated", "metrics_collected", "error", "close",
        "function_tools_executed", "tool_execution_updated", "user_transcription_timeout", "overlapping_speech",
        "user_turn_exceeded", "debug_message", "agent_backchannel_opportunity",
    ]
    /// How far an event's `created_at` may be earlier than an earlier entry's: LiveKit backdates a
    /// `user_state_changed` to listening to the last speaking time (the VAD's silence wait).
    public static let backdatingWindow = 2.0
    /// The longest session imported (seconds after the audio's start).
    public static let maxSeconds = 24.0 * 3600

    /// The file it was read from (for messages).
    public var path: String
    /// `job_id`, if not empty.
    public var jobID: String?
    /// `room`, if not empty.
    public var room: String?
    /// `sdk_version`, if given.
    public var sdkVersion: String?
    /// `audio_recording_started_at` (unix seconds): time zero of the audio and every event.
    public var audioStartedAt: Double
    /// `options`.
    public var options: JSONValue
    /// `events`, in file order.
    public var events: [Event]
    /// The `message` items of `chat_history`, in file order.
    public var messages: [Message]
    /// The last `close` event's `reason`, if any.
    public var closeReason: String?
    /// A hash of the file's bytes (the session id when the report has no job id).
    public var contentHash: String

    /// Reads and checks `path`.
    public static func read(path: String) throws -> LiveKitReport {
        try InputFile.checkRegular(path, what: "a LiveKit session report")
        guard let data = FileManager.default.contents(atPath: path) else { throw ArchiveError.io(path: path, detail: "cannot read the file") }
        guard data.count <= 64 << 20 else {
            throw ArchiveError.io(path: path, detail: "a session report of \(data.count >> 20) MiB is too large (at most 64 MiB)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ArchiveError.io(path: path, detail: "not UTF-8 text") }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw ArchiveError.io(path: path, detail: "not JSON: \(error)") }
        var hasher = FNV1a64()
        hasher.combine(text)
        return try LiveKitReport(json: json, path: path, contentHash: hasher.hex)
    }

    /// Checks and converts a parsed report.
    public init(json: JSONValue, path: String, contentHash: String = "") throws {
        self.path = path
        self.contentHash = contentHash
        let top = LiveKitFields(json, at: nil, path: path)
        try top.requireObject("the report")
        jobID = try top.optionalString("job_id").flatMap { $0.isEmpty ? nil : $0 }
        room = try top.optionalString("room").flatMap { $0.isEmpty ? nil : $0 }
        sdkVersion = try top.optionalString("sdk_version").flatMap { $0.isEmpty ? nil : $0 }
        guard let started = try top.optionalNumber("audio_recording_started_at") else {
            throw top.fail("audio_recording_started_at", "is missing or null (the session was not recorded with audio: run the agent with --record)")
        }
        guard started > 0 else { throw top.fail("audio_recording_started_at", "must be a unix time in seconds, not \(started)") }
        audioStartedAt = started
        guard let options = json["options"], case .object = options else {
            throw top.fail("options", json["options"] == nil ? "is missing" : "must be an object")
        }
        self.options = options
        guard let list = json["events"]?.arrayValue else {
            throw top.fail("events", json["events"] == nil ? "is missing" : "must be a list")
        }
        var events: [Event] = []
        var latest: (time: Double, index: Int)?
        var close: String?
        for (i, entry) in list.enumerated() {
            let f = LiveKitFields(entry, at: "events[\(i)]", path: path)
            try f.requireObject("an event")
            let type = try f.string("type")
            f.label = "events[\(i)] (\(type))"
            guard Self.mappedTypes.contains(type) || Self.ignoredTypes.contains(type) else {
                let known = (Self.mappedTypes.union(Self.ignoredTypes)).sorted().joined(separator: ", ")
                throw f.fail("type", "'\(type.clippedForMessage)' is not a LiveKit event type this import knows (known: \(known))")
            }
            let created = try f.number("created_at")
            guard created.isFinite, created > 0 else { throw f.fail("created_at", "must be a unix time in seconds, not \(created)") }
            if created - started > Self.maxSeconds {
                throw f.fail("created_at", "is \(Int(created - started)) s after audio_recording_started_at (imports are limited to 24 h)")
            }
            if let latest, created < latest.time - Self.backdatingWindow {
                throw f.fail("created_at", String(
                    format: "%.3f is %.3f s earlier than events[%d]'s %.3f: times must not run backwards (LiveKit backdates by at most %.0f s)",
                    created, latest.time - created, latest.index, latest.time, Self.backdatingWindow))
            }
            if latest == nil || created > latest!.time { latest = (created, i) }
            try Self.check(type, f)
            if type == "close" { close = try f.optionalString("reason") }
            events.append(Event(index: i, type: type, createdAt: created, fields: entry))
        }
        self.events = events
        closeReason = close
        messages = try Self.messages(json["chat_history"], path: path)
    }

    /// The states a `user_state_changed` / `agent_state_changed` may name.
    static let userStates: Set<String> = ["speaking", "listening", "away"]
    static let agentStates: Set<String> = ["initializing", "idle", "listening", "thinking", "speaking"]

    /// Checks the fields a mapped event type needs.
    private static func check(_ type: String, _ f: LiveKitFields) throws {
        switch type {
        case "user_state_changed", "agent_state_changed":
            let states = type == "user_state_changed" ? userStates : agentStates
            for key in ["old_state", "new_state"] {
                let state = try f.string(key)
                guard states.contains(state) else {
                    throw f.fail(key, "'\(state.clippedForMessage)' is not one of \(states.sorted().joined(separator: ", "))")
                }
            }
        case "user_input_transcribed":
            _ = try f.string("transcript")
            _ = try f.bool("is_final")
        case "eot_prediction":
            for key in ["probability", "threshold"] {
                let p = try f.number(key)
                guard (0...1).contains(p) else { throw f.fail(key, "\(p) is outside 0…1") }
            }
            for key in ["inference_duration", "delay"] {
                if let v = try f.optionalNumber(key), !(v >= 0 && v < 3600) { throw f.fail(key, "\(v) is not a duration in seconds") }
            }
        case "agent_false_interruption":
            _ = try f.bool("resumed")
        default:
            break
        }
    }

    /// The `message` items of `chat_history` (other item types, e.g. function calls, are skipped).
    private static func messages(_ history: JSONValue?, path: String) throws -> [Message] {
        guard let history, history != .null else { return [] }
        let top = LiveKitFields(history, at: "chat_history", path: path)
        try top.requireObject("the chat history")
        guard let items = history["items"]?.arrayValue else { throw top.fail("items", "is missing or not a list") }
        var out: [Message] = []
        for (i, item) in items.enumerated() {
            let f = LiveKitFields(item, at: "chat_history.items[\(i)]", path: path)
            try f.requireObject("a chat item")
            guard try f.string("type") == "message" else { continue }
            let role = try f.string("role")
            guard let content = item["content"]?.arrayValue else { throw f.fail("content", "is missing or not a list") }
            let text = content.compactMap(\.stringValue).joined(separator: " ")
            let interrupted = try f.optionalBool("interrupted") ?? false
            let created = try f.optionalNumber("created_at")
            var metrics: [String: Double] = [:]
            if let m = item["metrics"], m != .null {
                guard case .object(let members) = m else { throw f.fail("metrics", "must be an object") }
                for key in members.keys.sorted() {
                    guard let value = members[key]?.doubleValue else { continue }  // ids, metadata
                    guard value.isFinite, value >= 0 else { throw f.fail("metrics.\(key)", "\(value) is not a time or duration in seconds") }
                    metrics[key] = value
                }
            }
            out.append(Message(index: i, role: role, text: text, interrupted: interrupted, createdAt: created, metrics: metrics))
        }
        return out
    }
}
