import Core

/// A line of the live recording protocol that was rejected: which line, and why.
///
/// Not thrown to the command line: the recorder sends it back to the client as one JSON line
/// (`replyLine`) and goes on with the next line; nothing of the rejected line reaches the archive.
public struct LiveProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based number of the line on its connection (0 when the reply concerns no line).
    public var line: Int
    /// What is wrong, naming the field and the value expected.
    public var message: String

    /// Creates an error about line `line`.
    public init(line: Int = 0, _ message: String) {
        self.line = line
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }

    /// The reply sent to the client: `{"error":"…","line":N}` (canonical JSON, no newline).
    public var replyLine: String {
        JSONValue.object(["error": .string(message), "line": .int(Int64(line))]).canonicalText
    }
}
