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

    public func encode(_ frame: [Int16]) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(frame.count * 2)
        for s in frame {
            let u = UInt16(bitPattern: s)
            out.append(UInt8(u & 0xFF))
            out.append(UInt8(u >> 8))
        }
        return out
    }

    public func decode(_ packet: [UInt8]) throws -> [Int16] {
        guard packet.count == samplesPerFrame * 2 else { throw CodecError.badPacket("pcm16 frame of \(packet.count) bytes, expected \(samplesPerFrame * 2)") }
        var out = [Int16](repeating: 0, count: samplesPerFrame)
        for i in 0..<samplesPerFrame {
            out[i] = Int16(bitPattern: UInt16(packet[2 * i]) | (UInt16(packet[2 * i + 1]) << 8))
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
