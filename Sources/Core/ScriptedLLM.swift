/// The scripted language model: streams a reply from the scenario as tokens with a latency model.
///
/// Tokens are the reply's whitespace-separated words (a real tokenizer gives ~1.3 tokens per word;
/// the rate presets are per token, so this errs slightly fast).
public struct ScriptedLLM: Sendable {
    /// One planned token.
    public struct Token: Equatable, Sendable {
        /// Position in the reply.
        public var index: Int
        /// The token text (a word with its punctuation).
        public var text: String
        /// When it arrives at the agent.
        public var at: SimInstant
    }

    private let ttft: LatencyModel
    private let interval: SimDuration
    private let network: SimDuration
    private var rng: Xoshiro256StarStar

    /// Creates the engine from settings, its preset and the session seed.
    public init(settings: PipelineSettings.LLM, preset: LatencyPreset, rtt: SimDuration, seed: UInt64) {
        ttft = settings.ttftMs.map { .fixed(.milliseconds($0)) } ?? preset.firstLatency
        let tps = settings.tokensPerSecond ?? preset.rate
        interval = SimDuration(microseconds: 1_000_000 / Int64(max(1, tps)))
        network = preset.cloud ? rtt : .zero
        rng = Xoshiro256StarStar(seed: seed)
    }

    /// Network time on this engine's path (one round trip for a cloud service).
    public var networkDelay: SimDuration { network }

    /// A request was sent at `now` for `reply`; returns every token with its arrival time.
    public mutating func requested(at now: SimInstant, reply: String) -> [Token] {
        let first = now + network + ttft.sample(using: &rng)
        var at = first
        var tokens: [Token] = []
        for (i, word) in reply.words.enumerated() {
            if i > 0 {
                // ±10% jitter on the inter-token interval, in integer microseconds.
                let jitter = Int64(rng.next() % 21) - 10
                at = at + SimDuration(microseconds: interval.microseconds * (100 + jitter) / 100)
            }
            tokens.append(Token(index: i, text: word, at: at))
        }
        return tokens
    }
}
