import Core

/// The live recording protocol's state machine (`docs/record-protocol.md`): takes one line at a
/// time and says what to do with it: open the archive, record one row, finish, or reject the line.
///
/// A pure value: no sockets, no files. A rejected line changes nothing but the counters, so the
/// archive holds exactly the accepted messages. It checks what depends on order: hello first and
/// once, frames of each stream contiguous from 0 at `frame × frame_ms`, whole frames, event times
/// that never go back, VAD rows only for mic frames already received.
public struct LiveSessionDecoder {
    /// One row to write to the archive.
    public enum Row: Hashable, Sendable {
        /// An event; `seq` assigned in arrival order.
        case event(PipelineEvent)
        /// One frame of one stream, as samples (the writer encodes it).
        case frame(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16])
        /// The VAD's verdict on one mic frame.
        case vad(frame: Int, time: SimInstant, probability: Double, speech: Bool)
    }

    /// What the caller does with a line.
    public enum Action: Hashable, Sendable {
        /// Create the archive for this session (its `sessionID` is filled in) and acknowledge.
        case openArchive(LiveMessage.Hello)
        /// Write one row.
        case record(Row)
        /// Write the summary's `session.end` event, finish the archive and reply with the summary.
        case finishArchive(LiveSessionSummary)
        /// Reply with the error; nothing is written.
        case reject(LiveProtocolError)
    }

    /// Where the session stands.
    private enum State {
        /// Nothing but a hello is accepted.
        case awaitingHello
        /// The archive is open.
        case recording(Progress)
        /// The session ended; every further line is rejected.
        case ended
    }

    /// What the open session has accepted so far.
    private struct Progress {
        var hello: LiveMessage.Hello
        var nextFrame: [AudioStream: Int] = [:]
        var vadRows = 0
        var events: Int64 = 0
        var lastEventUs: Int64 = 0
        /// The furthest time any accepted message reaches (an event, or the end of a frame).
        var reachedUs: Int64 = 0

        var frameUs: Int64 { Int64(hello.format.frameMs) * 1000 }
    }

    private var state = State.awaitingHello
    private let defaultSessionID: String
    /// Lines seen on this connection (the last one's number).
    public private(set) var linesReceived = 0
    /// Lines rejected so far.
    public private(set) var rejectedLines = 0

    /// A decoder for one connection; `defaultSessionID` is used when the hello names none.
    public init(defaultSessionID: String) {
        self.defaultSessionID = defaultSessionID
    }

    /// Whether a hello was accepted (the archive is open or finished).
    public var hasSession: Bool {
        if case .awaitingHello = state { return false }
        return true
    }

    /// Whether the session has ended.
    public var hasEnded: Bool {
        if case .ended = state { return true }
        return false
    }

    /// The furthest session time the accepted messages reach (zero before hello).
    public var receivedTime: SimInstant {
        if case .recording(let progress) = state { return SimInstant(microseconds: progress.reachedUs) }
        return .zero
    }

    /// One line arrived (without its `\n`; a trailing `\r` is ignored). Blank lines are skipped (nil).
    public mutating func lineReceived(_ line: [UInt8]) -> Action? {
        linesReceived += 1
        var bytes = line[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        let action: Action
        do throws(LiveProtocolError) {
            action = try handle(try Self.message(bytes))
        } catch {
            return reject(error.message)
        }
        return action
    }

    /// A line longer than the recorder's limit arrived; it is rejected unread.
    public mutating func oversizedLineReceived(maxLineBytes: Int) -> Action {
        linesReceived += 1
        return reject("line is longer than \(maxLineBytes) bytes; it was skipped")
    }

    /// The connection closed (or the recorder stops): the summary to finish the archive with,
    /// or nil when no session is open.
    public mutating func connectionClosed(reason: String) -> LiveSessionSummary? {
        guard case .recording(let progress) = state else { return nil }
        state = .ended
        return summary(progress, reason: reason, endUs: progress.reachedUs)
    }

    private mutating func reject(_ message: String) -> Action {
        rejectedLines += 1
        return .reject(LiveProtocolError(line: linesReceived, message))
    }

    /// Parses a line's bytes as UTF-8 JSON and checks its fields.
    private static func message(_ bytes: ArraySlice<UInt8>) throws(LiveProtocolError) -> LiveMessage {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LiveProtocolError("line is not valid UTF-8")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw LiveProtocolError("\(error)")
        }
        return try LiveMessage.parse(value)
    }

    private mutating func handle(_ message: LiveMessage) throws(LiveProtocolError) -> Action {
        switch state {
        case .awaitingHello:
            guard case .hello(var hello) = message else {
                throw LiveProtocolError("expected hello first, got \(Self.typeName(message))")
            }
            hello.sessionID = hello.sessionID ?? defaultSessionID
            state = .recording(Progress(hello: hello))
            return .openArchive(hello)
        case .recording(var progress):
            if case .end(let end) = message {
                if let time = end.timeUs, time < progress.lastEventUs {
                    throw LiveProtocolError("end: t_us \(time) is earlier than the last event's \(progress.lastEventUs)")
                }
                state = .ended
                return .finishArchive(summary(progress, reason: "end", endUs: max(progress.reachedUs, end.timeUs ?? 0)))
            }
            let row = try Self.accept(message, into: &progress)
            state = .recording(progress)
            return .record(row)
        case .ended:
            throw LiveProtocolError("the session has ended; open a new connection for a new session")
        }
    }

    /// The row for `message` (not `end`) in an open session; `progress` changes only when it is accepted.
    private static func accept(_ message: LiveMessage, into progress: inout Progress) throws(LiveProtocolError) -> Row {
        switch message {
        case .hello:
            throw LiveProtocolError("hello: the session \(progress.hello.sessionID ?? "") has already started")
        case .event(let event):
            guard event.timeUs >= progress.lastEventUs else {
                throw LiveProtocolError("event: t_us \(event.timeUs) is earlier than the previous event's "
                    + "\(progress.lastEventUs) (events must come in time order)")
            }
            let recorded = PipelineEvent(
                seq: progress.events, time: SimInstant(microseconds: event.timeUs), kind: event.kind,
                turn: event.turn, data: event.data)
            progress.events += 1
            progress.lastEventUs = event.timeUs
            progress.reachedUs = max(progress.reachedUs, event.timeUs)
            return .event(recorded)
        case .audio(let audio):
            return try accept(audio, into: &progress)
        case .vad(let vad):
            return try accept(vad, into: &progress)
        case .end:
            preconditionFailure("end is handled by the caller")
        }
    }

    private static func accept(_ audio: LiveMessage.Audio, into progress: inout Progress) throws(LiveProtocolError) -> Row {
        let name = audio.stream.rawValue
        let expected = progress.nextFrame[audio.stream] ?? 0
        if audio.frame > expected {
            let missing = audio.frame - 1 == expected ? "frame \(expected)" : "frames \(expected)…\(audio.frame - 1)"
            throw LiveProtocolError("audio: \(name) frame \(audio.frame) skips \(missing) "
                + "(frames of a stream run 0, 1, 2, … without gaps)")
        }
        if audio.frame < expected {
            throw LiveProtocolError("audio: \(name) frame \(audio.frame) is a duplicate or out of order "
                + "(the next \(name) frame is \(expected))")
        }
        let timeUs = Int64(audio.frame) * progress.frameUs
        if let sent = audio.timeUs, sent != timeUs {
            throw LiveProtocolError("audio: \(name) frame \(audio.frame) has t_us \(sent), expected \(timeUs) "
                + "(frame × frame_ms × 1000)")
        }
        let format = progress.hello.format
        guard audio.samples.count == format.samplesPerFrame else {
            throw LiveProtocolError("audio: \(name) frame \(audio.frame) holds \(audio.samples.count) samples, "
                + "expected \(format.samplesPerFrame) (\(format.sampleRate) Hz × \(format.frameMs) ms)")
        }
        progress.nextFrame[audio.stream] = expected + 1
        progress.reachedUs = max(progress.reachedUs, timeUs + progress.frameUs)
        return .frame(stream: audio.stream, frame: audio.frame, time: SimInstant(microseconds: timeUs), samples: audio.samples)
    }

    private static func accept(_ vad: LiveMessage.VAD, into progress: inout Progress) throws(LiveProtocolError) -> Row {
        let expected = progress.vadRows
        if vad.frame != expected {
            let problem = vad.frame > expected ? "skips frame\(vad.frame - 1 == expected ? "" : "s") \(expected)"
                + (vad.frame - 1 == expected ? "" : "…\(vad.frame - 1)") : "is a duplicate or out of order"
            throw LiveProtocolError("vad: frame \(vad.frame) \(problem) (the next vad frame is \(expected))")
        }
        let micFrames = progress.nextFrame[.mic] ?? 0
        guard vad.frame < micFrames else {
            throw LiveProtocolError("vad: frame \(vad.frame) describes a mic frame not received yet "
                + "(\(micFrames) mic frames so far); send the mic frame first")
        }
        let timeUs = Int64(vad.frame) * progress.frameUs
        if let sent = vad.timeUs, sent != timeUs {
            throw LiveProtocolError("vad: frame \(vad.frame) has t_us \(sent), expected \(timeUs) (frame × frame_ms × 1000)")
        }
        progress.vadRows += 1
        return .vad(frame: vad.frame, time: SimInstant(microseconds: timeUs), probability: vad.probability, speech: vad.speech)
    }

    /// The summary of `progress`, with the `session.end` event at `endUs`.
    private func summary(_ progress: Progress, reason: String, endUs: Int64) -> LiveSessionSummary {
        var frames: [AudioStream: Int] = [:]
        for stream in AudioStream.sessionStreams { frames[stream] = progress.nextFrame[stream] ?? 0 }
        let data: JSONValue = [
            "reason": .string(reason), "frames": .int(Int64(frames[.mic] ?? 0)),
            "rejected_lines": .int(Int64(rejectedLines)),
        ]
        let endEvent = PipelineEvent(
            seq: progress.events, time: SimInstant(microseconds: endUs), kind: .sessionEnd, turn: nil, data: data)
        return LiveSessionSummary(
            reason: reason, sessionID: progress.hello.sessionID ?? "", events: Int(progress.events), frames: frames,
            vadRows: progress.vadRows, rejectedLines: rejectedLines, endEvent: endEvent)
    }

    private static func typeName(_ message: LiveMessage) -> String {
        switch message {
        case .hello: return "hello"
        case .event: return "event"
        case .audio: return "audio"
        case .vad: return "vad"
        case .end: return "end"
        }
    }
}
