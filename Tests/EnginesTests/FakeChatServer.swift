import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 speaking OpenAI's streaming chat completions the way
/// llama.cpp's and OpenAI's servers do: `text/event-stream`, chunked (or close-delimited) body,
/// `data: {json}` events, `data: [DONE]`. Each connection plays a script of writes and pauses;
/// during a pause the server watches the socket, so it records when the client closes it.
final class FakeChatServer: @unchecked Sendable {
    /// One step of a response body.
    enum Step {
        /// Write these bytes (one chunk of a chunked body).
        case send([UInt8])
        /// Wait this long, watching for the client closing the connection.
        case pause(milliseconds: Int)
    }

    /// How a response is framed and what it says.
    struct Script {
        var status = 200
        var contentType = "text/event-stream"
        /// Chunked transfer encoding (llama.cpp, OpenAI) or a body delimited by closing the connection.
        var chunked = true
        /// A stall before the response head (a server that accepted but does not answer).
        var pauseBeforeHeadMs = 0
        var steps: [Step] = []
    }

    /// What the server saw of one request.
    struct Record {
        var requestHead = ""
        var requestBody = ""
        /// Steps written or waited out before the response ended.
        var stepsDone = 0
        /// The client closed the connection before the script was done.
        var closedByClient = false
        /// When the server noticed that close.
        var closedAt: Date?
        /// The script ran to its end.
        var completed = false
    }

    let port: Int
    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var records: [Record] = []
    private var finishedRequests = 0
    private var stopped = false
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    /// Starts listening on an ephemeral port; every connection plays `script`.
    init(script: Script) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The base URL a client uses (`http://127.0.0.1:PORT/v1`).
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Stops accepting connections; returns once the port is closed. Idempotent.
    func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        // Wakes `accept`; the accept loop closes the descriptor itself, so its number cannot be
        // reused by another server while this loop might still accept on it.
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopEnded.wait()
    }

    /// The requests seen so far.
    var requests: [Record] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }

    /// Waits up to `timeout` seconds for `count` responses to end; returns the records.
    func awaitFinished(_ count: Int = 1, timeout: Double = 10) -> [Record] {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            lock.lock()
            let done = finishedRequests >= count
            lock.unlock()
            if done { break }
            usleep(10_000)
        }
        return requests
    }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopEnded.signal()
        }
        while true {
            let connection = accept(listener, nil, nil)
            lock.lock()
            let ended = stopped
            lock.unlock()
            if ended, connection >= 0 { close(connection) }
            if connection < 0, errno == EINTR || errno == ECONNABORTED, !ended { continue }
            if ended || connection < 0 { return }
            // Small writes leave at once, so a split in the script is a split on the wire.
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func update(_ index: Int, _ change: (inout Record) -> Void) {
        lock.lock()
        change(&records[index])
        lock.unlock()
    }

    private func markClosed(_ index: Int) {
        update(index) {
            $0.closedByClient = true
            $0.closedAt = Date()
        }
    }

    /// Serves requests on one connection until it ends (keep-alive after a complete chunked reply).
    private func serve(_ fd: Int32) {
        defer { close(fd) }
        while let (head, body) = readRequest(fd) {
            lock.lock()
            let index = records.count
            records.append(Record(requestHead: head, requestBody: body))
            lock.unlock()
            let reusable = play(fd, index: index)
            lock.lock()
            finishedRequests += 1
            lock.unlock()
            if !reusable { return }
        }
    }

    /// Writes the scripted response; returns whether the connection can serve another request.
    private func play(_ fd: Int32, index: Int) -> Bool {
        if script.pauseBeforeHeadMs > 0, clientClosed(fd, within: script.pauseBeforeHeadMs) {
            markClosed(index)
            return false
        }
        var header = "HTTP/1.1 \(script.status) \(script.status == 200 ? "OK" : "Error")\r\n"
        header += "Content-Type: \(script.contentType)\r\nCache-Control: no-cache\r\n"
        header += script.chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Connection: close\r\n\r\n"
        guard write(fd, Array(header.utf8)) else { return false }
        for step in script.steps {
            switch step {
            case .send(let bytes):
                let framed = script.chunked
                    ? Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8)
                    : bytes
                guard write(fd, framed) else {
                    markClosed(index)
                    return false
                }
            case .pause(let milliseconds):
                if clientClosed(fd, within: milliseconds) {
                    markClosed(index)
                    return false
                }
            }
            update(index) { $0.stepsDone += 1 }
        }
        update(index) { $0.completed = true }
        return script.chunked && write(fd, Array("0\r\n\r\n".utf8))
    }

    /// Reads the request head and its `Content-Length` body.
    private func readRequest(_ fd: Int32) -> (String, String)? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = find(separator, in: bytes) {
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                var body = Array(bytes[(end + 4)...])
                while body.count < length {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n <= 0 { return nil }
                    body += buffer[..<n]
                }
                return (head, String(decoding: body, as: UTF8.self))
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return nil }
            bytes += buffer[..<n]
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Waits `milliseconds`; true as soon as the client closes (or resets) the connection.
    private func clientClosed(_ fd: Int32, within milliseconds: Int) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1000)
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            let remaining = Int32((left * 1000).rounded(.up))
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, remaining)
            if ready > 0 {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return true }
            }
        }
    }
}

extension FakeChatServer {
    /// One SSE event: `data: <payload>` and a blank line, with `lineEnd` (LF or CRLF).
    static func event(_ payload: String, lineEnd: String = "\n") -> [UInt8] {
        Array("data: \(payload)\(lineEnd)\(lineEnd)".utf8)
    }

    /// The chunk JSON llama.cpp and OpenAI send for one content delta.
    static func contentChunk(_ text: String) -> String {
        let escaped = String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        return #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"#
            + escaped + #"},"finish_reason":null}]}"#
    }

    /// A complete reply: a role-only delta, each token after its pause, a `finish_reason` chunk,
    /// `[DONE]`; `delays[i]` is the pause before token i (the last delay applies to the rest).
    static func reply(_ tokens: [String], delays: [Int], lineEnd: String = "\n") -> [Step] {
        var steps: [Step] = [
            .send(event(#"{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#, lineEnd: lineEnd)),
        ]
        for (i, token) in tokens.enumerated() {
            let delay = delays.isEmpty ? 0 : delays[min(i, delays.count - 1)]
            if delay > 0 { steps.append(.pause(milliseconds: delay)) }
            steps.append(.send(event(contentChunk(token), lineEnd: lineEnd)))
        }
        steps.append(.send(event(#"{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#, lineEnd: lineEnd)))
        steps.append(.send(event("[DONE]", lineEnd: lineEnd)))
        return steps
    }
}
