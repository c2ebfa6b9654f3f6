#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `record --listen` accepts connections: an IPv4 address and a TCP port (`127.0.0.1:7070`;
/// `localhost` means 127.0.0.1; port 0 lets the system pick a free one).
public struct LiveListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host as written (dotted IPv4, or `localhost`).
    public var host: String
    /// The TCP port (0: any free port).
    public var port: UInt16

    /// Parses `HOST:PORT`; throws `ArchiveError.network` saying what is wrong.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw ArchiveError.network(address: text, detail: "expected HOST:PORT, e.g. 127.0.0.1:7070")
        }
        let host = String(text[..<colon]), portText = String(text[text.index(after: colon)...])
        guard let port = UInt16(portText) else {
            throw ArchiveError.network(address: text, detail: "port '\(portText)' is not a number in 0…65535")
        }
        guard Self.parseIPv4(host == "localhost" ? "127.0.0.1" : host) != nil else {
            throw ArchiveError.network(
                address: text, detail: "'\(host)' is not an IPv4 address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)")
        }
        self.host = host
        self.port = port
    }

    /// `host:port`.
    public var description: String { "\(host):\(port)" }

    /// Whether this is the wildcard address (`0.0.0.0`): every interface, so any machine that can
    /// reach this one may connect (and the recorder has no authentication).
    public var isEveryInterface: Bool { ipv4.s_addr == INADDR_ANY }

    /// The address in network byte order.
    var ipv4: in_addr {
        guard let address = Self.parseIPv4(host == "localhost" ? "127.0.0.1" : host) else {
            preconditionFailure("\(host) was checked when the address was parsed")
        }
        return address
    }

    private static func parseIPv4(_ text: String) -> in_addr? {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1 ? address : nil
    }
}
