#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection of `record --listen`: its socket, the bytes of a line not yet complete,
/// the replies not yet sent, and the session it records.
///
/// Memory stays bounded whatever the client does: a line longer than the limit is dropped as it
/// streams in, and a client that stops reading its replies is dropped once they pass `maxReplyBytes`.
final class LiveConnection {
    /// The socket.
    let socket: LiveSocket
    /// The session this connection records.
    let recorder: LiveSessionRecorder
    /// Which numbered output (1, 2, …) the session writes.
    let sessionIndex: Int
    /// Replies waiting to be sent, at most.
    static let maxReplyBytes = 1 << 20
    /// When crosstalk started reading this connection (the hello timeout counts from here).
    let servingSince: ContinuousClock.Instant
    /// When the last complete line arrived (blank, rejected and oversized ones too), or
    /// `servingSince` before the first: the idle timeout counts from here.
    private(set) var lastLineAt: ContinuousClock.Instant

    private var lines: LiveLineBuffer
    private var outgoing: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The peer will send nothing more: it closed (or half-closed) the connection, or it broke.
    private(set) var peerClosed = false
    /// Replies can no longer be sent.
    private(set) var sendFailed = false
    /// Why the connection broke (nil for an orderly close).
    private(set) var closeDetail: String?

    /// Wraps an accepted socket that crosstalk starts serving at `now`.
    init(socket: LiveSocket, recorder: LiveSessionRecorder, sessionIndex: Int, maxLineBytes: Int, now: ContinuousClock.Instant) {
        self.socket = socket
        self.recorder = recorder
        self.sessionIndex = sessionIndex
        servingSince = now
        lastLineAt = now
        lines = LiveLineBuffer(maxLineBytes: maxLineBytes)
    }

    /// Whether replies are waiting to be sent.
    var hasPendingReplies: Bool { !outgoing.isEmpty }
    /// Whether the client has left more replies unread than the limit allows.
    var isOverflowing: Bool { outgoing.count > Self.maxReplyBytes }

    /// Reads what arrived (at `now`) and handles every complete line (nothing after the session
    /// ended); returns what became of each line. Throws the recorder's operating errors.
    func readAvailable(now: ContinuousClock.Instant) throws -> [LiveSessionRecorder.Outcome] {
        var items: [LiveLineBuffer.Item] = []
        switch socket.receive(into: &readBuffer) {
        case .wouldBlock:
            return []
        case .bytes(let count):
            items = lines.append(readBuffer[0..<count])
        case .closed(let detail):
            peerClosed = true
            closeDetail = detail
            // A last line without its `\n` still counts.
            if let last = lines.finish() { items = [last] }
        }
        if !items.isEmpty { lastLineAt = now }
        var outcomes: [LiveSessionRecorder.Outcome] = []
        for item in items where !recorder.hasEnded {
            let outcome: LiveSessionRecorder.Outcome
            switch item {
            case .line(let bytes): outcome = try recorder.lineReceived(bytes)
            case .oversized: outcome = recorder.oversizedLineReceived(maxLineBytes: lines.maxLineBytes)
            }
            if let reply = outcome.reply { queue(reply) }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Queues one reply line.
    func queue(_ reply: String) {
        outgoing.append(contentsOf: reply.utf8)
        outgoing.append(0x0A)
    }

    /// Sends what the socket takes now; notes when the connection can no longer send.
    func flush() {
        guard !outgoing.isEmpty, !sendFailed else { return }
        guard let sent = socket.send(outgoing[...]) else {
            sendFailed = true
            closeDetail = "cannot send: \(LiveSocket.lastError)"
            return
        }
        outgoing.removeFirst(sent)
    }

    /// Sends the waiting replies, waiting up to `timeoutMs` for the client to take them, then
    /// closes the sending side so the client reads end-of-file.
    func flushAndShutdown(timeoutMs: Int) {
        var waited = 0
        while !outgoing.isEmpty, !sendFailed, waited < timeoutMs {
            flush()
            guard !outgoing.isEmpty, !sendFailed else { break }
            var descriptor = pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 50)
            waited += 50
        }
        socket.shutdownWrite()
    }
}
