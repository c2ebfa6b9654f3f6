#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `crosstalk record --listen`: accepts TCP connections from a running voice pipeline and records
/// each session it streams (JSON lines, `docs/record-protocol.md`) into an archive.
///
/// One client at a time, on one thread with `poll`: a connection that arrives while another client
/// is connected is told the recorder is busy and closed. The first session is written to `output`, later ones
/// (without `once`) to `OUT-2.ctk`, `OUT-3.ctk`, … A session ends with the client's `end`, when the
/// connection closes (everything received is kept), or when `shouldStop` turns true (Ctrl-C);
/// each way the archive is finished and ends with a `session.end` event saying which.
public final class LiveRecordingServer {
    /// What to record, and where.
    public struct Options: Sendable {
        /// The first session's archive; later ones are numbered beside it.
        public var output: String
        /// Replace existing archives.
        public var overwrite: Bool
        /// Stop after the first session.
        public var once: Bool
        /// The longest line accepted, in bytes.
        public var maxLineBytes: Int

        /// Options for recording into `output`.
        public init(output: String, overwrite: Bool = false, once: Bool = false, maxLineBytes: Int = 1 << 20) {
            self.output = output
            self.overwrite = overwrite
            self.once = once
            self.maxLineBytes = maxLineBytes
        }
    }

    /// How the server reports what happens.
    public struct Observer {
        /// A status line for people (connections, sessions, rejected lines).
        public var log: (String) -> Void
        /// A session ended and its archive is finished.
        public var sessionFinished: (_ path: String, _ summary: LiveSessionSummary) -> Void

        /// An observer calling `log` and `sessionFinished`.
        public init(log: @escaping (String) -> Void, sessionFinished: @escaping (String, LiveSessionSummary) -> Void) {
            self.log = log
            self.sessionFinished = sessionFinished
        }
    }

    /// The address actually listened on (`127.0.0.1:54321` when port 0 was asked for).
    public var address: String { listener.address }
    /// The options.
    public let options: Options

    private let listener: LiveSocket
    private var connection: LiveConnection?
    private var nextSessionIndex = 1
    private var sessionsRecorded = 0
    /// Rejected lines shown per connection before the rest are only counted.
    private static let rejectionsShown = 20
    /// How long a quiet connection waits before what it sent is committed (and how often
    /// `shouldStop` is looked at).
    private static let idleMs: Int32 = 200

    /// Binds and listens on `address`; throws `ArchiveError.network` when that fails.
    public init(listen address: LiveListenAddress, options: Options) throws {
        self.options = options
        listener = try LiveSocket.listen(on: address)
    }

    /// The archive path of session `index` (1-based): `output` itself, then `NAME-2.EXT`, `NAME-3.EXT`, …
    public static func outputPath(_ output: String, session index: Int) -> String {
        guard index > 1 else { return output }
        let url = URL(fileURLWithPath: output)
        let ext = url.pathExtension
        let stem = ext.isEmpty ? output : String(output.dropLast(ext.count + 1))
        return ext.isEmpty ? "\(stem)-\(index)" : "\(stem)-\(index).\(ext)"
    }

