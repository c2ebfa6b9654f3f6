/// A language model played back from a session's events: each request gets the tokens the
/// recorded request for the same caller turn got, at the same offsets from the request.
///
/// This is what makes a session recorded against a live server (`pipeline.llm.engine: openai`)
/// replay without the server. It behaves like a live stream polled by the simulation: tokens up to
/// `elapsed` are returned, and the end (or failure) is seen at the first poll at or after its
/// recorded offset, so an unchanged replay makes the same events at the same instants.
/// A request for the *n*-th attempt at a caller turn gets the recording's *n*-th attempt, or its
/// last one when the recording made fewer (a counterfactual that splits a turn asks again).
public final class RecordedLanguageModel: LanguageModel {
    /// One recorded reply.
    public struct Reply: Equatable, Sendable {
        /// Tokens with their offsets from the request.
        public var tokens: [StreamedToken]
        /// When the stream was seen to end, fail or be cancelled, from the request.
        public var end: SimDuration
        /// The failure the stream ended with, if any.
        public var failure: String?
        /// Whether the recording cut it short (barge-in, superseded): only its tokens are known.
        public var cancelled: Bool
    }

    /// Replies by caller turn (0-based `reply_index`), attempts in order.
    public private(set) var replies: [Int: [Reply]] = [:]
    private var attempts: [Int: Int] = [:]
    /// The caller turn the next request answers (set by the simulation before each request).
    public var nextCallerTurn = 0

    /// Reads the replies from `events` (`llm.request`, then its `llm.token`s and `llm.done` or
    /// `llm.cancel`, matched by turn).
    public init(events: [PipelineEvent]) {
        var open: [Int: (index: Int, start: SimInstant, reply: Reply)] = [:]
        var order: [Int] = []
        func close(_ turn: Int, at time: SimInstant, failure: String?, cancelled: Bool) {
            guard var o = open.removeValue(forKey: turn) else { return }
            o.reply.end = time - o.start
            o.reply.failure = failure
            o.reply.cancelled = cancelled
            replies[o.index, default: []].append(o.reply)
        }
        for e in events {
            guard let turn = e.turn else { continue }
            switch e.kind {
            case .llmRequest:
                close(turn, at: e.time, failure: nil, cancelled: true)
                let index = Int(e.data["reply_index"]?.intValue ?? 0)
                open[turn] = (index, e.time, Reply(tokens: [], end: .zero, failure: nil, cancelled: false))
                order.append(turn)
            case .llmToken:
                guard var o = open[turn], let text = e.data["text"]?.stringValue else { continue }
                o.reply.tokens.append(StreamedToken(text: text, offset: e.time - o.start))
                open[turn] = o
            case .llmDone:
                close(turn, at: e.time, failure: nil, cancelled: false)
            case .llmCancel:
                let reason = e.data["reason"]?.stringValue
                close(turn, at: e.time, failure: reason == "error" ? (e.data["error"]?.stringValue ?? "error") : nil, cancelled: reason != "error")
            default:
                continue
            }
        }
    }

    public func stream(_ messages: [ChatMessage]) throws -> any LanguageModelStream {
        let turn = nextCallerTurn
        let attempt = attempts[turn, default: 0]
        attempts[turn] = attempt + 1
        guard let recorded = replies[turn], let last = recorded.last else {
            return Stream(reply: Reply(tokens: [], end: .zero, failure: "the recording has no reply for caller turn \(turn + 1)", cancelled: false))
        }
        // A reply the recording cut short ends where it was cut (an unchanged replay cuts it there
        // first; a counterfactual that lets it run gets only the tokens the recording has).
        return Stream(reply: attempt < recorded.count ? recorded[attempt] : last)
    }

    final class Stream: LanguageModelStream {
        let reply: Reply
        var next = 0
        var done = false
        var stopped = false

        init(reply: Reply) { self.reply = reply }

        func tokens(until elapsed: SimDuration) throws -> [StreamedToken] {
            guard !stopped, !done else { return [] }
            var out: [StreamedToken] = []
            while next < reply.tokens.count, reply.tokens[next].offset <= elapsed {
                out.append(reply.tokens[next])
                next += 1
            }
            if next == reply.tokens.count, elapsed >= reply.end {
                // A failure is thrown by a poll that returns no tokens (as a live stream does).
                if let failure = reply.failure {
                    if out.isEmpty {
                        done = true
                        throw RecordedFailure(message: failure)
                    }
                } else {
                    done = true
                }
            }
            return out
        }

        var isComplete: Bool { done }

        func cancel() { stopped = true }
    }

    /// The failure a recorded stream ended with.
    public struct RecordedFailure: Error, CustomStringConvertible {
        /// The recorded message.
        public var message: String
        public var description: String { message }
    }
}
