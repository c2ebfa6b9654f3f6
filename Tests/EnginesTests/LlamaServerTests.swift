import Core
import Engines
import Foundation
import Testing

/// The real server these tests talk to: `CROSSTALK_LLM_BASE_URL` (e.g. `http://127.0.0.1:8080/v1`,
/// started by `Benchmarks/llm-server/start.sh`), model name `CROSSTALK_LLM_MODEL` (llama-cpp-python
/// serves its one model whatever the name).
enum RealServer {
    static var baseURL: String? {
        guard let value = ProcessInfo.processInfo.environment["CROSSTALK_LLM_BASE_URL"], !value.isEmpty else { return nil }
        return value
    }

    static var model: String { ProcessInfo.processInfo.environment["CROSSTALK_LLM_MODEL"] ?? "smollm2" }

    /// A voice assistant's turn, as the simulator would send it.
    static let booking = [
        ChatMessage(role: "system", content: "You are a restaurant booking assistant on a phone call. Answer in one short sentence."),
        ChatMessage(role: "user", content: "Hi, I'd like to book a table in Bangalore."),
    ]
}

/// Takes every token of `stream`, polling like the simulator (20 ms steps of elapsed time).
func takeAll(_ stream: OpenAIChatStream, limit: SimDuration = .milliseconds(60_000)) throws -> [StreamedToken] {
    var tokens: [StreamedToken] = []
    var elapsed = SimDuration.zero
    while !stream.isComplete, elapsed < limit {
        elapsed = elapsed + .milliseconds(20)
        tokens += try stream.tokens(until: elapsed)
    }
    return tokens
}

@Suite(
    .serialized,
    .enabled(if: RealServer.baseURL != nil, "set CROSSTALK_LLM_BASE_URL to a running server (see Benchmarks/llm-server/start.sh)")
)
struct LlamaServerTests {
    private func model(maxTokens: Int) throws -> OpenAIChatModel {
        try OpenAIChatModel(
            baseURL: RealServer.baseURL!, model: RealServer.model, apiKey: OpenAIChatModel.apiKey(),
            temperature: 0, maxTokens: maxTokens, seed: 1,
            // A loaded CI machine may keep a small model's first token waiting for seconds: these
            // tests check behaviour, not speed, so only a dead server may time them out.
            timeouts: .init(connect: .seconds(30), idle: .seconds(120), total: .seconds(600))
        )
    }

    @Test func streamsAShortChat() async throws {
        let model = try model(maxTokens: 32)
        defer { model.shutdown() }
        let (tokens, arrivals) = try await onPlainThread {
            let stream = try model.openStream(RealServer.booking)
            return (try takeAll(stream), stream.arrivals)
        }
        #expect(tokens.count >= 1)
        #expect(tokens.map(\.offset) == tokens.map(\.offset).sorted())
        guard case .finished = arrivals.end else {
            Issue.record("reply did not finish: \(String(describing: arrivals.end))")
            return
        }
        print("real server reply (\(tokens.count) tokens): \(tokens.map(\.text).joined())")
    }

    @Test func cancelStopsTheReplyAndTheServerTakesTheNextRequest() async throws {
        let maxTokens = 400
        let model = try model(maxTokens: maxTokens)
        defer { model.shutdown() }
        let story = [ChatMessage(role: "user", content: "Tell me a very long story about a dragon and a bakery.")]
        let (before, after, afterWall, complete, next) = try await onPlainThread {
            let stream = try model.openStream(story)
            var before: [StreamedToken] = []
            var elapsed = SimDuration.zero
            while before.count < 8, !stream.isComplete {
                elapsed = elapsed + .milliseconds(20)
                before += try stream.tokens(until: elapsed)
            }
            stream.cancel()
            let start = ContinuousClock.now
            let after = try stream.tokens(until: elapsed + .milliseconds(5000))
            let afterWall = seconds(since: start)
            let complete = stream.isComplete
            // The same prompt again: the server finds it in its cache, so the first token comes
            // at once if (and only if) the server is not busy finishing the cancelled story.
            let again = try model.openStream(story)
            elapsed = .zero
            var next: [StreamedToken] = []
            while next.isEmpty, !again.isComplete {
                elapsed = elapsed + .milliseconds(20)
                next += try again.tokens(until: elapsed)
            }
            again.cancel()
            return (before, after, afterWall, complete, next)
        }
        try #require(before.count >= 8)
        #expect(after.isEmpty)
        // Cancelling stops at once; 5 s only tells "stopped" from "waited for the reply" on a busy machine.
        #expect(afterWall < 5)
        #expect(complete)
        let nextTTFT = try #require(next.first).offset
        // llama-cpp-python serves one request at a time (started with --interrupt_requests False): had
        // it gone on generating the cancelled story, the next reply would wait for the rest of it.
        // Half that time is a generous bound; both scale alike when the machine is loaded.
        let interval = (before.last!.offset - before.first!.offset).microseconds / Int64(before.count - 1)
        let remainder = SimDuration(microseconds: interval * Int64(maxTokens - before.count))
        #expect(nextTTFT.microseconds * 2 < remainder.microseconds, "next TTFT \(nextTTFT), rest of the story \(remainder)")
        print("after cancel: next reply's first token at \(nextTTFT) (the cancelled story had ~\(remainder) to go)")
    }

    /// Warm time to first token and generation rate, printed for the README. Each run is a new
    /// caller turn after the same system prompt (the server's prompt cache holds the system prompt,
    /// the turn is new), as in a conversation.
    ///
    /// A measurement, not a check: it runs only from the benchmark `Benchmarks/llm-server/measure.sh`
    /// (`CROSSTALK_LLM_MEASURE=1`), never in `make test`, where a busy machine must not fail it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CROSSTALK_LLM_MEASURE"] == "1", "a benchmark: Benchmarks/llm-server/measure.sh"))
    func measuresWarmLatency() async throws {
        let model = try model(maxTokens: 48)
        defer { model.shutdown() }
        let turns = [
            "Hi, I'd like to book a table in Bangalore.",
            "A table for four people, tomorrow at eight.",
            "Actually, make it five.",
            "Do you have anything near the lake?",
            "Can I bring my dog along?",
            "What time do you close on Sundays?",
            "Is there parking nearby?",
        ]
        let system = RealServer.booking[0]
        let replies = try await onPlainThread {
            _ = try takeAll(try model.openStream([system, ChatMessage(role: "user", content: "Hello?")]))  // warm-up
            return try turns.map { try takeAll(try model.openStream([system, ChatMessage(role: "user", content: $0)])) }
        }
        let ttft = replies.compactMap { $0.first?.offset.microseconds }.map { Double($0) / 1000 }.sorted()
        let rates = replies.filter { $0.count > 1 }.map { reply in
            Double(reply.count - 1) / (Double((reply.last!.offset - reply.first!.offset).microseconds) / 1e6)
        }.sorted()
        #expect(ttft.count == turns.count)
        guard !ttft.isEmpty, !rates.isEmpty else { return }
        let counts = replies.map(\.count)
        print(String(
            format: "warm TTFT over %d new turns: median %.0f ms (min %.0f, max %.0f); generation %.0f tokens/s median (min %.0f, max %.0f); %d-%d tokens per reply",
            turns.count, ttft[ttft.count / 2], ttft.first!, ttft.last!, rates[rates.count / 2], rates.first!, rates.last!,
            counts.min()!, counts.max()!
        ))
    }
}
