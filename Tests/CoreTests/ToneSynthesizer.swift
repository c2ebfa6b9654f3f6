import Core
import RealModule

/// A test synthesizer: each word is a 220 Hz tone burst whose length follows the word's length,
/// with 60 ms gaps and a 250 ms pause after a comma or full stop. Deterministic and history-free,
/// so Core tests can run the whole pipeline without espeak-ng.
final class ToneSynthesizer: SpeechSynthesizer {
    func synthesize(_ text: String, voice: String, sampleRate: Int) throws -> SynthesizedSpeech {
        var samples: [Int16] = []
        var words: [WordTiming] = []
        let all = text.split(separator: " ")
        for (k, word) in all.enumerated() {
            let start = samples.count
            let n = sampleRate * (120 + 25 * word.count) / 1000
            for i in 0..<n {
                let envelope = min(1.0, Double(min(i, n - i)) / Double(sampleRate / 100))
                samples.append(Int16(6000 * envelope * Double.sin(2 * Double.pi * 220 * Double(i) / Double(sampleRate))))
            }
            words.append(WordTiming(text: String(word), startSample: start, endSample: samples.count))
            guard k < all.count - 1 else { break }  // clips end at their last word, as espeak's trimmed ones do
            let gapMs = word.last.map { ",.?!".contains($0) } == true ? 250 : 60
            samples.append(contentsOf: repeatElement(0, count: sampleRate * gapMs / 1000))
        }
        return SynthesizedSpeech(samples: samples, words: words)
    }
}

/// Records everything a simulation sends, in memory.
final class MemoryRecording: SessionRecording {
    var events: [PipelineEvent] = []
    var frames: [AudioStream: [[Int16]]] = [:]
    var vad: [(Int, Double, Bool)] = []
    var checkpoints = 0

    func record(event: PipelineEvent) { events.append(event) }
    func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?) {
        frames[stream, default: []].append(samples)
    }
    func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool) {
        vad.append((frame, probability, speech))
    }
    func checkpoint(at time: SimInstant) throws { checkpoints += 1 }
}

/// Builds scenarios for tests from YAML-like pieces without a YAML parser.
enum TestScenarios {
    static func scenario(
        turns: [Scenario.CallerTurn], replies: [String], configure: (inout Scenario) -> Void = { _ in }
    ) -> Scenario {
        var s = Scenario()
        s.name = "test"
        s.audio.codec = "pcm16"
        s.caller.turns = turns
        s.bot.replies = replies
        configure(&s)
        return s
    }

    static func turn(_ segments: Scenario.Segment..., gap: Int = 300, bargeInAfter: Int? = nil) -> Scenario.CallerTurn {
        Scenario.CallerTurn(segments: segments, gapMs: gap, bargeInAfterMs: bargeInAfter)
    }

    static var hesitation: Scenario {
        scenario(
            turns: [
                turn(.say("Hi, I'd like to book a table in Bangalore.")),
                turn(.say("A table for"), .pause(ms: 700), .say("four people, tomorrow at eight.")),
                turn(.say("Thanks, that's all.")),
            ],
            replies: ["Sure. For how many people, and when?", "Great, a table for four. Anything else?", "Goodbye!"])
    }

    /// Runs `scenario` with tone speech; returns the events and the recording.
    static func run(_ scenario: Scenario) throws -> ([PipelineEvent], MemoryRecording) {
        let bank = try SpeechBank.prepare(for: scenario, using: ToneSynthesizer())
        let recording = MemoryRecording()
        let sim = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: PCM16Codec(samplesPerFrame: scenario.audio.format.samplesPerFrame),
            recorder: recording)
        return (try sim.run(), recording)
    }
}
