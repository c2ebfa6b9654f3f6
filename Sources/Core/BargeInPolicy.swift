/// Decides when user speech during the bot's playback interrupts it.
///
/// Fires once per playback when VAD speech has lasted `min_speech_ms` (counted from its onset) and
/// at least `min_words` words were transcribed since the playback started. A cough shorter than
/// `min_speech_ms` never fires.
public struct BargeInPolicy: Sendable {
    /// The decision.
    public struct Interruption: Equatable, Sendable {
        /// `vad` or `words`: which condition was the binding one.
        public var trigger: String
        /// How long the user had been speaking.
        public var speech: SimDuration
        /// When the speech began.
        public var onset: SimInstant

        /// Creates a decision.
        public init(trigger: String, speech: SimDuration, onset: SimInstant) {
            self.trigger = trigger
            self.speech = speech
            self.onset = onset
        }
    }

    private let enabled: Bool
    private let minSpeech: SimDuration
    private let minWords: Int
    private var botSpeaking = false
    private var fired = false
    private var speechOnset: SimInstant?
    private var committedWords = 0
    private var partialWords = 0

    /// Creates the policy from its settings.
    public init(settings: PipelineSettings.BargeIn) {
        enabled = settings.mode != "none"
        minSpeech = .milliseconds(settings.minSpeechMs)
        minWords = settings.minWords
    }

    /// The bot started playing a reply.
    public mutating func playbackStarted() {
        botSpeaking = true
        fired = false
        committedWords = 0
        partialWords = 0
    }

    /// The bot's playback ended (done or interrupted).
    public mutating func playbackStopped() {
        botSpeaking = false
    }

    /// VAD confirmed speech that began at `onset`.
    public mutating func speechStarted(onset: SimInstant) { speechOnset = onset }

    /// VAD confirmed silence.
    public mutating func speechStopped() { speechOnset = nil }

    /// A transcript arrived (words count only while the bot speaks).
    public mutating func transcriptReceived(_ text: String, isFinal: Bool) {
        guard botSpeaking else { return }
        let n = text.words.count
        if isFinal {
            committedWords += n
            partialWords = 0
        } else {
            partialWords = n
        }
    }

    /// A mic frame ending at `now` was processed: interrupt now?
    public mutating func frameProcessed(at now: SimInstant) -> Interruption? {
        guard enabled, botSpeaking, !fired, let onset = speechOnset else { return nil }
        let speech = now - onset
        let words = committedWords + partialWords
        guard speech >= minSpeech, words >= minWords else { return nil }
        fired = true
        return Interruption(trigger: minWords > 0 ? "words" : "vad", speech: speech, onset: onset)
    }
}
