import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Reads one chat completion response on the HTTP client's event loop: parses the event stream and
/// reports tokens, the end and failures to the stream's `ReplyChannel`.
///
/// AsyncHTTPClient calls a delegate on its task's event loop, one call at a time, so the mutable
/// state below needs no lock (hence `@unchecked Sendable`).
final class ChatStreamDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    /// The most of an error response's body kept for its message.
    static let errorBodyLimit = 4096

    private let channel: ReplyChannel
    private let url: String
    private let timeouts: OpenAIChatModel.Timeouts
    private var parser = ServerSentEventParser()
    private var status: Int?
    private var errorBody: [UInt8] = []
    /// A 200 answer that is JSON rather than an event stream.
    private var notStreaming = false
    /// The reply finished (`finish_reason` or `[DONE]`); the rest of the body is drained unread so
    /// the connection can be reused.
    private var finished = false
    /// The reply failed here (malformed event, error status); later transport errors are noise.
    private var failed = false

    init(channel: ReplyChannel, url: String, timeouts: OpenAIChatModel.Timeouts) {
        self.channel = channel
        self.url = url
        self.timeouts = timeouts
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        // A complete JSON answer to a streaming request: the server ignored `"stream": true`.
        if status == 200, head.headers["Content-Type"].first?.lowercased().hasPrefix("application/json") == true {
            notStreaming = true
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard !failed, !finished else { return task.eventLoop.makeSucceededVoidFuture() }
        if let status, status != 200 || notStreaming {
            errorBody.append(contentsOf: buffer.readableBytesView.prefix(Self.errorBodyLimit - errorBody.count))
            if errorBody.count >= Self.errorBodyLimit { fail(task, failedAnswer(status)) }
            return task.eventLoop.makeSucceededVoidFuture()
        }
        do {
            var items: [ChatStreamEvent] = []
            for event in try parser.parse(buffer.readableBytesView) {
                guard let item = try ChatStreamEvent.decode(event) else { continue }
                items.append(item)
                if item.endsReply { break }
            }
            if !items.isEmpty { report(items) }
        } catch {
            fail(task, error)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        guard !failed, !finished else { return }
        if let status, status != 200 || notStreaming {
            channel.record { arrivals, now in arrivals.failed(failedAnswer(status), at: now) }
        } else {
            channel.record { arrivals, now in arrivals.failed(.truncated, at: now) }
        }
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        guard !failed else { return }
        failed = true
        let failure = mapped(error)
        // After the end of the reply (a drain that failed) or a cancel, `failed(_:at:)` is ignored.
        channel.record { arrivals, now in arrivals.failed(failure, at: now) }
    }

    /// Reports the events of one network chunk together: they arrived at the same instant.
    private func report(_ items: [ChatStreamEvent]) {
        channel.record { arrivals, now in
            for item in items {
                switch item {
                case .done:
                    arrivals.finished(at: now)
                case .delta(let content, let finishReason):
                    if !content.isEmpty { arrivals.tokenArrived(content, at: now) }
                    if finishReason != nil { arrivals.finished(at: now) }
                }
            }
        }
        finished = items.contains(where: \.endsReply)
    }

    /// Ends the reply with `error` and closes the connection.
    private func fail(_ task: HTTPClient.Task<Void>, _ error: LanguageModelError) {
        failed = true
        channel.record { arrivals, now in arrivals.failed(error, at: now) }
        task.fail(reason: error)
    }

    /// Why an answer that is not a 200 event stream failed.
    private func failedAnswer(_ status: Int) -> LanguageModelError {
        if notStreaming {
            return .requestFailed("the server answered with JSON, not an event stream (does it support \"stream\": true?)")
        }
        return .httpStatus(code: status, message: ServerFailure.message(fromBody: errorBody))
    }

    /// The client's error as the user should read it.
    private func mapped(_ error: any Error) -> LanguageModelError {
        if let error = error as? LanguageModelError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout:
                return .idleTimeout(ms: OpenAIChatModel.milliseconds(timeouts.idle))
            case .deadlineExceeded:
                return .totalTimeout(ms: OpenAIChatModel.milliseconds(timeouts.total))
            case .connectTimeout:
                return .connectionFailed(url: url, reason: "no connection within \(OpenAIChatModel.milliseconds(timeouts.connect)) ms")
            case .remoteConnectionClosed where status == 200:
                return .truncated
            case .cancelled:
                return .requestFailed("cancelled: the model's HTTP client was shut down")
            default:
                break
            }
        }
        let reason = Self.reason(error)
        // Before a response head, any failure is the connection's.
        return status == nil ? .connectionFailed(url: url, reason: reason) : .requestFailed(reason)
    }
}

extension ChatStreamDelegate {
    /// A transport error in a few words: the system's message for a socket error ("Connection
    /// refused"), else the error's own description.
    static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return reason(first.error)
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        return LanguageModelError.oneLine(String(describing: error))
    }
}

extension ChatStreamEvent {
    /// Whether this event ends the reply.
    var endsReply: Bool {
        switch self {
        case .done: return true
        case .delta(_, let finishReason): return finishReason != nil
        }
    }
}
