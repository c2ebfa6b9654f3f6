/// Every text of a scenario synthesized once, before the clock starts, in file order.
///
/// Synthesizing up front means a changed setting can never change the audio (espeak-ng has
/// memory; DESIGN.md §1), and the clock never waits on an engine.
public struct SpeechBank: Sendable {
    private var clips: [String: SynthesizedSpeech] = [:]
    private var recorded: [String: [Int16]] = [:]

    /// An empty bank.
    public init() {}

    private static func key(_ voice: String, _ text: String) -> String { voice + "\u{1F}" + text }
    private static func clipKey(_ path: String, _ text: String) -> String { "\u{1E}" + path + "\u{1F}" + text }

    /// Synthesizes every text of `scenario` with `synthesizer` (only the bot's when `callerSpeech`
    /// is false: a recorded caller needs no synthesized speech), and loads its recorded clips and
    /// noise file from `files` (needed when the scenario names any).
    public static func prepare(
        for scenario: Scenario, using synthesizer: SpeechSynthesizer, callerSpeech: Bool = true, files: AudioClipSource? = nil
    ) throws -> SpeechBank {
        var bank = SpeechBank()
        let rate = scenario.audio.sampleRate
        for path in scenario.clipPathsInFileOrder where callerSpeech || path == scenario.pipeline.noise.file {
            guard let files else { preconditionFailure("the scenario names recorded audio ('\(path)') but no source was given") }
            bank.recorded[path] = try files.samples(of: path, sampleRate: rate)
        }
        if callerSpeech {
            for turn in scenario.caller.turns {
                for case .clip(let path, let text) in turn.segments where bank.clips[clipKey(path, text)] == nil {
                    let samples = bank.recorded[path]!
                    bank.clips[clipKey(path, text)] = SynthesizedSpeech(
                        samples: samples, words: ClipWordAligner.words(of: text, in: samples, sampleRate: rate))
                }
            }
        }
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

    /// The recorded clip `path` saying `text`, with its words placed on the audio.
    public func clip(path: String, text: String) -> SynthesizedSpeech {
        guard let clip = clips[Self.clipKey(path, text)] else { preconditionFailure("clip '\(path)' was not prepared") }
        return clip
    }

    /// The samples of the recorded file `path` (a clip or the noise recording), if prepared.
    public func recording(_ path: String) -> [Int16]? { recorded[path] }

    /// Every recorded file's samples, sorted by path (what an archive keeps so replays need no files).
    public var recordings: [(path: String, samples: [Int16])] {
        recorded.keys.sorted().map { ($0, recorded[$0]!) }
    }

    /// The clip for `text` in `voice`; a missing one is a programming error (every text is prepared).
    public func clip(voice: String, text: String) -> SynthesizedSpeech {
        guard let clip = clips[Self.key(voice, text)] else {
            preconditionFailure("speech for '\(text)' (\(voice)) was not prepared")
        }
        return clip
    }
}
