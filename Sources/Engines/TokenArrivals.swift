import Core

/// The tokens of one streamed reply as they arrived, how the reply ended, and what the simulation
/// has taken so far: the bookkeeping of a `LanguageModelStream`, with no I/O and no clock.
///
/// The network side reports arrivals (`tokenArrived`, `finished`, `failed`); the simulation side
/// takes them by elapsed time (`take(until:)`). Offsets are measured from the request. An arrival
/// is never placed at or before an offset the simulation has already taken up to, so a token cannot
/// land in the simulation's past.
public struct TokenArrivals: Sendable {
    /// How a reply ended.
    public enum End: Equatable, Sendable {
        /// The server finished the reply (`finish_reason` or `[DONE]`) at this offset.
        case finished(at: SimDuration)
        /// The reply failed at this offset.
        case failed(LanguageModelError, at: SimDuration)
        /// The client cancelled the request.
        case cancelled
    }

    /// Every token that arrived, in order.
    public private(set) var tokens: [StreamedToken] = []
    /// How the reply ended; nil while it is still streaming.
    public private(set) var end: End?
    /// The largest `elapsed` taken up to.
    public private(set) var takenUntil: SimDuration = SimDuration(microseconds: -1)
    private var returned = 0
    private var errorThrown = false

    /// Creates the arrivals of a reply that has just been requested.
    public init() {}

    /// Whether the reply has ended (finished, failed or cancelled), whatever has been taken.
    public var hasEnded: Bool { end != nil }

    /// Whether nothing more will be taken: cancelled, failed with the error thrown, or finished with
    /// every token taken and `take(until:)` called at or past the finish.
    public var isComplete: Bool {
        switch end {
        case nil: return false
        case .cancelled: return true
        case .failed: return errorThrown
        case .finished(let at): return returned == tokens.count && takenUntil >= at
        }
    }

    /// `offset` moved just past what was already taken (only an arrival in the same microsecond as
    /// a take moves).
    private func placed(_ offset: SimDuration) -> SimDuration {
        max(offset, takenUntil + SimDuration(microseconds: 1))
    }

    /// A token arrived `offset` after the request. Ignored once the reply has ended.
    public mutating func tokenArrived(_ text: String, at offset: SimDuration) {
        guard end == nil else { return }
        let at = max(placed(offset), tokens.last?.offset ?? .zero)
        tokens.append(StreamedToken(text: text, offset: at))
    }

    /// The server finished the reply. Ignored once the reply has ended.
    public mutating func finished(at offset: SimDuration) {
        guard end == nil else { return }
        end = .finished(at: max(placed(offset), tokens.last?.offset ?? .zero))
    }

    /// The reply failed. Ignored once the reply has ended (the first ending wins).
    public mutating func failed(_ error: LanguageModelError, at offset: SimDuration) {
        guard end == nil else { return }
        end = .failed(error, at: max(placed(offset), tokens.last?.offset ?? .zero))
    }

    /// The client cancelled: nothing more is taken, whatever had arrived. Overrides any ending.
    public mutating func cancelled() {
        end = .cancelled
    }

    /// Tokens with `offset ≤ elapsed` not taken before, in order. When there are none and the reply
    /// failed at or before `elapsed`, throws its error (once).
    public mutating func take(until elapsed: SimDuration) throws(LanguageModelError) -> [StreamedToken] {
        if case .cancelled = end { return [] }
        takenUntil = max(takenUntil, elapsed)
        var last = returned
        while last < tokens.count, tokens[last].offset <= elapsed { last += 1 }
        let taken = Array(tokens[returned..<last])
        returned = last
        if taken.isEmpty, case .failed(let error, let at) = end, at <= elapsed, !errorThrown {
            errorThrown = true
            throw error
        }
        return taken
    }
}
