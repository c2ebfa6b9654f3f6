import AsyncHTTPClient
import Core
import Foundation

/// One streaming reply of an `OpenAIChatModel`, taken by the simulation thread.
///
/// The response is read on the HTTP client's event loop; `tokens(until:)` blocks the calling thread
/// (a plain thread, not async code) until `elapsed` of wall time has passed since the request or the
/// reply has ended, then returns the tokens that had arrived by `elapsed`.
public final class OpenAIChatStream: LanguageModelStream {
    private let channel: ReplyChannel
    private let task: HTTPClient.Task<Void>

    init(channel: ReplyChannel, task: HTTPClient.Task<Void>) {
        self.channel = channel
        self.task = task
    }

    deinit {
        cancel()
    }

    /// Tokens with `offset ≤ elapsed` not returned before, in arrival order, after waiting until
    /// `elapsed` has passed in wall time or the reply has ended. Throws the reply's failure once,
    /// after every token that arrived before it.
    public func tokens(until elapsed: SimDuration) throws(LanguageModelError) -> [StreamedToken] {
        try channel.take(until: elapsed)
    }

    /// Whether nothing more will come: cancelled, failed (error thrown), or finished with every token
    /// returned and `tokens(until:)` called at or past the end of the stream.
    public var isComplete: Bool { channel.snapshot().isComplete }

    /// Everything that arrived so far and how the reply ended (e.g. to record the server's timing).
    public var arrivals: TokenArrivals { channel.snapshot() }

    /// Closes the connection (the server sees it and stops generating); nothing more is returned.
    /// Idempotent.
    public func cancel() {
        if channel.cancel() { task.cancel() }
    }
}

/// The state a stream shares between the event loop (arrivals) and the simulation thread (takes).
final class ReplyChannel: @unchecked Sendable {
    // `arrivals` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var arrivals = TokenArrivals()
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    /// Starts the reply's clock: offsets are measured from now.
    init() {
        start = clock.now
    }

    /// Wall time since the request, in whole microseconds.
    private func elapsedNow() -> SimDuration {
        let (seconds, attoseconds) = start.duration(to: clock.now).components
        return SimDuration(microseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }

    /// Applies an arrival at the current offset (read under the lock, so a take never misses an
    /// arrival it could have seen) and wakes the taker.
    func record(_ update: (inout TokenArrivals, SimDuration) -> Void) {
        condition.lock()
        update(&arrivals, elapsedNow())
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `elapsed` has passed or the reply has ended, then takes the tokens up to `elapsed`.
    func take(until elapsed: SimDuration) throws(LanguageModelError) -> [StreamedToken] {
        condition.lock()
        defer { condition.unlock() }
        while !arrivals.hasEnded {
            let remaining = elapsed - elapsedNow()
            if remaining <= .zero { break }
            // The wait is bounded by the remaining time; the loop re-checks on the monotonic clock.
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(remaining.microseconds) / 1_000_000))
        }
        return try arrivals.take(until: elapsed)
    }

    /// Marks the reply cancelled; returns whether it was still running (the request must be stopped).
    func cancel() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if case .cancelled = arrivals.end { return false }
        let running = !arrivals.hasEnded
        arrivals.cancelled()
        condition.broadcast()
        return running
    }

    /// A copy of the arrivals so far.
    func snapshot() -> TokenArrivals {
        condition.lock()
        defer { condition.unlock() }
        return arrivals
    }
}
