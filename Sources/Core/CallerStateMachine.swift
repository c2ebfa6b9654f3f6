/// The simulated caller's turn-taking: when to start each turn, reacting to the bot.
///
/// The first turn starts at `start_ms`. After each turn the caller waits for the bot's reply and
/// starts the next turn `gap_ms` after the reply stops, or `barge_in_after_ms` into the reply when
/// the next turn says so. A reply counts when it starts after the caller finished, or was already
/// playing and ends normally (a reply to a cut-off that gets interrupted does not count). With no
/// reply within `patience_ms` the caller goes on anyway. After the last turn the session ends a
/// second after the bot's last reply.
public struct CallerStateMachine: Sendable {
    /// What the caller does.
    public enum Action: Equatable, Sendable {
        /// Call `timerFired(id:)` at `instant`.
        case scheduleTimer(id: Int, at: SimInstant)
        /// Start speaking turn `index` (0-based) now.
        case startTurn(index: Int)
        /// The conversation is over.
        case endSession(reason: String)
    }

    private enum State: Sendable {
        case notStarted
        case waitingToSpeak(turn: Int, timer: Int)
        case speaking(turn: Int)
        /// `next == turnCount` means the caller has nothing left to say.
        case waitingForBot(next: Int, sawReply: Bool, earlyReply: Bool, timer: Int, timerStartsTurn: Bool)
        case ending(timer: Int)
        case done
    }

    private let turns: [Scenario.CallerTurn]
    private let start: SimDuration
    private let patience: SimDuration
    private let tail = SimDuration.milliseconds(1000)
    private var state = State.notStarted
    private var serial = 0

    /// Creates the caller from the scenario's caller section.
    public init(caller: Scenario.Caller) {
        turns = caller.turns
        start = .milliseconds(caller.startMs)
        patience = .milliseconds(caller.patienceMs)
    }

    private mutating func newTimer() -> Int { serial += 1; return serial }

    /// The session started at time zero.
    public mutating func sessionStarted() -> [Action] {
        let id = newTimer()
        state = .waitingToSpeak(turn: 0, timer: id)
        return [.scheduleTimer(id: id, at: .zero + start)]
    }

    /// Turn `index` started at a time decided elsewhere (a replay pins the recorded start).
    public mutating func turnStartedExternally(_ index: Int) {
        state = .speaking(turn: index)
    }

    /// The caller's audio for the current turn has ended at `now`; `botPlaying` tells whether a reply is audible.
    public mutating func turnFinished(at now: SimInstant, botPlaying: Bool) -> [Action] {
        guard case .speaking(let turn) = state else { return [] }
        let id = newTimer()
        state = .waitingForBot(next: turn + 1, sawReply: false, earlyReply: botPlaying, timer: id, timerStartsTurn: false)
        return [.scheduleTimer(id: id, at: now + patience)]
    }

    /// The bot's playback started at `now`.
    public mutating func playbackStarted(at now: SimInstant) -> [Action] {
        guard case .waitingForBot(let next, _, let early, _, _) = state else { return [] }
        let id = newTimer()
        if next < turns.count, let after = turns[next].bargeInAfterMs {
            state = .waitingForBot(next: next, sawReply: true, earlyReply: early, timer: id, timerStartsTurn: true)
            return [.scheduleTimer(id: id, at: now + .milliseconds(after))]
        }
        // Waiting for the reply to end: no patience timeout while the bot talks.
        state = .waitingForBot(next: next, sawReply: true, earlyReply: early, timer: id, timerStartsTurn: false)
        return []
    }

    /// The bot's playback stopped at `now`.
    public mutating func playbackStopped(at now: SimInstant, interrupted: Bool) -> [Action] {
        guard case .waitingForBot(let next, let saw, let early, let timer, let startsTurn) = state else { return [] }
        guard saw || (early && !interrupted) else {
            state = .waitingForBot(next: next, sawReply: false, earlyReply: false, timer: timer, timerStartsTurn: startsTurn)
            return []
        }
        let id = newTimer()
        if next >= turns.count {
            state = .ending(timer: id)
            return [.scheduleTimer(id: id, at: now + tail)]
        }
        state = .waitingForBot(next: next, sawReply: saw, earlyReply: false, timer: id, timerStartsTurn: true)
        return [.scheduleTimer(id: id, at: now + .milliseconds(turns[next].gapMs))]
    }

    /// A timer went off.
    public mutating func timerFired(id: Int, at now: SimInstant) -> [Action] {
        switch state {
        case .waitingToSpeak(let turn, let timer) where timer == id:
            state = .speaking(turn: turn)
            return [.startTurn(index: turn)]
        case .waitingForBot(let next, _, _, let timer, _) where timer == id:
            if next >= turns.count {
                // Patience ran out after the last turn: the bot never answered it.
                state = .done
                return [.endSession(reason: "no_reply")]
            }
            state = .speaking(turn: next)
            return [.startTurn(index: next)]
        case .ending(let timer) where timer == id:
            state = .done
            return [.endSession(reason: "done")]
        default:
            return []
        }
    }
}
