import Core
import Foundation

/// One message of the live recording protocol (`docs/record-protocol.md`), with every field
/// checked on its own: types, ranges, known kinds and streams, no unknown fields.
///
/// What depends on earlier messages (frame continuity, event order, the sample count of a frame)
/// is checked by `LiveSessionDecoder`.
public enum LiveMessage: Hashable, Sendable {
    /// Opens the session and sets its audio format.
    case hello(Hello)
    /// One pipeline event.
    case event(Event)
    /// One frame of one audio stream.
    case audio(Audio)
    /// The VAD's verdict on one mic frame.
    case vad(VAD)
    /// Closes the session.
    case end(End)

    /// `{"type":"hello", …}`.
    public struct Hello: Hashable, Sendable {
        /// Sample rate and frame length of every stream.
        public var format: AudioFormat
        /// How the archive stores audio: `opus` (as `simulate` does) or `pcm16` (lossless).
        public var codec: String
        /// The session id to record; nil lets the recorder choose one.
        public var sessionID: String?
        /// A name for the session (meta `scenario_name`, shown by `report` and `inspect`).
        public var name: String?
        /// What is sending (e.g. `pipecat 0.0.60`), stored as meta `client`.
        public var client: String?
        /// The pipeline's own settings, stored as meta `config` (canonical JSON).
        public var config: JSONValue?
        /// Sample rate of each stream that differs from `format.sampleRate` (`stream_rates`); the
        /// recorder resamples those streams to the archive rate.
        public var streamRates: [AudioStream: Int] = [:]
        /// The pipeline's settings in Crosstalk's `--set` terms (`settings`), each key checked as
        /// `--set` checks it; stored as meta `recorded_settings`.
        public var settings: JSONValue?

        /// The sample rate `stream` arrives at.
        public func rate(of stream: AudioStream) -> Int { streamRates[stream] ?? format.sampleRate }
    }

    /// `{"type":"event", …}`.
    public struct Event: Hashable, Sendable {
        /// When it happened, in microseconds since the session started.
        public var timeUs: Int64
        /// What happened.
        public var kind: EventKind
        /// The user turn it belongs to.
        public var turn: Int?
        /// Details (a JSON object; `{}` when absent).
        public var data: JSONValue
    }

    /// `{"type":"audio", …}`.
    public struct Audio: Hashable, Sendable {
        /// Which stream the frame belongs to.
        public var stream: AudioStream
        /// Frame index in the stream (0, 1, 2, …); nil for a chunk of any length, placed by `timeUs`
        /// or appended at the stream's end.
        public var frame: Int?
        /// The frame's start time (it must match `frame`), or where a chunk without `frame` starts.
        public var timeUs: Int64?
        /// The rate the client says the samples are at (it must equal the stream's rate).
        public var sampleRate: Int?
        /// The samples (decoded from base64 little-endian 16-bit PCM).
        public var samples: [Int16]
    }

    /// `{"type":"vad", …}`.
    public struct VAD: Hashable, Sendable {
        /// Mic frame index; nil for a row placed by `timeUs` (it holds until the next row).
        public var frame: Int?
        /// The frame's start time (it must match `frame`), or when the value starts to hold.
        public var timeUs: Int64?
        /// Speech probability in 0…1.
        public var probability: Double
        /// The VAD's speech/silence state after this frame.
        public var speech: Bool
    }

    /// `{"type":"end"}`.
    public struct End: Hashable, Sendable {
        /// When the session ended, if the client knows better than its last message.
        public var timeUs: Int64?
    }

    /// Sample rates a stream may arrive at (`stream_rates`, `audio.sample_rate`).
    public static let streamRateRange = 8000...48000
    /// The longest chunk without `frame`, in seconds of its stream.
    public static let maxChunkSeconds = 1
    /// Sample rates the archive's codecs support (Opus rates; `simulate` accepts the same).
    public static let sampleRates = [8000, 16000, 24000, 48000]
    /// Frame lengths the archive's codecs support.
    public static let frameLengthsMs = [10, 20, 40, 60]
    /// Archive codecs a session may choose.
    public static let codecs = ["opus", "pcm16"]
    /// The largest time a message may carry (about 11.6 days), so frame arithmetic cannot overflow.
    public static let maxTimeUs: Int64 = 1_000_000_000_000
    /// The message types, in protocol order.
    public static let types = ["hello", "event", "audio", "vad", "end"]

