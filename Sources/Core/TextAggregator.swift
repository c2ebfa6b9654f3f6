/// Collects LLM tokens and decides when to push text to TTS: every `flush_tokens` tokens and/or at punctuation.
public struct TextAggregator: Sendable {
    private let flushTokens: Int
    private let onPunctuation: Bool
    private var pending: [String] = []

    /// Creates the aggregator from the TTS settings.
    public init(settings: PipelineSettings.TTS) {
        flushTokens = settings.flushTokens
        onPunctuation = settings.flushOnPunctuation
    }

    /// A token arrived; returns the tokens to synthesize now, if it is time.
    public mutating func tokenReceived(_ token: String) -> [String]? {
        pending.append(token)
        let punctuated = onPunctuation && token.last.map { ".,?!;:".contains($0) } == true
        guard pending.count >= flushTokens || punctuated else { return nil }
        defer { pending = [] }
        return pending
    }

    /// The stream ended; returns what is left, if anything.
    public mutating func streamEnded() -> [String]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }

    /// Drops pending text (cancellation).
    public mutating func reset() { pending = [] }
}
