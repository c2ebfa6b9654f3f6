import Core
import Engines
import Foundation

/// Real speech and noise for the engine tests: espeak-ng sentences, pocketsphinx-testdata's
/// recordings, and seeded white noise.
enum EngineTestAudio {
    static let rate = 16000
    static let frame = 320  // 20 ms

    /// pocketsphinx-testdata's recording of a man saying "go forward ten meters" (16 kHz s16le).
    static let goForwardPath = "/usr/share/pocketsphinx/test/data/goforward.raw"

    /// A raw 16-bit little-endian mono file.
    static func raw(_ path: String) throws -> [Int16] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 2)).map { Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        }
    }

    /// espeak-ng speech at 16 kHz (with word timings).
    static func speech(_ text: String) throws -> SynthesizedSpeech {
        try EspeakSynthesizer().synthesize(text, voice: "en-us", sampleRate: rate)
    }

    /// `count` samples of silence.
    static func silence(_ count: Int) -> [Int16] { [Int16](repeating: 0, count: count) }

    /// Seeded white noise at `levelDb` dBFS RMS (uniform samples, SplitMix64).
    static func whiteNoise(count: Int, levelDb: Double, seed: UInt64) -> [Int16] {
        var state = seed
        let amplitude = 32768 * pow(10, levelDb / 20) * 3.0.squareRoot()
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = Double(z >> 11) / Double(1 << 53) * 2 - 1
            return Int16(max(-32768, min(32767, (u * amplitude).rounded())))
        }
    }

    /// `samples` padded with silence to whole frames and cut into frames.
    static func frames(_ samples: [Int16], size: Int = frame) -> [[Int16]] {
        var padded = samples
        if padded.count % size != 0 { padded += silence(size - padded.count % size) }
        return stride(from: 0, to: padded.count, by: size).map { Array(padded[$0..<($0 + size)]) }
    }

    /// Mean square of `samples` (0 for none).
    static func power(_ samples: some Collection<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        return samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
    }

    /// `samples` delayed by `delay` and scaled by `gainDb` (an echo path), same length.
    static func echo(of samples: [Int16], delay: Int, gainDb: Double) -> [Int16] {
        let gain = pow(10, gainDb / 20)
        return (0..<samples.count).map { i in i < delay ? 0 : Int16((Double(samples[i - delay]) * gain).rounded()) }
    }

    /// Sample-wise sum, clipped.
    static func mix(_ a: [Int16], _ b: [Int16]) -> [Int16] {
        (0..<max(a.count, b.count)).map { i in
            let v = Int(i < a.count ? a[i] : 0) + Int(i < b.count ? b[i] : 0)
            return Int16(max(-32768, min(32767, v)))
        }
    }

    /// The frames of `speech` that lie wholly inside a word, and those that touch no word.
    static func wordFrames(_ speech: SynthesizedSpeech) -> (inside: Set<Int>, outside: Set<Int>) {
        var inside = Set<Int>(), touched = Set<Int>()
        let count = (speech.samples.count + frame - 1) / frame
        for w in speech.words where w.endSample > w.startSample {
            for f in (w.startSample / frame)...((w.endSample - 1) / frame) {
                touched.insert(f)
                if f * frame >= w.startSample && (f + 1) * frame <= w.endSample { inside.insert(f) }
            }
        }
        return (inside, Set(0..<count).subtracting(touched))
    }
}
