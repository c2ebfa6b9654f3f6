/// A word inside synthesized or recorded speech, with its sample range.
public struct WordTiming: Hashable, Sendable {
    /// The word as written in the text (punctuation attached).
    public var text: String
    /// First sample of the word.
    public var startSample: Int
    /// One past the last sample of the word.
    public var endSample: Int

    /// Creates a word timing.
    public init(text: String, startSample: Int, endSample: Int) {
        self.text = text
        self.startSample = startSample
        self.endSample = endSample
    }
}

/// Speech audio with the timing of each word, at the session's sample rate.
public struct SynthesizedSpeech: Hashable, Sendable {
    /// Mono 16-bit samples.
    public var samples: [Int16]
    /// Words in order; ranges lie inside `samples` and do not overlap.
    public var words: [WordTiming]

    /// Creates speech from samples and word timings.
    public init(samples: [Int16], words: [WordTiming]) {
        self.samples = samples
        self.words = words
    }
}

/// Turns text into speech audio with word timings (espeak-ng in Engines; fakes in tests).
///
/// Implementations must return the same samples for the same text whatever was synthesized
/// before (espeak-ng has memory; see DESIGN.md §1), at `sampleRate`.
public protocol SpeechSynthesizer: AnyObject {
    /// Synthesizes `text` with `voice` at `sampleRate`.
    func synthesize(_ text: String, voice: String, sampleRate: Int) throws -> SynthesizedSpeech
}

/// Encodes and decodes one frame at a time (Opus in Engines, PCM16 in Core).
///
/// Stateful: frames of one stream must go through one codec instance in order.
public protocol FrameCodec: AnyObject {
    /// The archive's `codec` column value (`opus`, `pcm16`).
    var name: String { get }
    /// Encodes one frame of `samplesPerFrame` samples.
    func encode(_ frame: [Int16]) throws -> [UInt8]
    /// Decodes one packet into one frame of samples.
    func decode(_ packet: [UInt8]) throws -> [Int16]
}

/// Lossless 16-bit little-endian PCM: the `pcm16` codec.
public final class PCM16Codec: FrameCodec {
    /// Frame length this codec expects.
    public let samplesPerFrame: Int

    /// Creates a PCM16 codec for frames of `samplesPerFrame`.
    public init(samplesPerFrame: Int) { self.samplesPerFrame = samplesPerFrame }

    public var name: String { "pcm16" }

    public func encode(_ frame: [Int16]) throws -> [UInt8] { Self.bytes(of: frame) }

    public func decode(_ packet: [UInt8]) throws -> [Int16] {
        guard packet.count == samplesPerFrame * 2 else { throw CodecError.badPacket("pcm16 frame of \(packet.count) bytes, expected \(samplesPerFrame * 2)") }
        return Self.samples(of: packet)
    }

    /// `samples` as 16-bit little-endian bytes.
    public static func bytes(of samples: [Int16]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(samples.count * 2)
        for s in samples {
            let u = UInt16(bitPattern: s)
            out.append(UInt8(u & 0xFF))
            out.append(UInt8(u >> 8))
        }
        return out
    }

    /// 16-bit little-endian `bytes` as samples (an odd last byte is dropped).
    public static func samples(of bytes: [UInt8]) -> [Int16] {
        var out = [Int16](repeating: 0, count: bytes.count / 2)
        for i in out.indices {
            out[i] = Int16(bitPattern: UInt16(bytes[2 * i]) | (UInt16(bytes[2 * i + 1]) << 8))
        }
        return out
    }
}

/// A codec failure (corrupt packet, library error).
public enum CodecError: Error, CustomStringConvertible {
    /// The packet could not be decoded.
    case badPacket(String)
    /// The codec library reported an error.
    case library(String)

    public var description: String {
        switch self {
        case .badPacket(let m): return "bad audio packet: \(m)"
        case .library(let m): return "codec error: \(m)"
        }
    }
}

/// A voice activity model: the speech probability of each mic frame, in order (energy in Core;
/// Silero and WebRTC in Engines).
public protocol VoiceActivityModel {
    /// Speech probability (0...1) of the next frame.
    mutating func probability(of frame: [Int16]) throws -> Double
}

