import Foundation

/// What runs after speex's canceller and residual echo suppressor: a warm-up echo gate for the
/// filter's cold start, and comfort noise that keeps the line's background steady.
///
/// Warm-up gate: speexdsp's filter counts as adapted only after about four filter lengths of
/// playback, and its residual echo suppressor stays off until then, so the first few hundred
/// milliseconds of the bot's first reply come back almost untouched, loud enough for a VAD to
/// hear the caller. The gate covers that window as line echo cancellers always have, with a Geigel
/// double-talk detector: a block whose loudest mic sample is below `geigelRatio` (−3 dB) of the
/// loudest playback sample that can still be echoing in it is taken for echo and attenuated by
/// `suppressDb`; a louder mic means the caller is talking too (double talk) and passes. (The
/// classic −6 dB threshold sits right on a loud speakerphone's echo.) It retires for good once the canceller
/// has seen `warmupBlocks` blocks of playback.
///
/// Comfort noise: speex's residual echo suppressor (and the gate) silence the line's noise along
/// with the echo while the bot talks, and a noise-tracking VAD then takes the noise coming back for
/// speech. The background level is tracked on the mic in blocks no playback can echo into, and a
/// block that comes out quieter is topped up with white noise to that level. The noise comes from
/// a fixed-seed generator owned by the instance: the same input gives the same output.
struct EchoPostFilter {
    /// Playback blocks after which the canceller is trusted alone.
    let warmupBlocks: Int
    /// Power gain applied to blocks taken for echo during warm-up.
    private let warmupPowerGain: Double
    /// Playback peaks of the blocks that can still echo (the filter's span), newest last.
    private var recentPeaks: [Int]
    private var activeBlocks = 0
    /// Background power per sample of the mic (0 until measured), a minimum that creeps up slowly.
    private var backgroundPower = 0.0
    private var backgroundMeasured = false
    private var noiseState: UInt64 = 0x5EED_EC40_C0FF_EE00

    /// Playback quieter than this (about −50 dBFS peak) neither echoes audibly nor counts as warm-up.
    static let activePeak = 100
    /// Mic peaks below this fraction of the playback peak are taken for echo during warm-up.
    static let geigelRatio = 0.7
    /// How fast the background estimate may rise per block (about 2 dB a second at 10 ms blocks).
    static let backgroundRise = 1.005

    /// A post-filter for a filter spanning `spanBlocks` blocks; the gate retires after
    /// `warmupBlocks` blocks of playback (0, or `suppressDb` 0: no gate).
    init(spanBlocks: Int, warmupBlocks: Int, suppressDb: Double) {
        precondition(spanBlocks > 0 && warmupBlocks >= 0 && suppressDb <= 0, "bad echo post-filter")
        self.warmupBlocks = suppressDb < 0 ? warmupBlocks : 0
        warmupPowerGain = pow(10, suppressDb / 10)
        recentPeaks = Array(repeating: 0, count: spanBlocks)
    }

    /// Whether the warm-up gate has retired.
    var warmedUp: Bool { activeBlocks >= warmupBlocks }

    /// Feeds one block: `reference` is the playback block the canceller got, `mic` its input and
    /// `output` its output, changed in place.
    mutating func process(reference: UnsafeBufferPointer<Int16>, mic: UnsafeBufferPointer<Int16>, output: UnsafeMutableBufferPointer<Int16>) {
        let refPeak = Self.peak(reference)
        recentPeaks.removeFirst()
        recentPeaks.append(refPeak)
        let echoPeak = recentPeaks.max() ?? 0
        guard echoPeak >= Self.activePeak else {
            // Nothing can echo here: the mic is the line's background (or the caller alone).
            let power = Self.power(mic)
            backgroundPower = backgroundMeasured ? min(power, backgroundPower * Self.backgroundRise) : power
            backgroundMeasured = true
            return
        }
        if refPeak >= Self.activePeak { activeBlocks += 1 }
        if !warmedUp, Double(Self.peak(mic)) < Self.geigelRatio * Double(echoPeak) {
            let gain = warmupPowerGain.squareRoot()
            for i in output.indices { output[i] = Int16((Double(output[i]) * gain).rounded()) }
        }
        let missing = backgroundPower - Self.power(UnsafeBufferPointer(output))
        if missing > 1 { addNoise(power: missing, to: output) }
    }

    /// Adds uniform white noise of `power` per sample.
    private mutating func addNoise(power: Double, to output: UnsafeMutableBufferPointer<Int16>) {
        let amplitude = (3 * power).squareRoot()
        for i in output.indices {
            // SplitMix64 (Steele, Lea, Flood 2014): one 64-bit draw per sample.
            noiseState &+= 0x9E37_79B9_7F4A_7C15
            var z = noiseState
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let uniform = Double(z >> 11) / Double(1 << 53) * 2 - 1
            let v = Double(output[i]) + uniform * amplitude
            output[i] = Int16(max(-32768, min(32767, v.rounded())))
        }
    }

    private static func peak(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        var m = 0
        for s in samples { m = max(m, abs(Int(s))) }
        return m
    }

    private static func power(_ samples: UnsafeBufferPointer<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        for s in samples { sum += Double(s) * Double(s) }
        return sum / Double(samples.count)
    }
}
