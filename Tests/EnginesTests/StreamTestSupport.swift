import Core
import Engines
import Foundation

/// Runs `body` on a plain thread, as the simulator calls a stream, so that blocking in
/// `tokens(until:)` never holds one of Swift concurrency's few pool threads.
func onPlainThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

/// Wall-clock seconds since `start` (for generous timing bounds only).
func seconds(since start: ContinuousClock.Instant) -> Double {
    let (s, atto) = start.duration(to: .now).components
    return Double(s) + Double(atto) / 1e18
}

/// What a test saw of one streamed reply.
struct Observed: Sendable {
    var tokens: [StreamedToken] = []
    var error: LanguageModelError?
    /// Wall seconds from the request until the error was thrown (or the stream completed).
    var endedAfter = 0.0
    var complete = false
}

/// Streams one reply from `model`, taking tokens by `step` of elapsed time until it is complete.
func drain(_ model: OpenAIChatModel, step: SimDuration = .milliseconds(50), limit: SimDuration = .milliseconds(30_000)) -> Observed {
    var observed = Observed()
    let start = ContinuousClock.now
    do {
        let stream = try model.openStream([ChatMessage(role: "user", content: "Hi")])
        var elapsed = SimDuration.zero
        while !stream.isComplete, elapsed < limit {
            elapsed = elapsed + step
            do {
                observed.tokens += try stream.tokens(until: elapsed)
            } catch {
                observed.error = error
                break
            }
        }
        observed.complete = stream.isComplete
    } catch {
        observed.error = error
    }
    observed.endedAfter = seconds(since: start)
    return observed
}
