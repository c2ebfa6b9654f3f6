/// One message of a chat conversation sent to a language model.
public struct ChatMessage: Hashable, Sendable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A token as it arrived from a streaming language model.
public struct StreamedToken: Hashable, Sendable {
    /// The token text (a content delta).
    public var text: String
    /// When it arrived, measured from the moment the request was sent.
    public var offset: SimDuration

    /// Creates a token.
    public init(text: String, offset: SimDuration) {
        self.text = text
        self.offset = offset
    }
}

/// One streaming reply of a language model outside the simulation (an HTTP server in Engines, the
/// recording of one in replays).
///
/// The simulation polls it as its virtual clock advances: `tokens(until:)` returns the tokens that
/// arrived up to `elapsed` after the request, waiting (in wall time, for a live engine) until that
/// much time has passed or the stream has ended. Because the simulation never handles an input at
/// virtual instant `request + elapsed` before asking for the tokens up to `elapsed`, tokens land on
/// the virtual clock exactly at their arrival offsets, and a recorded session replays without the server.
public protocol LanguageModelStream: AnyObject {
    /// Tokens with `offset ≤ elapsed` not returned before, in arrival order. Throws the stream's
    /// failure (HTTP status, timeout, malformed event) once, when it is reached.
    func tokens(until elapsed: SimDuration) throws -> [StreamedToken]
    /// Whether the stream has ended and every token has been returned.
    var isComplete: Bool { get }
    /// Stops the request (barge-in, superseded turn); the connection is closed. Idempotent.
    func cancel()
}

/// A language model reachable from the simulation's edge (OpenAI-compatible servers in Engines).
public protocol LanguageModel: AnyObject {
    /// Sends `messages` and returns the reply's token stream.
    func stream(_ messages: [ChatMessage]) throws -> any LanguageModelStream
}
