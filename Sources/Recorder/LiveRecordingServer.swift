#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `crosstalk record --listen`: accepts TCP connections from a running voice pipeline and records
/// each session it streams (JSON lines, `docs/record-protocol.md`) into an archive.
///
/// One client at a time, on one thread with `poll`. A connection that arrives while another client
/// is being served waits, unread, for that session to end (so a pipeline that reconnects right
/// after its `end` is served as soon as the previous archive is finished), and is told the recorder
/// is busy if it is still going after the hello timeout. The first session is written to `output`,
/// later ones (without `once`) to `OUT-2.ctk`, `OUT-3.ctk`, … A session ends with the client's
/// `end`, when the connection closes (everything received is kept), when it has been quiet for the
/// idle timeout, or when `shouldStop` turns true (Ctrl-C); each way the archive is finished and ends
/// with a `session.end` event saying which. A connection that sends no valid hello within the hello
/// timeout is closed: an idle or slow client cannot hold the recorder.
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
        /// The longest a connection may take from being served to a valid hello (also how long a
        /// connection waits for the session in progress before it is told the recorder is busy).
        public var helloTimeout: Duration
        /// The longest a session may go without a complete line before it is finished.
        public var idleTimeout: Duration

        /// Options for recording into `output`.
        public init(
            output: String, overwrite: Bool = false, once: Bool = false, maxLineBytes: Int = 1 << 20,
            helloTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60)
        ) {
            self.output = output
            self.overwrite = overwrite
            self.once = once
            self.maxLineBytes = maxLineBytes
            self.helloTimeout = helloTimeout
            self.idleTimeout = idleTimeout
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

    /// A connection accepted while another was being served, not read yet.
    private struct WaitingClient {
        var socket: LiveSocket
        var since: ContinuousClock.Instant
    }

    private let listener: LiveSocket
    private let now: () -> ContinuousClock.Instant
    private var connection: LiveConnection?
    private var waiting: [WaitingClient] = []
    private var nextSessionIndex = 1
    private var sessionsRecorded = 0
    /// Rejected lines shown per connection before the rest are only counted.
    private static let rejectionsShown = 20
    /// Connections that may wait for the session in progress; more are told busy at once.
    private static let maxWaiting = 8
    /// How long a quiet connection waits before what it sent is committed (and how often
    /// `shouldStop` and the timeouts are looked at).
    private static let idleMs: Int32 = 200

    /// Binds and listens on `address`; throws `ArchiveError.network` when that fails.
    /// `now` is the wall clock of the timeouts and commits (tests pass one they move by hand).
    public init(
        listen address: LiveListenAddress, options: Options,
        now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws {
        self.options = options
        self.now = now
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

    /// `10 s`, `1.5 s`: a timeout as the messages give it.
    static func secondsText(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%g s", Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Serves until the first session ends (`once`) or `shouldStop` returns true; returns how many
    /// sessions were recorded. Throws on an operating error (an archive cannot be written, the
    /// socket fails); the session in progress keeps everything committed before it.
    public func run(observer: Observer, shouldStop: () -> Bool) throws -> Int {
        defer { refuseWaiting("crosstalk record has stopped; this connection was not served", observer: observer) }
        while true {
            if shouldStop() {
                if let connection { try close(connection, reason: "interrupted", observer: observer) }
                return sessionsRecorded
            }
            try enforceTimeouts(observer: observer)
            if options.once, sessionsRecorded > 0 { return sessionsRecorded }
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
                outcomes = try connection.readAvailable(now: now())
            } catch {
                fail(connection, error)
                throw error
            }
            for outcome in outcomes { report(outcome, connection: connection, observer: observer) }
        }
        if connection.recorder.hasEnded {
            // `end` was read: the archive is finished and safe; the next client can be served.
            connection.flush()
            finished(connection, observer: observer)
            return
        }
        do {
            try connection.recorder.commitIfDue(idle: !readable)
        } catch {
            fail(connection, error)
            throw error
        }
        connection.flush()
        if connection.peerClosed || connection.sendFailed {
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

    /// Closes a connection that sent no valid hello within the hello timeout, finishes a session
    /// that has been quiet for the idle timeout, then serves the next waiting client (or tells
    /// those that waited too long that the recorder is busy).
    private func enforceTimeouts(observer: Observer) throws {
        let now = now()
        if let connection {
            let address = connection.socket.address
            if !connection.recorder.hasSession, now - connection.servingSince >= options.helloTimeout {
                let limit = Self.secondsText(options.helloTimeout)
                observer.log("\(address): no valid hello within \(limit); closing it (nothing recorded)")
                try close(connection, reason: "hello_timeout",
                          farewell: "hello timeout: no valid hello within \(limit) of connecting; closing", observer: observer)
            } else if connection.recorder.hasSession, now - connection.lastLineAt >= options.idleTimeout {
                let limit = Self.secondsText(options.idleTimeout), path = connection.recorder.path
                observer.log("\(address): no complete line for \(limit); finishing \(path) with everything received")
                try close(connection, reason: "idle_timeout",
                          farewell: "idle timeout: no complete line for \(limit); the session was finished and kept in \(path)",
                          observer: observer)
            }
        }
        serveNextWaiting(observer: observer)
        guard let current = connection else { return }
        while let first = waiting.first, now - first.since >= options.helloTimeout {
            waiting.removeFirst()
            refuse(first.socket, busyWith: current, observer: observer)
        }
    }

    /// Ends the connection's session (if one is open) with `reason` and closes it; `farewell`, if
    /// given, is sent first as an error line (`line` 0: it concerns no line).
    private func close(_ connection: LiveConnection, reason: String, farewell: String? = nil, observer: Observer) throws {
        do {
            _ = try connection.recorder.stop(reason: reason)
        } catch {
            fail(connection, error)
            throw error
        }
        if let farewell { connection.queue(LiveProtocolError(farewell).replyLine) }
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

    /// Accepts every waiting connection: the first is served at once when no one else is; the
    /// others wait their turn (up to `maxWaiting`, and at once told busy when the session in
    /// progress can never be followed: `once` with a hello already accepted).
    private func acceptWaiting(observer: Observer) {
        serveNextWaiting(observer: observer)  // those that waited go first
        while let socket = listener.accept() {
            guard let current = connection else {
                startServing(socket, observer: observer)
                continue
            }
            if waiting.count >= Self.maxWaiting || (options.once && current.recorder.hasSession) {
                refuse(socket, busyWith: current, observer: observer)
                continue
            }
            waiting.append(WaitingClient(socket: socket, since: now()))
            observer.log("\(socket.address): connected; waiting for \(current.socket.address) to finish (one client at a time)")
        }
    }

    /// When no one is being served, serves the connection that has waited longest.
    private func serveNextWaiting(observer: Observer) {
        guard connection == nil, !waiting.isEmpty, !(options.once && sessionsRecorded > 0) else { return }
        startServing(waiting.removeFirst().socket, afterWaiting: true, observer: observer)
    }

    /// Serves `socket` from now on, as the next session.
    private func startServing(_ socket: LiveSocket, afterWaiting: Bool = false, observer: Observer) {
        let (path, index) = nextOutputPath()
        let recorder = LiveSessionRecorder(
            path: path, overwrite: options.overwrite, sessionID: LiveSessionRecorder.randomSessionID(),
            peer: socket.address, now: now)
        connection = LiveConnection(
            socket: socket, recorder: recorder, sessionIndex: index, maxLineBytes: options.maxLineBytes, now: now())
        observer.log("\(socket.address): " + (afterWaiting ? "its turn: served now" : "connected"))
    }

    /// Tells `socket` the recorder is busy with `current`, and closes it.
    private func refuse(_ socket: LiveSocket, busyWith current: LiveConnection, observer: Observer) {
        let busy = LiveProtocolError("busy: crosstalk is recording \(current.socket.address); one client at a time")
        _ = socket.send(Array((busy.replyLine + "\n").utf8)[...])
        socket.shutdownWrite()
        observer.log("\(socket.address): refused, busy with \(current.socket.address)")
    }

    /// Tells every waiting connection why it will not be served, and closes it.
    private func refuseWaiting(_ message: String, observer: Observer) {
        for client in waiting {
            _ = client.socket.send(Array((LiveProtocolError(message).replyLine + "\n").utf8)[...])
            client.socket.shutdownWrite()
            observer.log("\(client.socket.address): not served, crosstalk record stopped")
        }
        waiting.removeAll()
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
