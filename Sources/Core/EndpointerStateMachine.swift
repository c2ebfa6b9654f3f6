/// Decides when the user's turn is over, from VAD transitions, transcripts and time.
///
/// `silence` mode ends the turn `silence_ms` after the last speech. `smart` mode waits `silence_ms`
/// when the transcript looks finished and up to `max_delay_ms` when it does not (trailing
/// conjunction, filler or preposition, or no terminal punctuation). Either mode needs some transcript:
/// without one it waits for it, at most `max_delay_ms` after the speech, and then drops the speech as noise.
public struct EndpointerStateMachine: Sendable {
    /// What the endpointer asks the pipeline to do.
    public enum Action: Equatable, Sendable {
        /// Call `timerFired(id:)` at `instant`.
        case scheduleTimer(id: Int, at: SimInstant)
        /// The user's turn is over.
        case endTurn(reason: String, waited: SimDuration, transcript: String)
        /// Speech ended with no transcript within `max_delay_ms`: not a turn.
        case discardSpeech
    }

    private enum State: Sendable {
        case idle
        case userSpeaking
        case waiting(speechEnd: SimInstant, timer: Int)
    }

    private let smart: Bool
    private let silence: SimDuration
    private let maxDelay: SimDuration
    private var state = State.idle
    private var timerSerial = 0
    private var finals: [String] = []
    private var partial = ""
    private var newestSegment = -1
    /// The newest segment that was part of an ended turn, and how many of its words it used:
    /// later output for that segment only contributes the words after those.
    private var consumed = (segment: -1, words: 0)

    /// Creates the endpointer from its settings.
    public init(settings: PipelineSettings.Endpointing) {
        smart = settings.mode == "smart"
        silence = .milliseconds(settings.silenceMs)
        maxDelay = .milliseconds(settings.maxDelayMs)
    }

    /// The transcript of the turn so far.
    public var transcript: String {
        (finals + (partial.isEmpty ? [] : [partial])).joined(separator: " ")
    }

    /// VAD confirmed speech.
    public mutating func speechStarted() {
        state = .userSpeaking
    }

    /// VAD confirmed silence; the last speech ended at `lastSpeechEnd`.
    public mutating func speechStopped(at now: SimInstant, lastSpeechEnd: SimInstant) -> [Action] {
        timerSerial += 1
        state = .waiting(speechEnd: lastSpeechEnd, timer: timerSerial)
        return decide(now: now)
    }

    /// A transcript arrived for `segment` (partial: the segment so far; final: the whole segment).
    public mutating func transcriptReceived(_ text: String, isFinal: Bool, segment: Int, at now: SimInstant) -> [Action] {
        guard segment >= consumed.segment else { return [] }
        var words = text.words
        if segment == consumed.segment {
            guard words.count > consumed.words else { return [] }
            words.removeFirst(consumed.words)
        }
        let fresh = words.joined(separator: " ")
        newestSegment = max(newestSegment, segment)
        if isFinal {
            finals.append(fresh)
            partial = ""
        } else {
            partial = fresh
        }
        if case .waiting = state { return decide(now: now) }
        return []
    }

    /// A timer set by `scheduleTimer` went off.
    public mutating func timerFired(id: Int, at now: SimInstant) -> [Action] {
        guard case .waiting(_, let timer) = state, timer == id else { return [] }
        return decide(now: now)
    }

    private mutating func decide(now: SimInstant) -> [Action] {
        guard case .waiting(let speechEnd, let timer) = state else { return [] }
        let text = transcript
        let giveUp = speechEnd + maxDelay
        if text.isEmpty {
            if now >= giveUp {
                state = .idle
                return [.discardSpeech]
            }
            return [.scheduleTimer(id: timer, at: giveUp)]
        }
        let complete = Self.looksComplete(text)
        let wait = smart && !complete ? maxDelay : silence
        let deadline = speechEnd + wait
        guard now >= deadline else { return [.scheduleTimer(id: timer, at: deadline)] }
        let reason: String
        if now > max(deadline, speechEnd + silence) + SimDuration.milliseconds(1) && wait == silence {
            reason = "late_transcript"
        } else if smart {
            reason = complete ? "smart" : "max_delay"
        } else {
            reason = "silence"
        }
        let action = Action.endTurn(reason: reason, waited: now - speechEnd, transcript: text)
        endTurn()
        return [action]
    }

    /// Another policy (the model endpointer) ended the turn: the transcript starts over, as after
    /// this endpointer's own end of turn.
    public mutating func turnEndedElsewhere() {
        endTurn()
    }

    private mutating func endTurn() {
        state = .idle
        if newestSegment >= 0 {
            // A partial means the segment may still grow; a final closed it.
            let used = partial.isEmpty ? Int.max : partial.words.count + (newestSegment == consumed.segment ? consumed.words : 0)
            consumed = (newestSegment, used)
        }
        finals = []
        partial = ""
    }

    /// Words that, at the end of a transcript, mean the speaker is not done.
    public static let continuationWords: [String] = [
        "and", "but", "or", "so", "because", "if", "then", "that", "which", "who", "with", "for", "to", "of",
        "in", "on", "at", "from", "by", "a", "an", "the", "my", "your", "um", "uh", "er", "erm", "hmm",
        "like", "maybe", "about", "is", "are", "i", "we", "it's", "i'm", "let", "let's",
    ]

    /// Whether `text` reads as a finished utterance: terminal punctuation and no dangling word.
    public static func looksComplete(_ text: String) -> Bool {
        let t = text.trimmed
        guard let last = t.last, ".?!".contains(last), !t.hasSuffix("...") else { return false }
        let lastWord = t.words.last.map { String($0.lowercased().filter { $0.isLetter || $0 == "'" }) } ?? ""
        return !continuationWords.contains(lastWord)
    }
}
