/// The end-of-turn policy around a model that scores the user's audio (Smart Turn, a detector
/// behind the external protocol), as Pipecat and eot-bench define it: score when the VAD stops and
/// every `inference_interval_ms` of continued silence, causally; end the turn when P(complete) ≥
/// `threshold` and the silence has lasted `action_delay_ms`; force the end at `timeout_ms` of
/// silence (Pipecat's `stop_secs`).
///
/// Inference takes time on the virtual clock: a score asked for at `t` arrives at `t + inference`
/// (the host adds it; the policy never measures anything). A score that arrives after the user
/// spoke again is stale and ignored; so is a timer of a silence that has ended.
public struct ModelEndpointerStateMachine: Sendable {
    /// The policy's knobs (`pipeline.endpointing.*`).
    public struct Policy: Hashable, Sendable {
        /// P(complete) at or above which the turn may end.
        public var threshold: Double
        /// Silence the turn must have lasted before a complete verdict ends it.
        public var actionDelay: SimDuration
        /// Silence after which the turn ends whatever the model says.
        public var timeout: SimDuration
        /// Silence between two scores while the user stays quiet.
        public var inferenceInterval: SimDuration

        /// A policy with the given knobs.
        public init(threshold: Double, actionDelay: SimDuration, timeout: SimDuration, inferenceInterval: SimDuration) {
            self.threshold = threshold
            self.actionDelay = actionDelay
            self.timeout = timeout
            self.inferenceInterval = inferenceInterval
        }
    }

    /// What the policy asks the host to do.
    public enum Action: Hashable, Sendable {
        /// Score the user's audio from the turn's start up to `audioEnd`; hand the result to
        /// `scoreArrived(request:probability:at:)` with this `request` when inference is done.
        case score(request: Int, audioEnd: SimInstant)
        /// Call `timerFired(id:at:)` at `instant`.
        case scheduleTimer(id: Int, at: SimInstant)
        /// The model's verdict on a score (for the `eot.prediction` event).
        case verdict(request: Int, probability: Double, complete: Bool)
        /// The user's turn is over: `reason` `model` (a complete verdict) or `timeout`.
        case endTurn(reason: String, waited: SimDuration)
    }

    /// Where the turn stands.
    private enum State: Hashable, Sendable {
        /// No user speech yet (or the last turn ended).
        case idle
        /// The user is speaking.
        case speaking
        /// Silence since `speechEnd`; `pending` is the score in flight (if any); `complete` whether
        /// a score of this silence said complete (then the end waits only for the action delay).
        case silent(speechEnd: SimInstant, pending: Int?, complete: Bool)
    }

    /// What a timer is for.
    private enum Timer: Hashable, Sendable {
        case nextScore
        case actionDelay
        case timeout
    }

    /// The knobs.
    public let policy: Policy
    private var state = State.idle
    private var serial = 0
    private var silence = 0
    private var timers: [Int: (silence: Int, kind: Timer)] = [:]

    /// A policy machine, idle.
    public init(policy: Policy) {
        self.policy = policy
    }

    /// VAD confirmed speech: any silence in progress (its scores and timers) is over.
    public mutating func speechStarted() {
        state = .speaking
        timers.removeAll()
    }

    /// VAD confirmed silence at `now`; the speech ended at `speechEnd`. Scores the audio so far
    /// and sets the timeout.
    public mutating func speechStopped(at now: SimInstant, speechEnd: SimInstant) -> [Action] {
        silence += 1
        timers.removeAll()
        let request = nextSerial()
        state = .silent(speechEnd: speechEnd, pending: request, complete: false)
        return [.score(request: request, audioEnd: now), schedule(.timeout, at: speechEnd + policy.timeout)]
    }

    /// A score asked for by `.score(request:…)` is done at `now`.
    public mutating func scoreArrived(request: Int, probability: Double, at now: SimInstant) -> [Action] {
        guard case .silent(let speechEnd, let pending, _) = state, pending == request else { return [] }
        let complete = probability >= policy.threshold
        var actions: [Action] = [.verdict(request: request, probability: probability, complete: complete)]
        if complete {
            let due = speechEnd + policy.actionDelay
            if now >= due {
                actions.append(endTurn(reason: "model", waited: now - speechEnd))
            } else {
                state = .silent(speechEnd: speechEnd, pending: nil, complete: true)
                actions.append(schedule(.actionDelay, at: due))
            }
        } else {
            state = .silent(speechEnd: speechEnd, pending: nil, complete: false)
            actions.append(schedule(.nextScore, at: now + policy.inferenceInterval))
        }
        return actions
    }

    /// A timer set by `.scheduleTimer` went off at `now`.
    public mutating func timerFired(id: Int, at now: SimInstant) -> [Action] {
        guard let timer = timers.removeValue(forKey: id), timer.silence == silence,
              case .silent(let speechEnd, let pending, let complete) = state else { return [] }
        switch timer.kind {
        case .timeout:
            return [endTurn(reason: "timeout", waited: now - speechEnd)]
        case .actionDelay:
            guard complete else { preconditionFailure("an action-delay timer without a complete verdict (state \(state))") }
            return [endTurn(reason: "model", waited: now - speechEnd)]
        case .nextScore:
            guard pending == nil else { return [] }
            let request = nextSerial()
            state = .silent(speechEnd: speechEnd, pending: request, complete: false)
            return [.score(request: request, audioEnd: now)]
        }
    }

    private mutating func endTurn(reason: String, waited: SimDuration) -> Action {
        state = .idle
        timers.removeAll()
        return .endTurn(reason: reason, waited: waited)
    }

    private mutating func schedule(_ kind: Timer, at instant: SimInstant) -> Action {
        let id = nextSerial()
        timers[id] = (silence, kind)
        return .scheduleTimer(id: id, at: instant)
    }

    private mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }
}
