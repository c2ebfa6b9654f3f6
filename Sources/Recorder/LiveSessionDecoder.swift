import Core

/// The live recording protocol's state machine (`docs/record-protocol.md`): takes one line at a
/// time and says what to do with it: open the archive, record one row, finish, or reject the line.
///
/// A pure value: no sockets, no files. A rejected line changes nothing but the counters, so the
/// archive holds exactly the accepted messages. It checks what depends on order: hello first and
/// once, frames of each stream contiguous from 0 at `frame × frame_ms` (or chunks placed by time and
/// re-cut into frames), events within the reorder window, VAD rows only for mic frames received.
public struct LiveSessionDecoder {
    /// One row to write to the archive.
    public enum Row: Hashable, Sendable {
        /// An event; `seq` assigned in the written (time-sorted) order.
        case event(PipelineEvent)
        /// One frame of one stream, as samples (the writer encodes it).
        case frame(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16])
        /// `count` silent frames of one stream from `firstFrame` on (a gap the client did not send).
        case silence(stream: AudioStream, firstFrame: Int, count: Int)
        /// The VAD's verdict on one mic frame.
        case vad(frame: Int, time: SimInstant, probability: Double, speech: Bool)
        /// The same VAD verdict on `count` mic frames from `firstFrame` on (rows given by time).
        case vadSpan(firstFrame: Int, count: Int, frameUs: Int64, probability: Double, speech: Bool)
    }

    /// What the caller does with a line.
    public enum Action: Hashable, Sendable {
        /// Create the archive for this session (its `sessionID` is filled in) and acknowledge.
        case openArchive(LiveMessage.Hello)
        /// Write these rows, in order (none when the line's content is held: a partial frame, an
        /// event inside the reorder window, a VAD row ahead of the mic audio).
        case record([Row])
        /// Write `rows` (everything still held), then the summary's `session.end` event, finish the
        /// archive and reply with the summary.
        case finishArchive(LiveSessionFinish)
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

    /// How the session's VAD rows come: not yet, by mic frame index, or by time.
    private enum VADRows {
        case none
        case byFrame(next: Int)
        case byTime(LiveVADTimeline)
    }

    /// What the open session has accepted so far.
    private struct Progress {
        var hello: LiveMessage.Hello
        /// One cutter per stream that has sent audio.
        var streams: [AudioStream: LiveStreamCutter] = [:]
        /// Streams that sent chunks (placed by time): they are padded to the session's end.
        var chunked: Set<AudioStream> = []
        var vad = VADRows.none
        var events = LiveEventWindow()
        /// The furthest time any accepted message reaches (an event, or the end of a stream).
        var reachedUs: Int64 = 0

        var frameUs: Int64 { Int64(hello.format.frameMs) * 1000 }
        var micFrames: Int { streams[.mic]?.framesWritten ?? 0 }

        func cutter(_ stream: AudioStream) -> LiveStreamCutter {
            streams[stream] ?? LiveStreamCutter(stream: stream, format: hello.format, inputRate: hello.rate(of: stream))
        }

        var vadRowsWritten: Int {
            switch vad {
            case .none: return 0
            case .byFrame(let next): return next
            case .byTime(let timeline): return timeline.rowsWritten
            }
        }

        /// Writes the VAD rows given by time that the mic audio now settles.
        mutating func drainVAD(final: Bool, into rows: inout [Row]) {
            guard case .byTime(var timeline) = vad else { return }
            vad = .none
            timeline.drain(micFrames: micFrames, frameUs: frameUs, final: final, rows: &rows)
            vad = .byTime(timeline)
        }
    }

    /// The longest silence a chunk placed by `t_us` may leave after its stream's end.
    public static let maxGapUs: Int64 = 600_000_000
    /// How far a chunk's `t_us` may fall before its stream's end and still be taken as jitter.
    public static let jitterUs: Int64 = 1_000_000

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

    /// The connection closed (or the recorder stops): what is still held and the summary to finish
    /// the archive with, or nil when no session is open.
    public mutating func connectionClosed(reason: String) -> LiveSessionFinish? {
        guard case .recording(var progress) = state else { return nil }
        state = .ended
        return finish(&progress, reason: reason, endUs: progress.reachedUs)
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
            // Take the progress out of the state so that its buffers are not copied on write; every
            // check below comes before the first change, so a rejected line leaves it as it was.
            state = .ended
            var ended = false
            defer { if !ended { state = .recording(progress) } }
            if case .end(let end) = message {
                if let time = end.timeUs, time < progress.events.latestUs {
                    throw LiveProtocolError("end: t_us \(time) is earlier than the latest event's \(progress.events.latestUs)")
                }
                ended = true
                return .finishArchive(finish(&progress, reason: "end", endUs: max(progress.reachedUs, end.timeUs ?? 0)))
            }
            var rows: [Row] = []
            try Self.accept(message, into: &progress, rows: &rows)
            return .record(rows)
        case .ended:
            throw LiveProtocolError("the session has ended; open a new connection for a new session")
        }
    }

    /// The rows for `message` (not `end`) in an open session; `progress` changes only when it is accepted.
    private static func accept(_ message: LiveMessage, into progress: inout Progress, rows: inout [Row]) throws(LiveProtocolError) {
        switch message {
        case .hello:
            throw LiveProtocolError("hello: the session \(progress.hello.sessionID ?? "") has already started")
        case .event(let event):
            for released in try progress.events.received(event) { rows.append(.event(released)) }
            progress.reachedUs = max(progress.reachedUs, event.timeUs)
        case .audio(let audio):
            if audio.frame != nil {
                try acceptFrame(audio, into: &progress, rows: &rows)
            } else {
                try acceptChunk(audio, into: &progress, rows: &rows)
            }
            if audio.stream == .mic {
                progress.drainVAD(final: false, into: &rows)
                for released in progress.events.audioReached(progress.streams[.mic]?.endUs ?? 0) { rows.append(.event(released)) }
            }
        case .vad(let vad):
            try accept(vad, into: &progress, rows: &rows)
        case .end:
            preconditionFailure("end is handled by the caller")
        }
    }

    /// A whole frame given by index (the strict form).
    private static func acceptFrame(_ audio: LiveMessage.Audio, into progress: inout Progress, rows: inout [Row]) throws(LiveProtocolError) {
        guard let frame = audio.frame else { preconditionFailure("acceptFrame without a frame index") }
        let name = audio.stream.rawValue
        var cutter = progress.cutter(audio.stream)
        let format = progress.hello.format
        guard cutter.inputRate == format.sampleRate else {
            throw LiveProtocolError("audio: \(name) frame \(frame): the \(name) stream arrives at \(cutter.inputRate) Hz "
                + "(stream_rates), so send it as chunks without \"frame\"; frames by index are at the archive's \(format.sampleRate) Hz")
        }
        guard !cutter.hasPartial, !progress.chunked.contains(audio.stream) else {
            throw LiveProtocolError("audio: \(name) frame \(frame): the \(name) stream was sent as chunks without \"frame\"; "
                + "keep to one form per stream")
        }
        let expected = cutter.framesWritten
        if frame > expected {
            let missing = frame - 1 == expected ? "frame \(expected)" : "frames \(expected)…\(frame - 1)"
            throw LiveProtocolError("audio: \(name) frame \(frame) skips \(missing) "
                + "(frames of a stream run 0, 1, 2, … without gaps)")
        }
        if frame < expected {
            throw LiveProtocolError("audio: \(name) frame \(frame) is a duplicate or out of order "
                + "(the next \(name) frame is \(expected))")
        }
        let timeUs = Int64(frame) * progress.frameUs
        if let sent = audio.timeUs, sent != timeUs {
            throw LiveProtocolError("audio: \(name) frame \(frame) has t_us \(sent), expected \(timeUs) "
                + "(frame × frame_ms × 1000)")
        }
        if let rate = audio.sampleRate, rate != format.sampleRate {
            throw LiveProtocolError("audio: \(name) frame \(frame) says sample_rate \(rate), but the stream is at \(format.sampleRate) Hz")
        }
        guard audio.samples.count == format.samplesPerFrame else {
            throw LiveProtocolError("audio: \(name) frame \(frame) holds \(audio.samples.count) samples, "
                + "expected \(format.samplesPerFrame) (\(format.sampleRate) Hz × \(format.frameMs) ms)")
        }
        cutter.frameReceived(audio.samples, rows: &rows)
        progress.streams[audio.stream] = cutter
        progress.reachedUs = max(progress.reachedUs, timeUs + progress.frameUs)
    }

    /// A chunk of any length at the stream's rate, placed by `t_us` or appended at the stream's end.
    private static func acceptChunk(_ audio: LiveMessage.Audio, into progress: inout Progress, rows: inout [Row]) throws(LiveProtocolError) {
        let name = audio.stream.rawValue
        var cutter = progress.cutter(audio.stream)
        if progress.streams[audio.stream] != nil, !progress.chunked.contains(audio.stream) {
            throw LiveProtocolError("audio: the \(name) stream was sent as frames by index; keep to one form per stream "
                + "(next \(name) frame \(cutter.framesWritten))")
        }
        if let rate = audio.sampleRate, rate != cutter.inputRate {
            throw LiveProtocolError("audio: \(name) chunk says sample_rate \(rate), but the \(name) stream is at \(cutter.inputRate) Hz"
                + " (set it in hello's stream_rates)")
        }
        let most = cutter.inputRate * LiveMessage.maxChunkSeconds
        guard (1...most).contains(audio.samples.count) else {
            throw LiveProtocolError("audio: \(name) chunk holds \(audio.samples.count) samples; a chunk without \"frame\" holds "
                + "1 to \(most) (\(LiveMessage.maxChunkSeconds) s at \(cutter.inputRate) Hz)")
        }
        var start: Int64?
        if let timeUs = audio.timeUs {
            let endUs = cutter.endUs
            if timeUs < endUs - jitterUs {
                throw LiveProtocolError("audio: \(name) chunk at t_us \(timeUs) overlaps the stream, which already reaches "
                    + "\(endUs) µs (at most \(jitterUs) µs of jitter is absorbed)")
            }
            if timeUs > endUs + maxGapUs {
                throw LiveProtocolError("audio: \(name) chunk at t_us \(timeUs) leaves \(timeUs - endUs) µs of silence after the "
                    + "stream's end at \(endUs) µs (at most \(maxGapUs) µs)")
            }
            if timeUs > endUs { start = timeUs * Int64(progress.hello.format.sampleRate) / 1_000_000 }
        }
        cutter.chunkReceived(audio.samples, startSample: start, rows: &rows)
        progress.streams[audio.stream] = cutter
        progress.chunked.insert(audio.stream)
        progress.reachedUs = max(progress.reachedUs, cutter.endUs)
    }

    private static func accept(_ vad: LiveMessage.VAD, into progress: inout Progress, rows: inout [Row]) throws(LiveProtocolError) {
        guard let frame = vad.frame else {
            guard let timeUs = vad.timeUs else { preconditionFailure("the message parser requires frame or t_us") }
            var timeline: LiveVADTimeline
            switch progress.vad {
            case .none: timeline = LiveVADTimeline()
            case .byTime(let current): timeline = current
            case .byFrame(let next):
                throw LiveProtocolError("vad: this session's vad rows are given by frame (next frame \(next)); keep to one form")
            }
            try timeline.rowReceived(timeUs: timeUs, probability: vad.probability, speech: vad.speech)
            progress.vad = .byTime(timeline)
            progress.drainVAD(final: false, into: &rows)
            return
        }
        let expected: Int
        switch progress.vad {
        case .none: expected = 0
        case .byFrame(let next): expected = next
        case .byTime:
            throw LiveProtocolError("vad: this session's vad rows are given by t_us; keep to one form (frame \(frame) given)")
        }
        if frame != expected {
            let problem = frame > expected ? "skips frame\(frame - 1 == expected ? "" : "s") \(expected)"
                + (frame - 1 == expected ? "" : "…\(frame - 1)") : "is a duplicate or out of order"
            throw LiveProtocolError("vad: frame \(frame) \(problem) (the next vad frame is \(expected))")
        }
        let micFrames = progress.micFrames
        guard frame < micFrames else {
            throw LiveProtocolError("vad: frame \(frame) describes a mic frame not received yet "
                + "(\(micFrames) mic frames so far); send the mic frame first")
        }
        let timeUs = Int64(frame) * progress.frameUs
        if let sent = vad.timeUs, sent != timeUs {
            throw LiveProtocolError("vad: frame \(frame) has t_us \(sent), expected \(timeUs) (frame × frame_ms × 1000)")
        }
        progress.vad = .byFrame(next: expected + 1)
        rows.append(.vad(frame: frame, time: SimInstant(microseconds: timeUs), probability: vad.probability, speech: vad.speech))
    }

    /// Everything still held (events in the window, partial frames, the silence that brings chunked
    /// streams to the session's end, VAD rows by time), and the summary with `session.end` at `endUs`
    /// or the end of the longest stream, whichever is later.
    private func finish(_ progress: inout Progress, reason: String, endUs: Int64) -> LiveSessionFinish {
        var rows: [Row] = progress.events.releaseAll().map { .event($0) }
        for stream in AudioStream.sessionStreams {
            guard var cutter = progress.streams[stream] else { continue }
            cutter.finish(rows: &rows)
            progress.streams[stream] = cutter
        }
        let longest = AudioStream.sessionStreams.compactMap { progress.streams[$0]?.framesWritten }.max() ?? 0
        for stream in AudioStream.sessionStreams where progress.chunked.contains(stream) {
            guard var cutter = progress.streams[stream], cutter.framesWritten < longest else { continue }
            cutter.pad(toFrames: longest, rows: &rows)
            progress.streams[stream] = cutter
        }
        progress.drainVAD(final: true, into: &rows)
        var frames: [AudioStream: Int] = [:]
        for stream in AudioStream.sessionStreams { frames[stream] = progress.streams[stream]?.framesWritten ?? 0 }
        let streamsEndUs = Int64(longest) * progress.frameUs
        let data: JSONValue = [
            "reason": .string(reason), "frames": .int(Int64(frames[.mic] ?? 0)),
            "rejected_lines": .int(Int64(rejectedLines)),
        ]
        let endEvent = PipelineEvent(
            seq: progress.events.released, time: SimInstant(microseconds: max(endUs, streamsEndUs)), kind: .sessionEnd,
            turn: nil, data: data)
        let summary = LiveSessionSummary(
            reason: reason, sessionID: progress.hello.sessionID ?? "", events: Int(progress.events.released), frames: frames,
            vadRows: progress.vadRowsWritten, rejectedLines: rejectedLines, endEvent: endEvent)
        return LiveSessionFinish(rows: rows, summary: summary)
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

/// How a live session ends: the rows still held, then the summary (its `session.end` event last).
public struct LiveSessionFinish: Hashable, Sendable {
    /// Rows to write before `session.end`, in order.
    public var rows: [LiveSessionDecoder.Row]
    /// The session's summary.
    public var summary: LiveSessionSummary
}