/// Removes the echo of the bot's playback from the mic signal (Speex in Engines).
public protocol EchoCanceller: AnyObject {
    /// The mic frame with the echo of `playback` (the bot audio played during the same frame) removed.
    func cancel(mic: [Int16], playback: [Int16]) throws -> [Int16]
}

/// One transcript from a streaming recognizer.
public struct RecognizerResult: Hashable, Sendable {
    /// The current hypothesis of the segment (partial) or its final text.
    public var text: String
    /// Whether the segment is closed.
    public var isFinal: Bool
    /// Segment number (increasing over the session).
    public var segment: Int
    /// The end of the audio the result covers.
    public var audioEnd: SimInstant
    /// When the result reaches the agent (audio end + the engine's declared compute time).
    public var at: SimInstant

    /// Creates a result.
    public init(text: String, isFinal: Bool, segment: Int, audioEnd: SimInstant, at: SimInstant) {
        self.text = text
        self.isFinal = isFinal
        self.segment = segment
        self.audioEnd = audioEnd
        self.at = at
    }
}

/// A real streaming speech recognizer fed the mic audio frame by frame (pocketsphinx in Engines).
///
/// Its compute time is mapped onto the virtual clock by a declared real-time factor, never measured,
/// so runs stay deterministic.
public protocol StreamingRecognizer: AnyObject {
    /// Feeds the frame that ended at `end`; returns the results it produced (times ≥ `end`).
    func accept(_ frame: [Int16], end: SimInstant) throws -> [RecognizerResult]
}

/// The engines a session uses in place of Core's built-in ones (nil: built in).
/// An end-of-turn model: P(the user's turn is complete) from the turn's audio so far, e.g. Smart
/// Turn v3.2 run in-process (which reads the last 8 s through `WhisperLogMel`).
public protocol EndOfTurnModel: AnyObject {
    /// P(complete) in 0…1 for the user turn whose audio (16 kHz, ±1, from the turn's first speech
    /// to now) is `turn`.
    func probability(ofTurn turn: [Float]) throws -> Double
}

/// Scores an end-of-turn model gave before, by the stretch of the session's mic audio they scored:
/// a replay whose mic is the recording's (the fast path's condition) asks here before running the
/// model, so a sweep point that only moves the policy (threshold, action delay, timeout) reuses them.
///
/// Positions are sample indices at the archive's rate: the turn's first sample (its first speech
/// onset) and the end of the audio heard when the score was asked for. Shared by the replays of
/// one archive, possibly on several threads at once.
public protocol EndOfTurnScoreMemo: AnyObject, Sendable {
    /// The probability scored for the turn audio `turnStart..<audioEnd`, if known.
    func probability(turnStart: Int, audioEnd: Int) -> Double?
    /// Keeps a probability the model just gave for `turnStart..<audioEnd`.
    func remember(_ probability: Double, turnStart: Int, audioEnd: Int)
}

public struct StageEngines {
    /// VAD model (nil: `EnergyVAD`).
    public var vad: (any VoiceActivityModel)?
    /// Echo canceller (nil: none).
    public var echoCanceller: (any EchoCanceller)?
    /// Recognizer (nil: the simulated STT driven by ground truth).
    public var recognizer: (any StreamingRecognizer)?
    /// Language model at the simulation's edge (nil: the scripted LLM).
    public var languageModel: (any LanguageModel)?
    /// Speaks text only known during the run (a language model's replies); nil when every text is
    /// in the speech bank.
    public var synthesizer: (any SpeechSynthesizer)?
    /// The end-of-turn model of `pipeline.endpointing.mode: model` (nil in the other modes).
    public var endOfTurnModel: (any EndOfTurnModel)?

    /// Built-in engines only.
    public init(vad: (any VoiceActivityModel)? = nil, echoCanceller: (any EchoCanceller)? = nil, recognizer: (any StreamingRecognizer)? = nil) {
        self.vad = vad
        self.echoCanceller = echoCanceller
        self.recognizer = recognizer
    }
}