    /// Checks one parsed line; the error's message names the field at fault (its line is 0).
    public static func parse(_ value: JSONValue) throws(LiveProtocolError) -> LiveMessage {
        guard case .object(let members) = value else {
            throw LiveProtocolError("a message must be a JSON object, not \(kindName(value))")
        }
        guard let typeValue = members["type"] else { throw LiveProtocolError("message has no \"type\"") }
        guard let type = typeValue.stringValue else { throw LiveProtocolError("\"type\" must be a string") }
        var fields = Fields(type: type, members: members)
        let message: LiveMessage
        switch type {
        case "hello": message = .hello(try hello(&fields))
        case "event": message = .event(try event(&fields))
        case "audio": message = .audio(try audio(&fields))
        case "vad": message = .vad(try vad(&fields))
        case "end": message = .end(End(timeUs: try fields.optionalTime("t_us")))
        default:
            throw LiveProtocolError("unknown type \"\(type)\" (expected one of \(types.joined(separator: ", ")))")
        }
        try fields.checkAllUsed()
        return message
    }

    private static func hello(_ fields: inout Fields) throws(LiveProtocolError) -> Hello {
        let rate = try fields.int("sample_rate")
        guard sampleRates.contains(Int(rate)) else {
            throw LiveProtocolError("hello: sample_rate \(rate) is not one of \(list(sampleRates))")
        }
        let frameMs = try fields.int("frame_ms")
        guard frameLengthsMs.contains(Int(frameMs)) else {
            throw LiveProtocolError("hello: frame_ms \(frameMs) is not one of \(list(frameLengthsMs))")
        }
        let codec = try fields.optionalString("codec") ?? "opus"
        guard codecs.contains(codec) else {
            throw LiveProtocolError("hello: codec \"\(codec)\" is not one of \(codecs.joined(separator: ", "))")
        }
        let sessionID = try fields.optionalString("session_id")
        if let sessionID, sessionID.isEmpty || sessionID.count > 200 || sessionID.contains(where: \.isNewline) {
            throw LiveProtocolError("hello: session_id must be 1 to 200 characters on one line")
        }
        var config = try fields.value("config")
        if config == .null { config = nil }
        if let config {
            guard case .object = config else { throw LiveProtocolError("hello: config must be a JSON object") }
        }
        var hello = Hello(
            format: AudioFormat(sampleRate: Int(rate), frameMs: Int(frameMs)), codec: codec, sessionID: sessionID,
            name: try fields.optionalString("name"), client: try fields.optionalString("client"),
            config: config)
        hello.streamRates = try streamRates(try fields.value("stream_rates"))
        if let settings = try fields.value("settings"), settings != .null {
            hello.settings = try LiveSettings.check(settings)
        }
        return hello
    }

    /// `stream_rates`: stream name → integer rate in `streamRateRange`.
    private static func streamRates(_ value: JSONValue?) throws(LiveProtocolError) -> [AudioStream: Int] {
        guard let value, value != .null else { return [:] }
        guard case .object(let members) = value else {
            throw LiveProtocolError("hello: stream_rates must be a JSON object of stream → sample rate")
        }
        var rates: [AudioStream: Int] = [:]
        for name in members.keys.sorted() {
            guard let stream = AudioStream(rawValue: name), AudioStream.sessionStreams.contains(stream) else {
                let known = AudioStream.sessionStreams.map(\.rawValue).joined(separator: ", ")
                throw LiveProtocolError("hello: stream_rates names unknown stream \"\(name)\" (expected one of \(known))")
            }
            guard let rate = members[name]?.intValue, streamRateRange.contains(Int(rate)) else {
                throw LiveProtocolError("hello: stream_rates.\(name) must be an integer sample rate in "
                    + "\(streamRateRange.lowerBound)…\(streamRateRange.upperBound) Hz")
            }
            rates[stream] = Int(rate)
        }
        return rates
    }

