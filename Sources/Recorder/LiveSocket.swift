#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One non-blocking TCP socket (POSIX): a listener or an accepted connection. Closed in `deinit`.
///
/// Sends never raise SIGPIPE (a client that went away is an error return, not a dead recorder).
final class LiveSocket {
    /// What one `receive` found.
    enum Received {
        /// Bytes arrived (a prefix of the buffer).
        case bytes(Int)
        /// Nothing to read now.
        case wouldBlock
        /// The peer closed the connection (or it broke: `detail` says how).
        case closed(detail: String?)
    }

    /// The file descriptor.
    let descriptor: Int32
    /// The peer's `address:port` (accepted connections), or the bound address (listeners).
    let address: String

    private init(descriptor: Int32, address: String) {
        self.descriptor = descriptor
        self.address = address
    }

    deinit { close(descriptor) }

    /// A listening socket bound to `address` (port 0 picks a free port; `address` of the result
    /// names the port chosen).
    static func listen(on address: LiveListenAddress) throws -> LiveSocket {
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw ArchiveError.network(address: "\(address)", detail: "cannot open a socket: \(lastError)") }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = address.port.bigEndian
        socketAddress.sin_addr = address.ipv4
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, systemListen(fd) == 0 else {
            let detail = "cannot listen: \(lastError)"
            close(fd)
            throw ArchiveError.network(address: "\(address)", detail: detail)
        }
        let listener = LiveSocket(descriptor: fd, address: localAddress(of: fd) ?? "\(address)")
        listener.makeNonBlocking()
        return listener
    }

    /// Accepts one waiting connection, or returns nil when none is waiting.
    func accept() -> LiveSocket? {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemAccept(descriptor, $0, &length) }
        }
        guard fd >= 0 else { return nil }
        let connection = LiveSocket(descriptor: fd, address: Self.describe(peer))
        connection.makeNonBlocking()
        return connection
    }

    /// Reads what is available into `buffer`.
    func receive(into buffer: inout [UInt8]) -> Received {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .bytes(count) }
        if count == 0 { return .closed(detail: nil) }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wouldBlock }
        return .closed(detail: Self.lastError)
    }

    /// Sends as much of `bytes` as the socket takes now; returns how many, or nil when the
    /// connection is broken.
    func send(_ bytes: ArraySlice<UInt8>) -> Int? {
        let count = bytes.withUnsafeBytes { systemSend(descriptor, $0.baseAddress, $0.count, Self.sendFlags) }
        if count >= 0 { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
        return nil
    }

    /// Stops sending (the peer reads end-of-file after what was sent).
    func shutdownWrite() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    private func makeNonBlocking() {
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        #if canImport(Darwin)
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    private static func localAddress(of fd: Int32) -> String? {
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return status == 0 ? describe(local) : nil
    }

    /// `a.b.c.d:port`.
    private static func describe(_ address: sockaddr_in) -> String {
        var ip = address.sin_addr
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil else { return "?" }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(UInt16(bigEndian: address.sin_port))"
    }

    /// `strerror(errno)`.
    static var lastError: String { String(cString: strerror(errno)) }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif
}

// The socket calls whose names the type's own methods shadow.
private func systemListen(_ fd: Int32) -> Int32 { listen(fd, 16) }
private func systemAccept(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: inout socklen_t) -> Int32 {
    accept(fd, address, &length)
}
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}
