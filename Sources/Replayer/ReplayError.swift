/// The Replayer module's operating error: one line a user can act on (the CLI exits 2).
public struct ReplayError: Error, CustomStringConvertible, Equatable {
    /// The message, naming the archive.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
