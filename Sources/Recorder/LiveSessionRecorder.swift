import Core
import Foundation

/// Records one live session from protocol lines into an archive: `LiveSessionDecoder` decides,
/// this carries its actions out on a `SessionArchiveWriter`.
///
/// The archive is created at the hello (its format comes from there), written as lines arrive,
/// and committed at least once per second of session time received, once per second of wall
/// time, and whenever the connection goes idle: a recorder killed at any moment leaves an
/// archive that opens and holds everything up to its last commit. A rejected line writes nothing.
///
/// Operating errors (the archive cannot be created or written) are thrown as `ArchiveError`;
/// protocol errors are replies.
public final class LiveSessionRecorder {
    /// What became of one line.
    public enum Outcome: Hashable, Sendable {
        /// A blank line: nothing happens.
        case skipped
        /// The hello opened the archive; `reply` acknowledges it.
        case opened(LiveMessage.Hello, reply: String)
        /// One row was recorded (no reply).
        case recorded
        /// The line was rejected; reply with the error's `replyLine`.
        case rejected(LiveProtocolError)
        /// The session ended and the archive is finished; `reply` carries the summary.
        case finished(LiveSessionSummary, reply: String)

        /// The line to send back, if any.
        public var reply: String? {
            switch self {
            case .skipped, .recorded: return nil
            case .opened(_, let reply), .finished(_, let reply): return reply
            case .rejected(let error): return error.replyLine
            }
        }
    }

    /// The archive this session is written to.
    public let path: String
    /// The session time received between two commits, at most.
    public static let commitInterval = SimDuration.milliseconds(1000)
    /// The wall time between two commits while rows arrive, at most.
    public static let wallCommitInterval = Duration.seconds(1)

    private let overwrite: Bool
    private let peer: String?
    private var decoder: LiveSessionDecoder
    private var writer: SessionArchiveWriter?
    private var rowsSinceCommit = 0
    /// One silent frame, reused for the gaps a chunked stream leaves.
    private var silentFrame: [Int16] = []
    private var lastCommitTime = SimInstant.zero
    private var lastCommitWall: ContinuousClock.Instant
    private let now: () -> ContinuousClock.Instant
    /// The summary, once the session has ended and the archive is finished.
    public private(set) var summary: LiveSessionSummary?

    /// A recorder for one connection that will write `path` when a hello arrives.
    ///
    /// - Parameters:
    ///   - overwrite: replace an existing file at `path`; otherwise the hello fails with `ArchiveError.exists`.
    ///   - sessionID: the session id used when the hello names none.
    ///   - peer: the client's address, stored as meta `peer`.
    ///   - now: the wall clock that paces commits (tests pass one they move by hand).
    public init(
        path: String, overwrite: Bool, sessionID: String, peer: String? = nil,
        now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.path = path
        self.overwrite = overwrite
        self.peer = peer
        self.now = now
        lastCommitWall = now()
        decoder = LiveSessionDecoder(defaultSessionID: sessionID)
    }

    /// Whether a hello opened the archive.
    public var hasSession: Bool { writer != nil }
    /// Whether the session is over (ended by the client or stopped) and the archive finished.
    public var hasEnded: Bool { summary != nil }
    /// Lines received so far on this connection.
    public var linesReceived: Int { decoder.linesReceived }
    /// Lines rejected so far on this connection.
    public var rejectedLines: Int { decoder.rejectedLines }

    /// A session id for a session whose hello names none: `live-` and 16 random hex digits.
    public static func randomSessionID() -> String {
        "live-" + String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
    }

    /// Handles one line (without its `\n`).
    public func lineReceived(_ line: [UInt8]) throws -> Outcome {
        guard let action = decoder.lineReceived(line) else { return .skipped }
        return try carryOut(action)
    }

    /// Handles a line that was longer than `maxLineBytes` (rejected unread).
    public func oversizedLineReceived(maxLineBytes: Int) -> Outcome {
        guard case .reject(let error) = decoder.oversizedLineReceived(maxLineBytes: maxLineBytes) else {
            preconditionFailure("an oversized line is always rejected")
        }
        return .rejected(error)
    }

    /// Ends the session without an `end` message (the connection closed, or the recorder stops):
    /// records `session.end` with `reason` and finishes the archive. Nil when no session is open.
    public func stop(reason: String) throws -> LiveSessionSummary? {
        guard writer != nil, let finish = decoder.connectionClosed(reason: reason) else { return nil }
        try self.finish(finish)
        return finish.summary
    }

