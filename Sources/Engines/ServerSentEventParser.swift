/// One event of a `text/event-stream` body.
public struct ServerSentEvent: Hashable, Sendable {
    /// The `event:` field; `message` when the event named none.
    public var event: String
    /// The `data:` lines joined by `\n`.
    public var data: String
    /// The last `id:` seen, if any.
    public var id: String?

    /// Creates an event.
    public init(event: String = "message", data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// Splits a `text/event-stream` body, fed in arbitrary network chunks, into events (the WHATWG
/// "server-sent events" parsing rules).
///
/// Lines end with LF, CRLF or CR (a CRLF split across two chunks counts once); `:` starts a comment;
/// `data:` lines accumulate, a blank line dispatches the event; unknown fields are ignored; a line
/// broken mid-UTF-8 sequence is fine because bytes are decoded only once the line is complete. An
/// event still open when the body ends is dropped, as the standard says.
public struct ServerSentEventParser: Sendable {
    /// The longest line accepted; longer lines make `parse` throw rather than grow without bound.
    public let maxLineBytes: Int

    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var eventType = ""
    private var data = ""
    private var hasData = false
    private var lastID: String?

    /// Creates a parser at the start of a body.
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Consumes the next chunk of the body; returns the events it completed, in order.
    public mutating func parse<Bytes: Sequence>(_ bytes: Bytes) throws(LanguageModelError) -> [ServerSentEvent]
    where Bytes.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of a CRLF
            }
            switch byte {
            case 0x0A:
                if let event = endLine() { events.append(event) }
            case 0x0D:
                afterCR = true
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < maxLineBytes else {
                    throw .malformedEvent(reason: "line longer than \(maxLineBytes) bytes", excerpt: excerpt(line))
                }
                line.append(byte)
            }
        }
        return events
    }

    /// Handles the line collected so far; returns an event when the line was blank.
    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // UTF-8 byte order mark
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }  // comment (keep-alive)
        let field: String, value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = line.index(after: colon)
            if start < line.endIndex, line[start] == UInt8(ascii: " ") { start = line.index(after: start) }
            value = String(decoding: line[start...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event":
            eventType = value
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "id":
            if !value.contains("\0") { lastID = value }
        default:
            break  // `retry` and unknown fields
        }
        return nil
    }

    /// Ends the current event at a blank line.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: data, id: lastID)
    }

    private func excerpt(_ bytes: [UInt8]) -> String {
        LanguageModelError.oneLine(String(decoding: bytes.prefix(120), as: UTF8.self), limit: 80)
    }
}