    private static func event(_ fields: inout Fields) throws(LiveProtocolError) -> Event {
        let time = try fields.time("t_us")
        let kindName = try fields.string("kind")
        guard let kind = EventKind(rawValue: kindName) else {
            let kinds = EventKind.allCases.filter { $0 != .sessionEnd }.map(\.rawValue).joined(separator: ", ")
            throw LiveProtocolError("event: unknown kind \"\(kindName)\" (expected one of \(kinds))")
        }
        guard kind != .sessionEnd else {
            throw LiveProtocolError("event: session.end is written by crosstalk; send {\"type\":\"end\"} instead")
        }
        var turn: Int?
        if let value = try fields.value("turn"), value != .null {
            guard let number = value.intValue, number >= 0, number <= Int64(Int32.max) else {
                throw LiveProtocolError("event: turn must be a non-negative integer or null")
            }
            turn = Int(number)
        }
        let data = try fields.value("data") ?? .object([:])
        guard case .object = data else { throw LiveProtocolError("event: data must be a JSON object") }
        try checkData(data, of: kind)
        return Event(timeUs: time, kind: kind, turn: turn, data: data)
    }

    /// The data fields the protocol gives a meaning to, checked where present: `audio_end_us` on
    /// `stt.*` and `eot.prediction`, and an `eot.prediction`'s verdict (`probability`, `outcome`).
    private static func checkData(_ data: JSONValue, of kind: EventKind) throws(LiveProtocolError) {
        let name = kind.rawValue
        switch kind {
        case .sttPartial, .sttFinal, .eotPrediction:
            if let end = data["audio_end_us"], end != .null {
                guard let time = end.intValue, (0...maxTimeUs).contains(time) else {
                    throw LiveProtocolError("event: \(name) data.audio_end_us must be an integer time in 0…\(maxTimeUs) µs")
                }
            }
        default:
            return
        }
        guard kind == .eotPrediction else { return }
        guard let probability = data["probability"]?.doubleValue, (0...1).contains(probability) else {
            throw LiveProtocolError("event: eot.prediction data.probability must be a number in 0…1")
        }
        guard let outcome = data["outcome"]?.stringValue, ["complete", "incomplete"].contains(outcome) else {
            throw LiveProtocolError("event: eot.prediction data.outcome must be \"complete\" or \"incomplete\"")
        }
        for key in ["threshold", "inference_ms"] {
            if let value = data[key], value != .null {
                guard let number = value.doubleValue, number >= 0, number.isFinite else {
                    throw LiveProtocolError("event: eot.prediction data.\(key) must be a non-negative number")
                }
            }
        }
    }

    private static func audio(_ fields: inout Fields) throws(LiveProtocolError) -> Audio {
        let name = try fields.string("stream")
        guard let stream = AudioStream(rawValue: name), AudioStream.sessionStreams.contains(stream) else {
            let known = AudioStream.sessionStreams.map(\.rawValue).joined(separator: ", ")
            throw LiveProtocolError("audio: unknown stream \"\(name)\" (expected one of \(known))")
        }
        let frame = try fields.optionalFrame()
        let time = try fields.optionalTime("t_us")
        var sampleRate: Int?
        if let value = try fields.value("sample_rate"), value != .null {
            guard let rate = value.intValue, streamRateRange.contains(Int(rate)) else {
                throw LiveProtocolError("audio: sample_rate must be an integer in "
                    + "\(streamRateRange.lowerBound)…\(streamRateRange.upperBound) Hz")
            }
            sampleRate = Int(rate)
        }
        let text = try fields.string("pcm16")
        guard let bytes = Data(base64Encoded: text) else {
            throw LiveProtocolError("audio: pcm16 is not valid base64")
        }
        guard bytes.count % 2 == 0 else {
            throw LiveProtocolError("audio: pcm16 holds \(bytes.count) bytes, not whole 16-bit samples")
        }
        let samples = bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { Int16(bitPattern: UInt16(raw[2 * $0]) | UInt16(raw[2 * $0 + 1]) << 8) }
        }
        return Audio(stream: stream, frame: frame, timeUs: time, sampleRate: sampleRate, samples: samples)
    }

    private static func vad(_ fields: inout Fields) throws(LiveProtocolError) -> VAD {
        let frame = try fields.optionalFrame()
        let time = try fields.optionalTime("t_us")
        guard frame != nil || time != nil else { throw LiveProtocolError("vad: frame or t_us is required") }
        guard let probability = try fields.value("prob")?.doubleValue else {
            throw LiveProtocolError("vad: prob must be a number")
        }
        guard (0...1).contains(probability) else {
            throw LiveProtocolError("vad: prob \(probability) is outside 0…1")
        }
        guard let speech = try fields.value("speech")?.boolValue else {
            throw LiveProtocolError("vad: speech must be true or false")
        }
        return VAD(frame: frame, timeUs: time, probability: probability, speech: speech)
    }

    private static func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }

    static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// The members of one message, read by name; the ones never read are unknown fields (an error,
