import Core
import Engines
import Testing

@Suite struct TokenArrivalsTests {
    private func ms(_ value: Int) -> SimDuration { .milliseconds(value) }

    @Test func takesTokensByElapsedTimeOnce() throws {
        var arrivals = TokenArrivals()
        arrivals.tokenArrived("Hi", at: ms(100))
        arrivals.tokenArrived(" there", at: ms(250))
        #expect(try arrivals.take(until: ms(50)).isEmpty)
        #expect(try arrivals.take(until: ms(100)).map(\.text) == ["Hi"])
        #expect(try arrivals.take(until: ms(200)).isEmpty)
        arrivals.finished(at: ms(300))
        #expect(!arrivals.isComplete)
        #expect(try arrivals.take(until: ms(280)) == [StreamedToken(text: " there", offset: ms(250))])
        // Every token is out, but the end lies after what was taken: not complete yet.
        #expect(!arrivals.isComplete)
        #expect(try arrivals.take(until: ms(300)).isEmpty)
        #expect(arrivals.isComplete)
    }

    @Test func aFailureIsThrownOnceAfterTheTokensBeforeIt() throws {
        var arrivals = TokenArrivals()
        arrivals.tokenArrived("a", at: ms(10))
        arrivals.tokenArrived("b", at: ms(20))
        arrivals.failed(.idleTimeout(ms: 500), at: ms(520))
        arrivals.tokenArrived("late", at: ms(530))  // ignored: the reply has ended
        #expect(try arrivals.take(until: ms(15)).map(\.text) == ["a"])
        // Not reached yet at 400 ms.
        #expect(try arrivals.take(until: ms(400)).map(\.text) == ["b"])
        #expect(try arrivals.take(until: ms(510)).isEmpty)
        #expect(!arrivals.isComplete)
        #expect(throws: LanguageModelError.idleTimeout(ms: 500)) { try arrivals.take(until: ms(600)) }
        #expect(arrivals.isComplete)
        #expect(try arrivals.take(until: ms(700)).isEmpty)
    }

    @Test func pendingTokensComeBeforeTheError() throws {
        var arrivals = TokenArrivals()
        arrivals.tokenArrived("a", at: ms(10))
        arrivals.failed(.truncated, at: ms(20))
        #expect(try arrivals.take(until: ms(1000)).map(\.text) == ["a"])
        #expect(throws: LanguageModelError.truncated) { try arrivals.take(until: ms(1000)) }
    }

    @Test func cancelStopsEverything() throws {
        var arrivals = TokenArrivals()
        arrivals.tokenArrived("a", at: ms(10))
        arrivals.cancelled()
        arrivals.tokenArrived("b", at: ms(20))
        arrivals.failed(.truncated, at: ms(30))
        #expect(arrivals.isComplete)
        #expect(try arrivals.take(until: ms(1000)).isEmpty)
        #expect(arrivals.end == .cancelled)
    }

    @Test func anArrivalNeverLandsInTheTakenPast() throws {
        var arrivals = TokenArrivals()
        #expect(try arrivals.take(until: ms(100)).isEmpty)
        // Stamped in the same microsecond as the take (the taker held the lock first).
        arrivals.tokenArrived("a", at: ms(100))
        #expect(arrivals.tokens.first?.offset == SimDuration(microseconds: 100_001))
        #expect(try arrivals.take(until: ms(200)).map(\.text) == ["a"])
    }
}
