/// Sample rate and frame size of a session. Audio in Core is mono 16-bit PCM.
public struct AudioFormat: Hashable, Sendable {
    /// Samples per second.
    public var sampleRate: Int
    /// Length of one frame in milliseconds (the pipeline's step).
    public var frameMs: Int

    /// Creates a format; `sampleRate * frameMs` must be a whole number of samples per frame.
    public init(sampleRate: Int = 16000, frameMs: Int = 20) {
        self.sampleRate = sampleRate
        self.frameMs = frameMs
    }

    /// Samples in one frame.
    public var samplesPerFrame: Int { sampleRate * frameMs / 1000 }
    /// Duration of one frame.
    public var frameDuration: SimDuration { .milliseconds(frameMs) }

    /// The instant at which sample `index` starts.
    public func instant(ofSample index: Int) -> SimInstant {
        SimInstant(microseconds: Int64(index) * 1_000_000 / Int64(sampleRate))
    }

    /// The first sample at or after `instant`.
    public func sampleIndex(at instant: SimInstant) -> Int {
        let rate = Int64(sampleRate)
        return Int((instant.microseconds * rate + 999_999) / 1_000_000)
    }

    /// Number of samples in `duration` (rounded to nearest).
    public func sampleCount(_ duration: SimDuration) -> Int {
        Int((duration.microseconds * Int64(sampleRate) + 500_000) / 1_000_000)
    }

    /// Duration of `count` samples.
    public func duration(ofSamples count: Int) -> SimDuration {
        SimDuration(microseconds: Int64(count) * 1_000_000 / Int64(sampleRate))
    }
}

/// The three audio streams an archive holds.
public enum AudioStream: String, CaseIterable, Sendable {
    /// Clean user speech (simulated sessions) or the caller channel (imported calls).
    case caller
    /// What the pipeline heard: caller + echo + noise, after the in-loop codec.
    case mic
    /// What the bot played.
    case bot
    /// An imported call's bot channel as recorded: the audio its observed replies are cut from.
    case botSource = "bot_source"

    /// The streams every session records frame by frame (`bot_source` exists only for imports).
    public static let sessionStreams: [AudioStream] = [.caller, .mic, .bot]
}
