/// Every text of a scenario synthesized once, before the clock starts, in file order.
///
/// Synthesizing up front means a changed setting can never change the audio (espeak-ng has
/// memory; DESIGN.md §1), and the clock never waits on an engine.
public struct SpeechBank: Sendable {
    private var clips: [String: SynthesizedSpeech] = [:]

    /// An empty bank.
    public init() {}

    private static func key(_ voice: String, _ text: String) -> String { voice + "\u{1F}" + text }

    /// Synthesizes every text of `scenario` with `synthesizer` (only the bot's when `callerSpeech`
    /// is false: a recorded caller needs no synthesized speech).
    public static func prepare(for scenario: Scenario, using synthesizer: SpeechSynthesizer, callerSpeech: Bool = true) throws -> SpeechBank {
        var bank = SpeechBank()
        let callerTexts = callerSpeech ? 0 : scenario.caller.turns.reduce(0) { n, turn in
            n + turn.segments.filter { if case .say = $0 { return true } else { return false } }.count
        }
        for (voice, text) in scenario.textsInFileOrder.dropFirst(callerTexts) where bank.clips[key(voice, text)] == nil {
            bank.clips[key(voice, text)] = try synthesizer.synthesize(text, voice: voice, sampleRate: scenario.audio.sampleRate)
        }
        return bank
    }

    /// Adds a clip (tests, imports).
    public mutating func add(_ speech: SynthesizedSpeech, voice: String, text: String) {
        clips[Self.key(voice, text)] = speech
    }

    /// The clip for `text` in `voice`; a missing one is a programming error (every text is prepared).
    public func clip(voice: String, text: String) -> SynthesizedSpeech {
        guard let clip = clips[Self.key(voice, text)] else {
            preconditionFailure("speech for '\(text)' (\(voice)) was not prepared")
        }
        return clip
    }
}