/// so that a misspelt field is not silently ignored).
private struct Fields {
    let type: String
    let members: [String: JSONValue]
    private var used: Set<String> = ["type"]

    init(type: String, members: [String: JSONValue]) {
        self.type = type
        self.members = members
    }

    /// The member `key`, if present.
    mutating func value(_ key: String) throws(LiveProtocolError) -> JSONValue? {
        used.insert(key)
        return members[key]
    }

    /// A required integer member.
    mutating func int(_ key: String) throws(LiveProtocolError) -> Int64 {
        guard let value = try value(key) else { throw LiveProtocolError("\(type): \(key) is missing") }
        guard let number = value.intValue else {
            throw LiveProtocolError("\(type): \(key) must be an integer, not \(LiveMessage.kindName(value))")
        }
        return number
    }

    /// A required string member.
    mutating func string(_ key: String) throws(LiveProtocolError) -> String {
        guard let value = try value(key) else { throw LiveProtocolError("\(type): \(key) is missing") }
        guard let string = value.stringValue else {
            throw LiveProtocolError("\(type): \(key) must be a string, not \(LiveMessage.kindName(value))")
        }
        return string
    }

    /// An optional string member (absent or null is nil).
    mutating func optionalString(_ key: String) throws(LiveProtocolError) -> String? {
        guard let value = members[key], value != .null else {
            used.insert(key)
            return nil
        }
        return try string(key)
    }

    /// A required time in microseconds: an integer in 0…`maxTimeUs`.
    mutating func time(_ key: String) throws(LiveProtocolError) -> Int64 {
        let time = try int(key)
        guard (0...LiveMessage.maxTimeUs).contains(time) else {
            throw LiveProtocolError("\(type): \(key) \(time) is outside 0…\(LiveMessage.maxTimeUs)")
        }
        return time
    }

    /// An optional time in microseconds (absent or null is nil).
    mutating func optionalTime(_ key: String) throws(LiveProtocolError) -> Int64? {
        guard let value = members[key], value != .null else {
            used.insert(key)
            return nil
        }
        return try time(key)
    }

    /// A frame index: a non-negative integer small enough that its time stays in range.
    mutating func frame() throws(LiveProtocolError) -> Int {
        let frame = try int("frame")
        guard (0...100_000_000).contains(frame) else {
            throw LiveProtocolError("\(type): frame \(frame) is outside 0…100000000")
        }
        return Int(frame)
    }

    /// An optional frame index (absent or null is nil).
    mutating func optionalFrame() throws(LiveProtocolError) -> Int? {
        guard let value = members["frame"], value != .null else {
            used.insert("frame")
            return nil
        }
        return try frame()
    }

    /// Throws naming the members no reader asked for.
    func checkAllUsed() throws(LiveProtocolError) {
        let unknown = members.keys.filter { !used.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let names = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            throw LiveProtocolError("\(type): unknown field\(unknown.count == 1 ? "" : "s") \(names)")
        }
    }
}
