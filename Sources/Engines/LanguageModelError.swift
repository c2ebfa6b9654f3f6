import Foundation

/// A failure of a language model server (OpenAI-compatible HTTP), with a one-line message a user can
/// act on. The CLI prints `description` and exits 2.
public enum LanguageModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The configured base URL is not an `http://` or `https://` URL.
    case invalidURL(String)
    /// No connection could be made (refused, unreachable, connect timeout).
    case connectionFailed(url: String, reason: String)
    /// The server answered with a status other than 200; `message` is its error text (first line, truncated).
    case httpStatus(code: Int, message: String)
    /// No bytes arrived for `ms` milliseconds (the idle timeout).
    case idleTimeout(ms: Int64)
    /// The reply did not finish within `ms` milliseconds of the request (the total timeout).
    case totalTimeout(ms: Int64)
    /// An event of the stream is not a chat completion chunk (invalid JSON, no `choices`, line too long).
    case malformedEvent(reason: String, excerpt: String)
    /// The server reported an error inside the stream.
    case serverError(String)
    /// The connection ended before the reply did (no `finish_reason`, no `data: [DONE]`).
    case truncated
    /// Any other transport failure.
    case requestFailed(String)

    public var description: String {
        switch self {
        case .invalidURL(let url):
            return "language model: invalid base URL '\(url)' (expected e.g. http://127.0.0.1:8080/v1)"
        case .connectionFailed(let url, let reason):
            return "language model: cannot connect to \(url): \(reason)"
        case .httpStatus(let code, let message):
            return message.isEmpty
                ? "language model server answered HTTP \(code)"
                : "language model server answered HTTP \(code): \(message)"
        case .idleTimeout(let ms):
            return "language model server sent nothing for \(ms) ms (idle timeout)"
        case .totalTimeout(let ms):
            return "language model reply did not finish within \(ms) ms (total timeout)"
        case .malformedEvent(let reason, let excerpt):
            return "language model stream: malformed event (\(reason)): \(excerpt)"
        case .serverError(let message):
            return "language model server reported an error mid-stream: \(message)"
        case .truncated:
            return "language model stream ended before the reply did (no finish_reason or [DONE])"
        case .requestFailed(let reason):
            return "language model request failed: \(reason)"
        }
    }

    /// `text` on one line, at most `limit` characters (an ellipsis marks a cut).
    static func oneLine(_ text: String, limit: Int = 200) -> String {
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        return trimmed.count > limit ? String(trimmed.prefix(limit)) + "…" : trimmed
    }
}