    /// Serves until the first session ends (`once`) or `shouldStop` returns true; returns how many
    /// sessions were recorded. Throws on an operating error (an archive cannot be written, the
    /// socket fails); the session in progress keeps everything committed before it.
    public func run(observer: Observer, shouldStop: () -> Bool) throws -> Int {
        while true {
            if shouldStop() {
                if let connection { try close(connection, reason: "interrupted", observer: observer) }
                return sessionsRecorded
            }
            var descriptors = [pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)]
            if let connection {
                let events = Int16(POLLIN) | (connection.hasPendingReplies ? Int16(POLLOUT) : 0)
                descriptors.append(pollfd(fd: connection.socket.descriptor, events: events, revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Self.idleMs)
            if ready < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.network(address: address, detail: "poll failed: \(LiveSocket.lastError)")
            }
            if let connection, descriptors.count > 1 {
                try serve(connection, revents: descriptors[1].revents, observer: observer)
                if options.once, sessionsRecorded > 0 { return sessionsRecorded }
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 { acceptWaiting(observer: observer) }
        }
    }

    /// Reads, replies, commits, and closes the connection when its session is over.
    private func serve(_ connection: LiveConnection, revents: Int16, observer: Observer) throws {
        let readable = revents & Int16(POLLIN | POLLHUP | POLLERR) != 0
        if readable {
            let outcomes: [LiveSessionRecorder.Outcome]
            do {
                outcomes = try connection.readAvailable()
            } catch {
                fail(connection, error)
                throw error
            }
            for outcome in outcomes { report(outcome, connection: connection, observer: observer) }
        }
        do {
            try connection.recorder.commitIfDue(idle: !readable)
        } catch {
            fail(connection, error)
            throw error
        }
        connection.flush()
        if connection.recorder.hasEnded {
            finished(connection, observer: observer)
        } else if connection.peerClosed || connection.sendFailed {
            let detail = connection.closeDetail.map { " (\($0))" } ?? ""
            if connection.recorder.hasSession {
                observer.log("\(connection.socket.address): disconnected without end\(detail); "
                    + "finishing \(connection.recorder.path) with everything received")
            } else {
                observer.log("\(connection.socket.address): closed before a hello\(detail); nothing recorded")
            }
            try close(connection, reason: "disconnected", observer: observer)
        } else if connection.isOverflowing {
            observer.log("\(connection.socket.address): the client is not reading its replies; dropping it")
            try close(connection, reason: "dropped", observer: observer)
        }
    }

    /// Ends the connection's session (if one is open) with `reason` and closes it.
    private func close(_ connection: LiveConnection, reason: String, observer: Observer) throws {
        do {
            _ = try connection.recorder.stop(reason: reason)
        } catch {
            fail(connection, error)
            throw error
        }
        if connection.recorder.hasEnded {
            finished(connection, observer: observer)
        } else {
            connection.flushAndShutdown(timeoutMs: 500)
            self.connection = nil
        }
    }

    /// The session is over and its archive finished: send the last replies and let go.
    private func finished(_ connection: LiveConnection, observer: Observer) {
        connection.flushAndShutdown(timeoutMs: 2000)
        self.connection = nil
        sessionsRecorded += 1
        nextSessionIndex = connection.sessionIndex + 1
        if let summary = connection.recorder.summary {
            observer.sessionFinished(connection.recorder.path, summary)
        }
    }

    /// An operating error: tell the client (best effort) before the error ends the command.
    private func fail(_ connection: LiveConnection, _ error: any Error) {
        connection.queue(LiveProtocolError(line: connection.recorder.linesReceived, "recorder failed: \(error)").replyLine)
        connection.flushAndShutdown(timeoutMs: 500)
        self.connection = nil
    }

    private func report(_ outcome: LiveSessionRecorder.Outcome, connection: LiveConnection, observer: Observer) {
        switch outcome {
        case .opened(let hello, _):
            let name = hello.name.map { " '\($0)'" } ?? ""
            observer.log("\(connection.socket.address): session \(hello.sessionID ?? "?")\(name) → \(connection.recorder.path) "
                + "(\(hello.format.sampleRate) Hz, \(hello.format.frameMs) ms frames, \(hello.codec))")
        case .rejected(let error):
            let rejected = connection.recorder.rejectedLines
            if rejected <= Self.rejectionsShown {
                observer.log("\(connection.socket.address): rejected \(error)")
            }
            if rejected == Self.rejectionsShown {
                observer.log("\(connection.socket.address): further rejected lines are only counted")
            }
        case .skipped, .recorded, .finished:
            break
        }
    }

    /// Accepts every waiting connection: the first becomes the session's, the rest are told the
    /// recorder is busy.
    private func acceptWaiting(observer: Observer) {
        while let socket = listener.accept() {
            if let current = connection {
                let busy = LiveProtocolError("busy: crosstalk is recording \(current.socket.address); one client at a time")
                _ = socket.send(Array((busy.replyLine + "\n").utf8)[...])
                socket.shutdownWrite()
                observer.log("\(socket.address): refused, busy with \(current.socket.address)")
                continue
            }
            let (path, index) = nextOutputPath()
            let recorder = LiveSessionRecorder(
                path: path, overwrite: options.overwrite, sessionID: LiveSessionRecorder.randomSessionID(),
                peer: socket.address)
            connection = LiveConnection(socket: socket, recorder: recorder, sessionIndex: index, maxLineBytes: options.maxLineBytes)
            observer.log("\(socket.address): connected")
        }
    }

    /// The path the next session writes: the next numbered one that does not exist yet (unless
    /// overwriting). The first is `output` itself, whose existence the writer refuses.
    private func nextOutputPath() -> (String, Int) {
        var index = nextSessionIndex
        while index > 1, !options.overwrite, FileManager.default.fileExists(atPath: Self.outputPath(options.output, session: index)) {
            index += 1
        }
        return (Self.outputPath(options.output, session: index), index)
    }
}
