import DequeModule
import RealModule

/// The line between caller and agent: mixes caller speech, echo of the bot's playback and noise
/// into the microphone signal.
public struct Channel: Sendable {
    private let echoEnabled: Bool
    private let echoDelaySamples: Int
    private let echoGainQ15: Int32
    private let noiseAmplitude: Double
    /// A noise recording looped under the call (scaled to the noise level), or empty.
    private let noiseLoop: [Int16]
    private var rng: Xoshiro256StarStar
    /// Bot samples played so far, from absolute sample `botBase` on.
    private var botHistory = Deque<Int16>()
    private var botBase = 0

    /// Creates the channel from the echo and noise settings; `noiseRecording` is the
    /// `babble-file` recording's samples (required for that kind), looped from sample 0.
    public init(
        echo: PipelineSettings.Echo, noise: PipelineSettings.Noise, format: AudioFormat, seed: UInt64, noiseRecording: [Int16]? = nil
    ) {
        echoEnabled = echo.enabled
        echoDelaySamples = format.sampleCount(.milliseconds(echo.delayMs))
        echoGainQ15 = Int32((Double.pow(10, echo.gainDb / 20) * 32768).rounded())
        noiseAmplitude = noise.kind == "white" ? 32768 * Double.pow(10, noise.levelDb / 20) : 0
        if noise.kind == "babble-file" {
            precondition(noiseRecording != nil, "babble-file noise needs its recording")
            noiseLoop = Self.scaled(noiseRecording ?? [], toDb: noise.levelDb)
        } else {
            noiseLoop = []
        }
        rng = Xoshiro256StarStar(seed: seed)
    }

    /// `samples` scaled so their RMS is `db` dBFS (silence stays silence).
    static func scaled(_ samples: [Int16], toDb db: Double) -> [Int16] {
        let level = EnergyVAD.levelDb(samples)
        guard level > -120 else { return [] }
        let gain = Double.pow(10, (db - level) / 20)
        return samples.map { Int16(clamping: Int32((Double($0) * gain).rounded())) }
    }

    /// The bot played `frame` (appended to the playback history the echo path reads).
    public mutating func botPlayed(_ frame: [Int16]) {
        botHistory.append(contentsOf: frame)
        let keep = echoDelaySamples + 4 * frame.count
        if botHistory.count > keep {
            let drop = botHistory.count - keep
            botHistory.removeFirst(drop)
            botBase += drop
        }
    }

    /// The mic signal for the frame starting at absolute sample `start`, given the caller's samples.
    public mutating func micFrame(caller: [Int16], start: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: caller.count)
        for i in 0..<caller.count {
            var v = Int32(caller[i])
            if echoEnabled {
                let j = start + i - echoDelaySamples - botBase
                if j >= 0, j < botHistory.count { v += (Int32(botHistory[j]) * echoGainQ15) >> 15 }
            }
            if noiseAmplitude > 0 {
                v += Int32((rng.nextGaussian() * noiseAmplitude).rounded())
            }
            if !noiseLoop.isEmpty {
                v += Int32(noiseLoop[(start + i) % noiseLoop.count])
            }
            out[i] = Int16(clamping: v)
        }
        return out
    }
}
