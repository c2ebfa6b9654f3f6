/// Turns per-frame speech decisions into speech start/stop with `start_ms`/`stop_ms` hysteresis.
public struct VADStateMachine: Sendable {
    /// What the VAD tells the rest of the pipeline.
    public enum Action: Equatable, Sendable {
        /// Speech confirmed; it began at `onset`.
        case speechStarted(onset: SimInstant)
        /// Silence confirmed; the last speech frame ended at `lastSpeechEnd`.
        case speechStopped(lastSpeechEnd: SimInstant)
    }

    private enum State: Sendable {
        case silence(runStart: SimInstant?, run: SimDuration)
        case speech(onset: SimInstant, lastSpeechEnd: SimInstant, silentRun: SimDuration)
    }

    private let startAfter: SimDuration
    private let stopAfter: SimDuration
    private let frame: SimDuration
    private var state = State.silence(runStart: nil, run: .zero)

    /// Creates the machine; frames are `frameMs` long.
    public init(startMs: Int, stopMs: Int, frameMs: Int) {
        startAfter = .milliseconds(startMs)
        stopAfter = .milliseconds(stopMs)
        frame = .milliseconds(frameMs)
    }

    /// Whether speech is currently confirmed, and since when.
    public var speechOnset: SimInstant? {
        if case .speech(let onset, _, _) = state { return onset }
        return nil
    }

    /// A frame ending at `end` was classified; returns a transition, if any.
    public mutating func frameClassified(end: SimInstant, isSpeech: Bool) -> Action? {
        switch state {
        case .silence(let runStart, let run):
            guard isSpeech else {
                state = .silence(runStart: nil, run: .zero)
                return nil
            }
            let start = runStart ?? (end - frame)
            let newRun = run + frame
            if newRun >= startAfter {
                state = .speech(onset: start, lastSpeechEnd: end, silentRun: .zero)
                return .speechStarted(onset: start)
            }
            state = .silence(runStart: start, run: newRun)
            return nil
        case .speech(let onset, let lastEnd, let silentRun):
            if isSpeech {
                state = .speech(onset: onset, lastSpeechEnd: end, silentRun: .zero)
                return nil
            }
            let newRun = silentRun + frame
            if newRun >= stopAfter {
                state = .silence(runStart: nil, run: .zero)
                return .speechStopped(lastSpeechEnd: lastEnd)
            }
            state = .speech(onset: onset, lastSpeechEnd: lastEnd, silentRun: newRun)
            return nil
        }
    }
}
