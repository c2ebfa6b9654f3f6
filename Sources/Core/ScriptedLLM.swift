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
    private let seed: UInt64
    private let retime: Retiming

    /// Creates the engine from settings, its preset and the session seed.
    public init(settings: PipelineSettings.LLM, preset: LatencyPreset, rtt: SimDuration, seed: UInt64, retime: Retiming = .init()) {
        ttft = settings.ttftMs.map { .fixed(.milliseconds($0)) } ?? preset.firstLatency
        let tps = settings.tokensPerSecond ?? preset.rate
        interval = SimDuration(microseconds: 1_000_000 / Int64(max(1, tps)))
        network = preset.cloud ? rtt : .zero
        self.seed = seed
        self.retime = retime
    }

    /// Network time on this engine's path (one round trip for a cloud service).
    public var networkDelay: SimDuration { network }

    /// A request was sent at `now` for `reply`; returns every token with its arrival time.
    ///
    /// Draws are keyed by (caller turn, attempt), so the reply to a turn keeps its latencies when a
    /// replay changes what happens elsewhere in the session.
    public func requested(at now: SimInstant, reply: String, callerTurn: Int, attempt: Int) -> [Token] {
        var rng = Xoshiro256StarStar(seed: SeedDerivation.seed(root: seed, component: "turn \(callerTurn) attempt \(attempt)"))
        let first = now + network + retime.llmTTFT.apply(ttft.sample(using: &rng))
        var at = first
        var tokens: [Token] = []
        for (i, word) in reply.words.enumerated() {
            if i > 0 {
                // ±10% jitter on the inter-token interval, in integer microseconds.
                let jitter = Int64(rng.next() % 21) - 10
                at = at + retime.llmTokenInterval.apply(SimDuration(microseconds: interval.microseconds * (100 + jitter) / 100))
            }
            tokens.append(Token(index: i, text: word, at: at))
        }
        return tokens
    }
}
