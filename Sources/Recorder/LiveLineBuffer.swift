/// Splits a byte stream into `\n`-terminated lines without ever holding more than one line's
/// worth of bytes: a line that grows past `maxLineBytes` is reported as oversized once and its
/// remaining bytes are dropped up to the next `\n`.
public struct LiveLineBuffer {
    /// One piece of the stream.
    public enum Item: Hashable, Sendable {
        /// A complete line, without its `\n`.
        case line([UInt8])
        /// A line longer than the limit (its bytes are gone).
        case oversized
    }

    /// The longest line accepted, in bytes (without the `\n`).
    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Dropping the rest of an oversized line.
    private var skipping = false

    /// A buffer for lines of at most `maxLineBytes` bytes.
    public init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "lines need room for at least one byte")
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held for a line not yet complete (at most `maxLineBytes`).
    public var pendingBytes: Int { buffer.count }

    /// Takes `bytes` from the stream and returns the lines they complete, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) -> [Item] {
        var items: [Item] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            if skipping {
                guard let newline = rest.firstIndex(of: 0x0A) else { return items }
                rest = rest[rest.index(after: newline)...]
                skipping = false
                continue
            }
            let room = maxLineBytes + 1 - buffer.count  // the line's bytes plus its `\n`
            let chunk = rest.prefix(room)
            if let newline = chunk.firstIndex(of: 0x0A) {
                buffer.append(contentsOf: rest[rest.startIndex..<newline])
                items.append(.line(buffer))
                buffer.removeAll(keepingCapacity: true)
                rest = rest[rest.index(after: newline)...]
            } else if chunk.count == room {
                // `maxLineBytes + 1` bytes and no end in sight.
                buffer.removeAll(keepingCapacity: false)
                items.append(.oversized)
                skipping = true
                rest = rest[chunk.endIndex...]
            } else {
                buffer.append(contentsOf: chunk)
                rest = rest[chunk.endIndex...]
            }
        }
        return items
    }

    /// The stream ended: the last line if it had no `\n` (nil when there is none, or it was oversized).
    public mutating func finish() -> Item? {
        defer {
            buffer.removeAll()
            skipping = false
        }
        return buffer.isEmpty ? nil : .line(buffer)
    }
}
