import Core
import Engines
import Foundation
import Testing

@Suite(.serialized) struct OpenAIChatModelTests {
    private func model(_ server: FakeChatServer, timeouts: OpenAIChatModel.Timeouts = .init(), apiKey: String? = nil) throws -> OpenAIChatModel {
        try OpenAIChatModel(
            baseURL: server.baseURL, model: "smollm2", apiKey: apiKey,
            temperature: 0.5, maxTokens: 64, seed: 7, timeouts: timeouts
        )
    }

    @Test func streamsTokensInOrderWithOffsetsMatchingTheServer() async throws {
        let texts = ["Hel", "lo", ",", " wörld", " 🙂"]
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(texts, delays: [150, 100])))
        defer { server.stop() }
        let model = try model(server, apiKey: "sk-test")
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }

        #expect(observed.error == nil)
        #expect(observed.complete)
        #expect(observed.tokens.map(\.text) == texts)
        let offsets = observed.tokens.map(\.offset.milliseconds)
        #expect(offsets == offsets.sorted(), "offsets \(offsets)")
        // The server sleeps before each token, so these lower bounds hold however loaded the
        // machine; the upper bound only catches gross stalls.
        let sent = [150, 250, 350, 450, 550]
        for (offset, earliest) in zip(offsets, sent) {
            #expect(offset >= Int64(earliest), "offsets \(offsets)")
        }
        #expect(offsets.last! < 550 + 4000, "offsets \(offsets)")

        let request = try #require(server.requests.first)
        #expect(request.requestHead.hasPrefix("POST /v1/chat/completions HTTP/1.1"))
        let head = request.requestHead.lowercased()
        #expect(head.contains("accept: text/event-stream"))
        #expect(head.contains("content-type: application/json"))
        #expect(request.requestHead.contains("Authorization: Bearer sk-test"))
        let body = try #require(JSONSerialization.jsonObject(with: Data(request.requestBody.utf8)) as? [String: Any])
        #expect(body["model"] as? String == "smollm2")
        #expect(body["stream"] as? Bool == true)
        #expect(body["temperature"] as? Double == 0.5)
        #expect(body["max_tokens"] as? Int == 64)
        #expect(body["seed"] as? Int == 7)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages == [["role": "user", "content": "Hi"]])
    }

    @Test func aSmallElapsedReturnsOnlyTheEarlyTokens() async throws {
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(["early", " late"], delays: [50, 2000])))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let (first, firstWall, rest, restWall, complete) = try await onPlainThread {
            let stream = try model.openStream([ChatMessage(role: "user", content: "Hi")])
            let start = ContinuousClock.now
            let first = try stream.tokens(until: .milliseconds(1000))
            let firstWall = seconds(since: start)
            let rest = try stream.tokens(until: .milliseconds(20_000))
            return (first, firstWall, rest, seconds(since: start), stream.isComplete)
        }
        #expect(first.map(\.text) == ["early"])
        // It waited for 1 s of wall time to pass...
        #expect(firstWall >= 0.99)
        #expect(rest.map(\.text) == [" late"])
        #expect(rest[0].offset >= .milliseconds(2050))
        // ...but not for 20 s: the stream ended first.
        #expect(restWall < 10)
        #expect(complete)
    }

    @Test func cancelClosesTheConnectionMidStream() async throws {
        let texts = (0..<20).map { " t\($0)" }
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(texts, delays: [100])))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let (before, after, afterWall, complete, cancelledAt) = try await onPlainThread {
            let stream = try model.openStream([ChatMessage(role: "user", content: "Hi")])
            let before = try stream.tokens(until: .milliseconds(350))
            let cancelledAt = Date()
            stream.cancel()
            stream.cancel()  // idempotent
            let start = ContinuousClock.now
            let after = try stream.tokens(until: .milliseconds(10_000))
            return (before, after, seconds(since: start), stream.isComplete, cancelledAt)
        }
        #expect(!before.isEmpty && before.count <= 3, "\(before.map(\.text))")
        #expect(after.isEmpty)
        #expect(afterWall < 1)
        #expect(complete)
        // The server saw the connection close while it still had tokens to send.
        let record = try #require(server.awaitFinished().first)
        #expect(record.closedByClient)
        #expect(!record.completed)
        #expect(record.stepsDone < FakeChatServer.reply(texts, delays: [100]).count)
        // Promptly: the server, pausing 100 ms between tokens, noticed well within a second.
        let noticed = try #require(record.closedAt).timeIntervalSince(cancelledAt)
        #expect(noticed < 1, "server noticed the close \(noticed) s after cancel")
    }

    @Test(arguments: [
        (500, #"{"error":{"message":"model not loaded\nat line 2","type":"server_error"}}"#, "model not loaded"),
        (401, #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#, "Incorrect API key provided"),
        (404, "Not Found\n", "Not Found"),
    ])
    func anErrorStatusNamesTheStatusAndTheServersMessage(status: Int, body: String, message: String) async throws {
        let script = FakeChatServer.Script(status: status, contentType: "application/json", steps: [.send(Array(body.utf8))])
        let server = try FakeChatServer(script: script)
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.isEmpty)
        #expect(observed.error == .httpStatus(code: status, message: message))
        #expect(observed.error?.description.contains("HTTP \(status): \(message)") == true)
    }

    @Test func aJSONAnswerInsteadOfAStreamFails() async throws {
        let body = #"{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}"#
        let script = FakeChatServer.Script(contentType: "application/json", steps: [.send(Array(body.utf8))])
        let server = try FakeChatServer(script: script)
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.isEmpty)
        #expect(observed.error?.description.contains("not an event stream") == true, "\(String(describing: observed.error))")
    }

    @Test func aMalformedDataLineFailsAfterTheTokensBeforeIt() async throws {
        var steps = Array(FakeChatServer.reply(["ok"], delays: []).dropLast(2))
        steps.append(.send(FakeChatServer.event(#"{"choices":[{"delta":{"content":"x"}"#)))
        steps.append(.pause(milliseconds: 2000))
        let server = try FakeChatServer(script: .init(steps: steps))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.map(\.text) == ["ok"])
        guard case .malformedEvent(let reason, _) = observed.error else {
            Issue.record("expected a malformed event, got \(String(describing: observed.error))")
            return
        }
        #expect(reason == "invalid JSON")
        // The client closed the connection instead of waiting out the server's pause.
        #expect(observed.endedAfter < 1.9)
    }

    @Test func aChunkWithoutChoicesFails() async throws {
        let steps: [FakeChatServer.Step] = [.send(FakeChatServer.event(#"{"id":"x","object":"chat.completion.chunk"}"#))]
        let server = try FakeChatServer(script: .init(steps: steps))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == .malformedEvent(reason: "no choices", excerpt: #"{"id":"x","object":"chat.completion.chunk"}"#))
    }

    @Test func aStalledServerTimesOutWithinTheIdleTimeout() async throws {
        var steps = Array(FakeChatServer.reply(["first"], delays: []).prefix(2))
        steps.append(.pause(milliseconds: 8000))
        let server = try FakeChatServer(script: .init(steps: steps))
        defer { server.stop() }
        let model = try model(server, timeouts: .init(idle: .milliseconds(300)))
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.map(\.text) == ["first"])
        #expect(observed.error == .idleTimeout(ms: 300))
        #expect(observed.endedAfter >= 0.3 && observed.endedAfter < 4, "\(observed.endedAfter) s")
        #expect(server.awaitFinished().first?.closedByClient == true)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try FakeChatServer(script: .init(pauseBeforeHeadMs: 8000, steps: []))
        defer { server.stop() }
        let model = try model(server, timeouts: .init(idle: .milliseconds(300)))
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == .idleTimeout(ms: 300))
        #expect(observed.endedAfter < 4, "\(observed.endedAfter) s")
    }

    @Test func aSlowReplyHitsTheTotalTimeout() async throws {
        let texts = (0..<40).map { " t\($0)" }
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(texts, delays: [50])))
        defer { server.stop() }
        let model = try model(server, timeouts: .init(idle: .seconds(5), total: .milliseconds(600)))
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == .totalTimeout(ms: 600))
        #expect(!observed.tokens.isEmpty && observed.tokens.count < texts.count)
        #expect(observed.endedAfter >= 0.6 && observed.endedAfter < 5, "\(observed.endedAfter) s")
    }

    @Test func eventsSplitAcrossChunksWithCRLFAndComments() async throws {
        let texts = ["Sp", "lït", " 🙂", " ok"]
        var bytes = Array(": keep-alive\r\n\r\n".utf8)
        for case .send(let part) in FakeChatServer.reply(texts, delays: [], lineEnd: "\r\n") { bytes += part }
        // Pieces of 1 to 7 bytes: splits fall mid-line, between CR and LF and inside UTF-8 sequences.
        var steps: [FakeChatServer.Step] = []
        var i = 0, size = 1
        while i < bytes.count {
            let end = min(bytes.count, i + size)
            steps += [.send(Array(bytes[i..<end])), .pause(milliseconds: 1)]
            i = end
            size = size % 7 + 1
        }
        let server = try FakeChatServer(script: .init(steps: steps))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == nil)
        #expect(observed.tokens.map(\.text) == texts)
        #expect(observed.complete)
    }

    @Test func aCloseDelimitedBodyStreamsToo() async throws {
        let script = FakeChatServer.Script(chunked: false, steps: FakeChatServer.reply(["a", "b"], delays: [20]))
        let server = try FakeChatServer(script: script)
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == nil)
        #expect(observed.tokens.map(\.text) == ["a", "b"])
    }

    @Test func aConnectionClosedBeforeTheEndIsTruncated() async throws {
        let steps = Array(FakeChatServer.reply(["a", "b"], delays: []).dropLast(2))
        let server = try FakeChatServer(script: .init(chunked: false, steps: steps))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.map(\.text) == ["a", "b"])
        #expect(observed.error == .truncated)
    }

    @Test func anErrorInsideTheStreamIsTheServers() async throws {
        var steps = Array(FakeChatServer.reply(["a"], delays: []).dropLast(2))
        steps.append(.send(FakeChatServer.event(#"{"error":{"message":"context window exceeded","code":400}}"#)))
        let server = try FakeChatServer(script: .init(steps: steps))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.tokens.map(\.text) == ["a"])
        #expect(observed.error == .serverError("context window exceeded"))
    }

    @Test func aRefusedConnectionFailsAtOnce() async throws {
        let server = try FakeChatServer(script: .init())
        server.stop()  // the port is now closed
        let model = try model(server)
        defer { model.shutdown() }
        let observed = try await onPlainThread { drain(model) }
        #expect(observed.error == .connectionFailed(url: server.baseURL + "/chat/completions", reason: "Connection refused"))
        #expect(observed.endedAfter < 3, "\(observed.endedAfter) s")
    }

    @Test func theConnectionIsReusedForTheNextReply() async throws {
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(["a"], delays: [])))
        defer { server.stop() }
        let model = try model(server)
        defer { model.shutdown() }
        let first = try await onPlainThread { drain(model) }
        let second = try await onPlainThread { drain(model) }
        #expect(first.tokens.map(\.text) == ["a"] && second.tokens.map(\.text) == ["a"])
        #expect(server.requests.count == 2)
    }

    @Test func shuttingDownMidStreamEndsTheStreamWithAnError() async throws {
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(["a", "b"], delays: [50, 3000])))
        defer { server.stop() }
        let model = try model(server)
        let (first, error) = try await onPlainThread { () throws -> ([StreamedToken], LanguageModelError?) in
            let stream = try model.openStream([ChatMessage(role: "user", content: "Hi")])
            let first = try stream.tokens(until: .milliseconds(500))
            model.shutdown()
            var error: LanguageModelError?
            do {
                _ = try stream.tokens(until: .milliseconds(10_000))
            } catch let failure {
                error = failure as? LanguageModelError
            }
            return (first, error)
        }
        #expect(first.map(\.text) == ["a"])
        #expect(error == .requestFailed("cancelled: the model's HTTP client was shut down"))
        #expect(server.awaitFinished().first?.closedByClient == true)
    }

    @Test func droppingTheModelAndAStreamWithoutShutdownIsSafe() async throws {
        let server = try FakeChatServer(script: .init(steps: FakeChatServer.reply(["a", "b"], delays: [50, 3000])))
        defer { server.stop() }
        let baseURL = server.baseURL
        try await onPlainThread {
            var model: OpenAIChatModel? = try OpenAIChatModel(baseURL: baseURL, model: "m")
            var stream: OpenAIChatStream? = try model!.openStream([ChatMessage(role: "user", content: "Hi")])
            _ = try stream!.tokens(until: .milliseconds(200))
            stream = nil  // cancels the request
            model = nil  // starts the client's shutdown without waiting
            _ = (stream, model)
        }
        #expect(server.awaitFinished().first?.closedByClient == true)
    }

    @Test func invalidBaseURLsAreRejected() {
        #expect(throws: LanguageModelError.invalidURL("localhost:8080")) {
            try OpenAIChatModel(baseURL: "localhost:8080", model: "m")
        }
        #expect(throws: LanguageModelError.invalidURL("ftp://h/v1")) {
            try OpenAIChatModel(baseURL: "ftp://h/v1", model: "m")
        }
    }

    @Test func aShutDownModelRefusesNewRequests() throws {
        let model = try OpenAIChatModel(baseURL: "http://127.0.0.1:9/v1", model: "m")
        model.shutdown()
        model.shutdown()
        #expect(throws: LanguageModelError.self) { try model.openStream([ChatMessage(role: "user", content: "Hi")]) }
    }
}
