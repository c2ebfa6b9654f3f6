/// The streaming TTS service: each request's audio arrives in chunks after a time to first byte.
///
/// Requests are served in order on one stream: a request's first chunk comes `ttfb` after it was sent
/// (plus a round trip for a cloud service), but never before the previous request's audio is done.
/// Chunks then arrive at the service's synthesis speed.
public struct TTSStream: Sendable {
    /// One planned chunk.
    public struct Chunk: Equatable, Sendable {
        /// Chunk number within the request.
        public var index: Int
        /// Sample range within the request's audio.
        public var range: Range<Int>
        /// When it arrives.
        public var at: SimInstant
    }

    private let ttfb: LatencyModel
    private let network: SimDuration
    private let chunkSamples: Int
    private let speedPercent: Int64
    private let format: AudioFormat
    private let seed: UInt64
    private let adjustment: LatencyAdjustment
    private var busyUntil = SimInstant.zero

    /// Creates the stream from settings, preset and seed.
    public init(settings: PipelineSettings.TTS, preset: LatencyPreset, rtt: SimDuration, format: AudioFormat, seed: UInt64, adjustment: LatencyAdjustment = .init()) {
        ttfb = settings.ttfbMs.map { .fixed(.milliseconds($0)) } ?? preset.firstLatency
        network = preset.cloud ? rtt : .zero
        chunkSamples = max(1, format.sampleRate * settings.chunkMs / 1000)
        speedPercent = Int64(max(1, preset.rate))
        self.format = format
        self.seed = seed
        self.adjustment = adjustment
    }

    /// Network time on this engine's path.
    public var networkDelay: SimDuration { network }

    /// Forgets queued work (the reply was cancelled).
    public mutating func cancelled(at now: SimInstant) { busyUntil = now }

    /// A request for `sampleCount` samples of audio was sent at `now`; returns its chunk schedule.
    ///
    /// `key` names the request (caller turn, attempt, request number) so its latency draw does not
    /// depend on other requests.
    public mutating func requested(at now: SimInstant, sampleCount: Int, key: String) -> [Chunk] {
        var rng = Xoshiro256StarStar(seed: SeedDerivation.seed(root: seed, component: key))
        var at = max(now + network + adjustment.apply(ttfb.sample(using: &rng)), busyUntil)
        var chunks: [Chunk] = []
        var start = 0
        while start < sampleCount || chunks.isEmpty {
            let end = min(sampleCount, start + chunkSamples)
            if !chunks.isEmpty {
                let audio = format.duration(ofSamples: end - start)
                at = at + SimDuration(microseconds: audio.microseconds * 100 / speedPercent)
            }
            chunks.append(Chunk(index: chunks.count, range: start..<end, at: at))
            start = end
            if sampleCount == 0 { break }
        }
        busyUntil = at
        return chunks
    }
}
