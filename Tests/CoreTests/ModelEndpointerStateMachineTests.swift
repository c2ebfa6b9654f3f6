import Core
import Testing

/// The model policy fed inputs by a tiny host (no I/O): VAD stops and starts, a score function of the
/// audio's end, and inference time on the virtual clock.
@Suite struct ModelEndpointerStateMachineTests {
    struct Outcome: Equatable {
        var end: Int64?
        var reason: String?
        var scores: [(at: Int64, probability: Double)]

        static func == (a: Outcome, b: Outcome) -> Bool {
            a.end == b.end && a.reason == b.reason && a.scores.map(\.at) == b.scores.map(\.at)
        }
    }

    /// Runs the policy: speech stops at `stopMs` (speech ended `stopMs - 200`), resumes at `resumeMs`
    /// (if given), `score(audioEndMs)` is the model; inference takes `inferenceMs`.
    func run(_ policy: ModelEndpointerStateMachine.Policy, stopMs: Int64 = 1000, resumeMs: Int64? = nil,
             inferenceMs: Int64 = 40, score: (Int64) -> Double) -> Outcome {
        var machine = ModelEndpointerStateMachine(policy: policy)
        machine.speechStarted()
        // Pending host work: (time, order, what).
        enum Work { case stop, resume, timer(Int), result(Int, Double) }
        var queue: [(at: Int64, order: Int, work: Work)] = [(stopMs, 0, .stop)]
        if let resumeMs { queue.append((resumeMs, 1, .resume)) }
        var order = 2
        var outcome = Outcome(end: nil, reason: nil, scores: [])
        func take(_ actions: [ModelEndpointerStateMachine.Action], now: Int64) {
            for action in actions {
                switch action {
                case .score(let request, let audioEnd):
                    queue.append((now + inferenceMs, order, .result(request, score(audioEnd.microseconds / 1000))))
                case .scheduleTimer(let id, let at):
                    queue.append((at.microseconds / 1000, order, .timer(id)))
                case .verdict(_, let probability, _):
                    outcome.scores.append((now, probability))
                case .endTurn(let reason, _):
                    if outcome.end == nil { outcome.end = now; outcome.reason = reason }
                }
                order += 1
            }
        }
        while !queue.isEmpty, outcome.end == nil {
            queue.sort { ($0.at, $0.order) < ($1.at, $1.order) }
            let next = queue.removeFirst()
            let now = SimInstant.milliseconds(next.at)
            switch next.work {
            case .stop: take(machine.speechStopped(at: now, speechEnd: .milliseconds(stopMs - 200)), now: next.at)
            case .resume: machine.speechStarted()
            case .timer(let id): take(machine.timerFired(id: id, at: now), now: next.at)
            case .result(let request, let p): take(machine.scoreArrived(request: request, probability: p, at: now), now: next.at)
            }
            if next.at > 60_000 { break }
        }
        return outcome
    }

    static let pipecat = ModelEndpointerStateMachine.Policy(
        threshold: 0.5, actionDelay: .milliseconds(0), timeout: .milliseconds(3000), inferenceInterval: .milliseconds(100))

    @Test func aCompleteVerdictEndsTheTurnWhenTheInferenceIsDone() {
        let outcome = run(Self.pipecat) { _ in 0.9 }
        #expect(outcome.end == 1040 && outcome.reason == "model")
        #expect(outcome.scores.map(\.at) == [1040])
    }

    @Test func theActionDelayHoldsACompleteVerdictUntilTheSilenceIsLongEnough() {
        var policy = Self.pipecat
        policy.actionDelay = .milliseconds(600)
        // Speech ended at 800 ms: the end waits until 1400 ms.
        let outcome = run(policy) { _ in 0.9 }
        #expect(outcome.end == 1400 && outcome.reason == "model")
    }

    @Test func anIncompleteVerdictIsScoredAgainEveryIntervalUntilComplete() {
        // The model says complete once the audio reaches 1.3 s.
        let outcome = run(Self.pipecat) { end in end >= 1300 ? 0.8 : 0.1 }
        // Scores at 1040 (audio to 1000), 1180 (to 1140), 1320 (to 1280), 1460 (to 1420): complete.
        #expect(outcome.scores.map(\.at) == [1040, 1180, 1320, 1460])
        #expect(outcome.end == 1460 && outcome.reason == "model")
    }

    @Test func aModelThatNeverSaysCompleteEndsAtTheTimeout() {
        let outcome = run(Self.pipecat) { _ in 0.2 }
        #expect(outcome.end == 3800 && outcome.reason == "timeout", "3 s after the speech ended at 800 ms")
    }

    @Test func theThresholdDecides() {
        var low = Self.pipecat
        low.threshold = 0.05
        #expect(run(low) { _ in 0.08 }.reason == "model")
        #expect(run(Self.pipecat) { _ in 0.08 }.reason == "timeout")
    }

    @Test func speechAgainBeforeTheScoreMakesItStaleAndCancelsTheTimeout() {
        // The user speaks again at 1020 ms, before the score (due 1040) arrives: nothing ends the turn.
        let outcome = run(Self.pipecat, resumeMs: 1020) { _ in 0.99 }
        #expect(outcome.end == nil && outcome.scores.isEmpty)
    }

    @Test func inferenceTimeIsPartOfTheLatency() {
        let slow = run(Self.pipecat, inferenceMs: 180) { _ in 0.9 }
        #expect(slow.end == 1180)
        // A timeout shorter than the inference (pipecat issue #5006): the turn ends by timeout first.
        var short = Self.pipecat
        short.timeout = .milliseconds(300)
        #expect(run(short, inferenceMs: 400) { _ in 0.9 } == Outcome(end: 1100, reason: "timeout", scores: []))
    }
}
