import Engines
import Testing

@Suite struct ChatStreamEventTests {
    private func decode(_ data: String, event: String = "message") throws -> ChatStreamEvent? {
        try ChatStreamEvent.decode(ServerSentEvent(event: event, data: data))
    }

    @Test func decodesDeltasAndTheEnd() throws {
        #expect(try decode(#"{"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#)
            == .delta(content: "", finishReason: nil))
        #expect(try decode(#"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#)
            == .delta(content: "Hi", finishReason: nil))
        #expect(try decode(#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
            == .delta(content: "", finishReason: "stop"))
        #expect(try decode("[DONE]") == .done)
        // A usage report (OpenAI's stream_options.include_usage) and other event types are skipped.
        #expect(try decode(#"{"choices":[],"usage":{"total_tokens":3}}"#) == nil)
        #expect(try decode("{}", event: "ping") == nil)
    }

    @Test func malformedEventsThrowClearErrors() throws {
        #expect(throws: LanguageModelError.malformedEvent(reason: "invalid JSON", excerpt: "{\"choices\": [")) {
            try decode("{\"choices\": [")
        }
        #expect(throws: LanguageModelError.malformedEvent(reason: "no choices", excerpt: "{\"id\":\"x\"}")) {
            try decode("{\"id\":\"x\"}")
        }
        #expect(throws: LanguageModelError.serverError("context window exceeded")) {
            try decode(#"{"error":{"message":"context window exceeded","type":"invalid_request_error"}}"#)
        }
        #expect(throws: LanguageModelError.serverError("{\"message\":\"boom\"}")) {
            try decode(#"{"message":"boom"}"#, event: "error")
        }
    }
}
