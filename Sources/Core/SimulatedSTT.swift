/// The simulated streaming recognizer: transcripts from the caller's ground-truth word timings
/// plus a latency model.
///
/// Words are grouped into segments at pauses of `segment_pause_ms` or more. Each word yields a
/// partial (the segment so far) `partial latency` after it ends; each segment yields a final
/// `final latency` after its last word. Cloud services add one network round trip. Output times
/// never go backwards.
public struct SimulatedSTT: Sendable {
    /// A word the caller spoke, at absolute times.
    public struct SpokenWord: Equatable, Sendable {
        /// The word as written.
        public var text: String
        /// When it starts.
        public var start: SimInstant
        /// When it ends.
        public var end: SimInstant

        /// Creates a spoken word.
        public init(text: String, start: SimInstant, end: SimInstant) {
            self.text = text
            self.start = start
            self.end = end
        }
    }

    /// One transcript the service sends.
    public struct Output: Equatable, Sendable {
        /// The segment so far (partial) or the whole segment (final).
        public var text: String
        /// Whether this is a final.
        public var isFinal: Bool
        /// Segment number in the session.
        public var segment: Int
        /// When it arrives at the agent.
        public var at: SimInstant
        /// When the newest word in it ended (for lag metrics).
        public var audioEnd: SimInstant

        /// Creates an output.
        public init(text: String, isFinal: Bool, segment: Int, at: SimInstant, audioEnd: SimInstant) {
            self.text = text
            self.isFinal = isFinal
            self.segment = segment
            self.at = at
            self.audioEnd = audioEnd
        }
    }

    private let partialLatency: LatencyModel
    private let finalLatency: LatencyModel
    private let streamsPartials: Bool
    private let network: SimDuration
    private let segmentPause: SimDuration
    private let seed: UInt64
    private let adjustment: LatencyAdjustment
    private var nextSegment = 0
    private var lastOutputAt = SimInstant.zero

    /// Creates the recognizer from settings, its preset and the session seed.
    public init(settings: PipelineSettings.STT, preset: LatencyPreset, rtt: SimDuration, seed: UInt64, adjustment: LatencyAdjustment = .init()) {
        partialLatency = settings.partialLatencyMs.map { .fixed(.milliseconds($0)) } ?? preset.firstLatency
        finalLatency = settings.finalLatencyMs.map { .fixed(.milliseconds($0)) } ?? preset.finalLatency ?? preset.firstLatency
        streamsPartials = preset.streamsPartials
        network = preset.cloud ? rtt : .zero
        segmentPause = .milliseconds(settings.segmentPauseMs)
        self.seed = seed
        self.adjustment = adjustment
    }

    /// Network time on this engine's path.
    public var networkDelay: SimDuration { network }

    /// The caller began turn `callerTurn` with these words; returns everything the service will send about them.
    ///
    /// Latencies are drawn from a generator keyed by the caller turn, so a turn's transcripts do not
    /// depend on what happened in other turns (a replay that changes one turn changes only that one).
    public mutating func wordsScheduled(_ words: [SpokenWord], callerTurn: Int) -> [Output] {
        var rng = Xoshiro256StarStar(seed: SeedDerivation.seed(root: seed, component: "turn \(callerTurn)"))
        var outputs: [Output] = []
        var segmentWords: [String] = []
        for (i, word) in words.enumerated() {
            segmentWords.append(word.text)
            let text = segmentWords.joined(separator: " ")
            let isLast = i == words.count - 1 || words[i + 1].start - word.end >= segmentPause
            if streamsPartials {
                let at = max(lastOutputAt, word.end + network + adjustment.apply(partialLatency.sample(using: &rng)))
                outputs.append(Output(text: text, isFinal: false, segment: nextSegment, at: at, audioEnd: word.end))
                lastOutputAt = at
            }
            if isLast {
                let at = max(lastOutputAt, word.end + network + adjustment.apply(finalLatency.sample(using: &rng)))
                outputs.append(Output(text: text, isFinal: true, segment: nextSegment, at: at, audioEnd: word.end))
                lastOutputAt = at
                nextSegment += 1
                segmentWords = []
            }
        }
        return outputs
    }
}
