import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1

/// A language model behind an OpenAI-compatible chat completions endpoint (OpenAI, llama.cpp's and
/// llama-cpp-python's servers, vLLM, …), streamed over server-sent events.
///
/// `stream(_:)` POSTs `{baseURL}/chat/completions` with `"stream": true` and returns at once; the
/// response is read on AsyncHTTPClient's event loop, each token stamped with its arrival time on a
/// monotonic clock, measured from the moment the request was handed to the client. The simulation
/// thread takes tokens with `tokens(until:)`, which waits in wall time (see `OpenAIChatStream`).
///
/// One `HTTPClient` per model, so a connection is reused across turns. Call `shutdown()` when done
/// (the deinitializer starts a shutdown too, without waiting for it).
public final class OpenAIChatModel: LanguageModel, @unchecked Sendable {
    /// How long a request may take, in wall time.
    public struct Timeouts: Hashable, Sendable {
        /// Establishing the TCP (and TLS) connection.
        public var connect: Duration
        /// Longest silence from the server: waiting for the response head or between two body chunks.
        public var idle: Duration
        /// The whole reply, from request to the end of the stream.
        public var total: Duration

        /// Creates timeouts (defaults: connect 5 s, idle 10 s, total 120 s).
        public init(connect: Duration = .seconds(5), idle: Duration = .seconds(10), total: Duration = .seconds(120)) {
            self.connect = connect
            self.idle = idle
            self.total = total
        }
    }

    /// The environment variable an API key is read from unless another is named.
    public static let defaultAPIKeyVariable = "OPENAI_API_KEY"

    /// The API key in the environment variable `name`, or nil when it is unset or empty. Keep the
    /// variable's name in settings and archives, never the key.
    public static func apiKey(fromEnvironment name: String = defaultAPIKeyVariable) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The base URL, without a trailing slash (e.g. `http://127.0.0.1:8080/v1`).
    public let baseURL: String
    /// The `model` field of every request.
    public let model: String
    /// Sampling temperature; nil leaves the server's default.
    public let temperature: Double?
    /// `max_tokens`; nil leaves the server's default.
    public let maxTokens: Int?
    /// `seed` for servers that sample reproducibly; nil sends none.
    public let seed: Int?
    /// The timeouts of every request.
    public let timeouts: Timeouts

    private let apiKey: String?
    private let endpoint: String
    private let client: HTTPClient
    private let shutDown = NSLock()
    private var isShutDown = false

    /// Creates a model. `baseURL` must be an `http://` or `https://` URL; the key, when given, is
    /// sent as `Authorization: Bearer`.
    public init(
        baseURL: String,
        model: String,
        apiKey: String? = nil,
        temperature: Double? = nil,
        maxTokens: Int? = nil,
        seed: Int? = nil,
        timeouts: Timeouts = Timeouts()
    ) throws(LanguageModelError) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else { throw .invalidURL(baseURL) }
        precondition(maxTokens.map { $0 > 0 } ?? true, "maxTokens must be positive")
        self.baseURL = base
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.seed = seed
        self.timeouts = timeouts
        endpoint = base + "/chat/completions"

        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: Self.timeAmount(timeouts.connect), read: Self.timeAmount(timeouts.idle))
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // A refused connection fails the request at once instead of being retried until the connect
        // timeout: a simulation against a server that is not running should say so immediately.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        shutDown.lock()
        let needed = !isShutDown
        shutDown.unlock()
        // Non-blocking: a deinitializer may run on an event loop, where a synchronous shutdown traps.
        if needed { client.shutdown { _ in } }
    }

    /// Closes the client's connections (cancelling requests still running) and waits for it.
    /// Idempotent. Must not be called on an event loop thread.
    public func shutdown() {
        shutDown.lock()
        defer { shutDown.unlock() }
        guard !isShutDown else { return }
        isShutDown = true
        try? client.syncShutdown()
    }

    /// Sends `messages` and returns the reply's token stream; the request is under way when this returns.
    public func stream(_ messages: [ChatMessage]) throws -> any LanguageModelStream {
        try openStream(messages)
    }

    /// `stream(_:)` with its concrete type (for the arrivals record and typed errors).
    public func openStream(_ messages: [ChatMessage]) throws(LanguageModelError) -> OpenAIChatStream {
        shutDown.lock()
        let closed = isShutDown
        shutDown.unlock()
        if closed { throw .requestFailed("the model's HTTP client was shut down") }

        var request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: endpoint, method: .POST)
        } catch {
            throw .invalidURL(baseURL)
        }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(requestBody(messages))

        let channel = ReplyChannel()
        let delegate = ChatStreamDelegate(channel: channel, url: endpoint, timeouts: timeouts)
        let task = client.execute(
            request: request,
            delegate: delegate,
            deadline: .now() + Self.timeAmount(timeouts.total)
        )
        return OpenAIChatStream(channel: channel, task: task)
    }

    /// The JSON body of a streaming chat completion request (sorted keys).
    func requestBody(_ messages: [ChatMessage]) -> Data {
        struct Message: Encodable { var role: String; var content: String }
        struct Body: Encodable {
            var model: String
            var messages: [Message]
            var stream = true
            var temperature: Double?
            var max_tokens: Int?
            var seed: Int?
        }
        let body = Body(
            model: model,
            messages: messages.map { Message(role: $0.role, content: $0.content) },
            temperature: temperature,
            max_tokens: maxTokens,
            seed: seed
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and numbers cannot fail.
        return try! encoder.encode(body)
    }

    /// `duration` as NIO's nanosecond interval.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// `duration` in whole milliseconds (for messages).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
