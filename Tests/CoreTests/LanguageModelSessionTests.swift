import Core
import Testing

/// A language model test double: every request streams the same reply, a token every 40 ms after a
/// 200 ms first token (offsets from the request), or fails; it records what it was sent and cancels.
final class StreamingModelDouble: LanguageModel {
    final class Stream: LanguageModelStream {
        let tokens: [StreamedToken]
        let failure: String?
        var next = 0
        var cancelled = false
        var done = false
        init(tokens: [StreamedToken], failure: String?) {
            self.tokens = tokens
            self.failure = failure
        }
        func tokens(until elapsed: SimDuration) throws -> [StreamedToken] {
            guard !cancelled, !done else { return [] }
            var out: [StreamedToken] = []
            while next < tokens.count, tokens[next].offset <= elapsed {
                out.append(tokens[next])
                next += 1
            }
            if next == tokens.count, out.isEmpty, let failure {
                done = true
                throw StreamError(message: failure)
            }
            if next == tokens.count, failure == nil { done = true }
            return out
        }
        var isComplete: Bool { done }
        func cancel() { cancelled = true }
    }
    struct StreamError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    let reply: [String]
    let failAfter: Int?
    var intervalMs: Int64 = 40
    var requests: [[ChatMessage]] = []
    var streams: [Stream] = []

    init(reply: [String], failAfter: Int? = nil) {
        self.reply = reply
        self.failAfter = failAfter
    }

    func stream(_ messages: [ChatMessage]) throws -> any LanguageModelStream {
        requests.append(messages)
        let pieces = failAfter.map { Array(reply.prefix($0)) } ?? reply
        let tokens = pieces.enumerated().map { StreamedToken(text: $1, offset: .milliseconds(200 + intervalMs * Int64($0))) }
        let s = Stream(tokens: tokens, failure: failAfter.map { _ in "HTTP 500 from the server" })
        streams.append(s)
        return s
    }
}

@Suite struct LanguageModelSessionTests {
    static let reply = ["Sure", ",", " a", " table", " for", " four", " tomorrow", " at", " eight", ".", " Shall", " I", " use", " your", " name", "?"]

    static func run(_ scenario: Scenario, model: any LanguageModel) throws -> [PipelineEvent] {
        let bank = try SpeechBank.prepare(for: scenario, using: ToneSynthesizer(), callerSpeech: true)
        var engines = StageEngines()
        engines.languageModel = model
        engines.synthesizer = ToneSynthesizer()
        let sim = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: PCM16Codec(samplesPerFrame: scenario.audio.format.samplesPerFrame),
            recorder: nil, engines: engines)
        return try sim.run()
    }

    static var bargeIn: Scenario {
        TestScenarios.scenario(
            turns: [TestScenarios.turn(.say("Book a table for four.")),
                    TestScenarios.turn(.say("Actually, make it five."), bargeInAfter: 1500)],
            replies: [])
    }

    @Test func tokensLandAtTheirArrivalOffsetsAndTheCallerHearsTheReply() throws {
        let model = StreamingModelDouble(reply: Self.reply)
        let events = try Self.run(TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 800 }, model: model)
        let request = try #require(events.first { $0.kind == .llmRequest })
        let tokens = events.filter { $0.kind == .llmToken && $0.turn == request.turn }
        #expect(tokens.map { $0.data["text"]!.stringValue! } == Self.reply)
        #expect(tokens.enumerated().allSatisfy { $1.time - request.time == .milliseconds(200 + 40 * Int64($0)) })
        #expect(events.contains { $0.kind == .llmDone && $0.turn == request.turn })
        // The speech is the streamed text, in TTS requests cut at punctuation.
        let said = events.filter { $0.kind == .ttsRequest && $0.turn == request.turn }.map { $0.data["text"]!.stringValue! }
        #expect(said.first == "Sure,")
        #expect(said.joined(separator: " ") == "Sure, a table for four tomorrow at eight. Shall I use your name?")
        #expect(events.contains { $0.kind == .playStop && $0.data["reason"]?.stringValue == "done" })
        // The conversation grows: system, user; then the second request carries the first reply.
        #expect(model.requests[0].map(\.role) == ["system", "user"])
        #expect(model.requests[1].map(\.role) == ["system", "user", "assistant", "user"])
        #expect(model.requests[1][2].content == "Sure, a table for four tomorrow at eight. Shall I use your name?")
    }

    @Test func bargeInCancelsTheStream() throws {
        let model = StreamingModelDouble(reply: Self.reply + Self.reply + Self.reply)
        model.intervalMs = 150
        let events = try Self.run(Self.bargeIn, model: model)
        let barge = try #require(events.first { $0.kind == .bargeIn })
        #expect(model.streams[0].cancelled, "the first reply's request was stopped")
        #expect(model.streams[0].next < model.streams[0].tokens.count, "before the server sent everything")
        #expect(!events.contains { $0.kind == .llmToken && $0.turn == barge.turn && $0.time > barge.time })
        let cancel = try #require(events.first { $0.kind == .llmCancel && $0.turn == barge.turn })
        #expect(cancel.data["reason"]?.stringValue == "bargein")
    }

    @Test func aRecordedSessionReplaysWithoutTheServer() throws {
        for model in [StreamingModelDouble(reply: Self.reply), StreamingModelDouble(reply: Self.reply, failAfter: 3)] {
            let scenario = TestScenarios.hesitation
            let live = try Self.run(scenario, model: model)
            let replayed = try Self.run(scenario, model: RecordedLanguageModel(events: live))
            let diff = EventStreamDifference.first(expected: live, got: replayed)
            #expect(diff == nil, "\(String(describing: diff))")
            if model.failAfter != nil {
                // A failing server: the turn's request ends in an error, the session goes on.
                let failure = try #require(live.first { $0.kind == .llmCancel })
                #expect(failure.data["reason"]?.stringValue == "error")
                #expect(failure.data["error"]?.stringValue?.contains("HTTP 500") == true)
                #expect(live.last?.kind == .sessionEnd)
            }
        }
    }

    @Test func aCounterfactualReusesEachTurnsRecordedReply() throws {
        let live = try Self.run(TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 800 }, model: StreamingModelDouble(reply: Self.reply))
        let recorded = RecordedLanguageModel(events: live)
        #expect(recorded.replies.keys.sorted() == [0, 1, 2])
        // At 500 ms the caller is cut off in turn 2 and the turn is asked twice: both get turn 2's reply.
        let cut = try Self.run(TestScenarios.hesitation, model: recorded)
        let requests = cut.filter { $0.kind == .llmRequest }
        #expect(requests.count == 4)
        for r in requests {
            let tokens = cut.filter { $0.kind == .llmToken && $0.turn == r.turn }
            #expect(tokens.first.map { $0.time - r.time } == .milliseconds(200) || tokens.isEmpty)
        }
    }
}
