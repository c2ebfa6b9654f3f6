import Foundation

/// What one server-sent event of an OpenAI-compatible chat completion stream says.
public enum ChatStreamEvent: Hashable, Sendable {
    /// A chunk: `choices[0].delta.content` (empty for role-only or final chunks) and, on the last
    /// chunk, `choices[0].finish_reason`.
    case delta(content: String, finishReason: String?)
    /// `data: [DONE]`, the end of the stream.
    case done

    /// Decodes one event. Events of other types than `message`/`error` and chunks with an empty
    /// `choices` array (usage reports) decode to nil.
    public static func decode(_ event: ServerSentEvent) throws(LanguageModelError) -> ChatStreamEvent? {
        if event.event == "error" { throw .serverError(LanguageModelError.oneLine(event.data)) }
        guard event.event == "message" else { return nil }
        let text = event.data.trimmingCharacters(in: .whitespaces)
        if text == "[DONE]" { return .done }
        let chunk: Chunk
        do {
            chunk = try JSONDecoder().decode(Chunk.self, from: Data(text.utf8))
        } catch {
            throw .malformedEvent(reason: "invalid JSON", excerpt: LanguageModelError.oneLine(text, limit: 80))
        }
        if let failure = chunk.error { throw .serverError(failure.message) }
        guard let choices = chunk.choices else {
            throw .malformedEvent(reason: "no choices", excerpt: LanguageModelError.oneLine(text, limit: 80))
        }
        guard let first = choices.first else { return nil }
        return .delta(content: first.delta?.content ?? first.text ?? "", finishReason: first.finish_reason)
    }

    /// The fields of a `chat.completion.chunk` this client reads.
    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { var content: String? }
            var delta: Delta?
            /// Legacy completion streams put the text here.
            var text: String?
            var finish_reason: String?
        }
        var choices: [Choice]?
        var error: ServerFailure?

        private enum Keys: String, CodingKey { case choices, error }

        init(from decoder: any Decoder) throws {
            let object = try decoder.container(keyedBy: Keys.self)
            choices = try object.decodeIfPresent([Choice].self, forKey: .choices)
            // An `error` without a readable message still ends the stream as a server error.
            error = object.contains(.error)
                ? ((try? object.decode(ServerFailure.self, forKey: .error)) ?? ServerFailure(message: "unknown error"))
                : nil
        }
    }
}

/// An error object as OpenAI-compatible servers send it: `{"error": {"message": …}}`,
/// `{"error": "…"}`, FastAPI's `{"detail": …}` or `{"message": …}`.
struct ServerFailure: Decodable {
    var message: String

    private enum Keys: String, CodingKey { case message, error, detail }
    private struct Detail: Decodable { var msg: String }

    init(message: String) { self.message = message }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            message = text
            return
        }
        let object = try decoder.container(keyedBy: Keys.self)
        if let text = try? object.decode(String.self, forKey: .message) {
            message = text
        } else if let nested = try? object.decode(ServerFailure.self, forKey: .error) {
            message = nested.message
        } else if let text = try? object.decode(String.self, forKey: .detail) {
            message = text
        } else if let details = try? object.decode([Detail].self, forKey: .detail), let first = details.first {
            // FastAPI's validation errors: `detail` is a list of objects with `msg` and `loc`.
            message = first.msg
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no error message"))
        }
    }

    /// The message of an error response body: its JSON error message when it has one, else its first line.
    static func message(fromBody body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        if let failure = try? JSONDecoder().decode(ServerFailure.self, from: Data(body)) {
            return LanguageModelError.oneLine(failure.message)
        }
        return LanguageModelError.oneLine(text)
    }
}