    /// Commits what arrived since the last commit when a second of session or wall time has
    /// passed, or at once when `idle` (the connection has nothing more to read for now).
    /// Does nothing once the session has ended: finishing the archive committed everything (an
    /// `end` read together with uncommitted rows used to trap here when finishing took a second).
    public func commitIfDue(idle: Bool) throws {
        guard let writer, !hasEnded, rowsSinceCommit > 0 else { return }
        let received = decoder.receivedTime
        let wall = now()
        guard idle || received - lastCommitTime >= Self.commitInterval || wall - lastCommitWall >= Self.wallCommitInterval
        else { return }
        try writer.checkpoint(at: received)
        rowsSinceCommit = 0
        lastCommitTime = received
        lastCommitWall = now()
    }

    private func carryOut(_ action: LiveSessionDecoder.Action) throws -> Outcome {
        switch action {
        case .reject(let error):
            return .rejected(error)
        case .openArchive(let hello):
            try open(hello)
            return .opened(hello, reply: helloReply(hello))
        case .record(let rows):
            guard writer != nil else { preconditionFailure("a row before the archive was opened") }
            guard !rows.isEmpty else { return .recorded }
            write(rows)
            try commitIfDue(idle: false)
            return .recorded
        case .finishArchive(let finish):
            try self.finish(finish)
            return .finished(finish.summary, reply: finish.summary.replyLine(archive: path))
        }
    }

    /// Hands `rows` to the writer, silence and VAD spans one frame at a time.
    private func write(_ rows: [LiveSessionDecoder.Row]) {
        guard let writer else { preconditionFailure("a row before the archive was opened") }
        for row in rows {
            switch row {
            case .event(let event):
                writer.record(event: event)
            case .frame(let stream, let frame, let time, let samples):
                writer.record(stream: stream, frame: frame, time: time, samples: samples, packet: nil)
            case .silence(let stream, let first, let count):
                let frameUs = Int64(writer.format.frameMs) * 1000
                if silentFrame.count != writer.format.samplesPerFrame {
                    silentFrame = [Int16](repeating: 0, count: writer.format.samplesPerFrame)
                }
                for frame in first..<(first + count) {
                    writer.record(stream: stream, frame: frame, time: SimInstant(microseconds: Int64(frame) * frameUs),
                                  samples: silentFrame, packet: nil)
                }
            case .vad(let frame, let time, let probability, let speech):
                writer.record(vadFrame: frame, time: time, probability: probability, speech: speech)
            case .vadSpan(let first, let count, let frameUs, let probability, let speech):
                for frame in first..<(first + count) {
                    writer.record(vadFrame: frame, time: SimInstant(microseconds: Int64(frame) * frameUs),
                                  probability: probability, speech: speech)
                }
            }
        }
        rowsSinceCommit += rows.count
    }

    private func open(_ hello: LiveMessage.Hello) throws {
        var audio = Scenario.Audio()
        audio.sampleRate = hello.format.sampleRate
        audio.frameMs = hello.format.frameMs
        audio.codec = hello.codec
        writer = try SessionArchiveWriter(
            path: path, meta: meta(hello), format: hello.format, packetCodec: hello.codec, overwrite: overwrite,
            makeCodec: SimulationRecorder.codecFactory(for: audio))
        lastCommitWall = now()
    }

    private func finish(_ finish: LiveSessionFinish) throws {
        guard let writer else { preconditionFailure("finishing a session whose archive was never opened") }
        write(finish.rows)
        let summary = finish.summary
        writer.record(event: summary.endEvent)
        try writer.finish()
        rowsSinceCommit = 0
        self.summary = summary
    }

    /// The archive's meta rows for this session.
    private func meta(_ hello: LiveMessage.Hello) -> [String: String] {
        guard let sessionID = hello.sessionID else {
            preconditionFailure("the decoder fills in the session id of every hello it accepts")
        }
        var meta = [
            "source": "live",
            "created_by": "crosstalk \(CrosstalkVersion.current) record --listen",
            "session_id": sessionID,
            "started_at": ISO8601DateFormatter().string(from: Date()),
        ]
        if let name = hello.name { meta["scenario_name"] = name }
        if let client = hello.client { meta["client"] = client }
        if let config = hello.config { meta["config"] = config.canonicalText }
        if let settings = hello.settings { meta["recorded_settings"] = settings.canonicalText }
        if !hello.streamRates.isEmpty {
            let rates = hello.streamRates.map { ($0.key.rawValue, JSONValue.int(Int64($0.value))) }
            meta["stream_rates"] = JSONValue.object(Dictionary(uniqueKeysWithValues: rates)).canonicalText
        }
        if let peer { meta["peer"] = peer }
        return meta
    }

    private func helloReply(_ hello: LiveMessage.Hello) -> String {
        JSONValue.object([
            "ok": true, "type": "hello", "session_id": .string(hello.sessionID ?? ""), "archive": .string(path),
            "codec": .string(hello.codec), "samples_per_frame": .int(Int64(hello.format.samplesPerFrame)),
        ]).canonicalText
    }
}
