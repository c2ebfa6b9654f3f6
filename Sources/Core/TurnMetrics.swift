/// Timing of one user turn and the bot's reply to it (DESIGN.md §5), all in milliseconds.
public struct TurnMetrics: Hashable, Sendable {
    /// The pipeline's user turn (1-based).
    public var turn: Int
    /// The caller turn it belongs to (ground truth), if known.
    public var callerTurn: Int?
    /// When the caller stopped speaking: ground truth, else the VAD's last speech before `turn.end`.
    public var callerSpeechEndMs: Int64?
    /// When the endpointer ended the turn.
    public var turnEndMs: Int64
    /// Why (`silence`, `smart`, `max_delay`, `late_transcript`).
    public var reason: String
    /// Caller speech end → `turn.end` (negative: the bot cut in before the caller finished).
    public var endpointDelayMs: Int64?
    /// Caller speech end → last final transcript of the turn.
    public var sttFinalLagMs: Int64?
    /// `llm.request` → first `llm.token`.
    public var llmTTFTMs: Int64?
    /// First `llm.token` → first `tts.request` (the aggregator waiting for enough text).
    public var aggregationMs: Int64?
    /// First `tts.request` → first `tts.chunk`.
    public var ttsTTFBMs: Int64?
    /// First `tts.chunk` → `play.start`.
    public var playoutBufferMs: Int64?
    /// Network round trips on the reply's path (LLM + TTS hops).
    public var networkMs: Int64
    /// When the first bot audio played.
    public var firstAudioMs: Int64?
    /// Caller speech end → first bot audio.
    public var voiceToVoiceMs: Int64?
    /// Time both caller and bot were audible during this reply.
    public var overlapMs: Int64
    /// The turn ended while the caller was still inside the same turn (a mid-turn pause).
    public var cutOff: Bool
    /// The reply was interrupted by a barge-in.
    public var bargedIn: Bool
    /// The barge-in had no caller speech behind it (the bot heard itself).
    public var selfInterruption: Bool
    /// Caller speech onset → bot audio stopped, for a real barge-in.
    public var bargeInReactionMs: Int64?
    /// Words of the reply the caller heard before it stopped (nil: the reply never played).
    public var heardText: String?
    /// The caller started talking over this reply and it kept playing for more than a second.
    public var missedBargeIn = false
    /// Label-free hint: the caller spoke again right after `turn.end` and into the reply's start
    /// (see `CutOffHint`). Flagged in tables only for sessions without caller labels.
    public var probableCutOff = false
    /// Silence beyond one second (the "walkie-talkie" threshold) between the caller's speech end
    /// and the bot's first audio.
    public var deadAirMs: Int64 = 0
}

/// Session-level figures over all turns.
public struct SessionSummary: Hashable, Sendable {
    /// Number of user turns the pipeline ended.
    public var turns: Int
    /// Turns ended during a mid-turn pause.
    public var cutOffs: Int
    /// Replies interrupted by the caller.
    public var bargeIns: Int
    /// Replies interrupted by the bot's own echo (or noise).
    public var selfInterruptions: Int
    /// Median voice-to-voice latency.
    public var voiceToVoiceP50Ms: Int64?
    /// 90th percentile voice-to-voice latency.
    public var voiceToVoiceP90Ms: Int64?
    /// Median endpoint delay over turns that were not cut off.
    public var endpointDelayP50Ms: Int64?
    /// Total overlap.
    public var overlapMs: Int64
    /// Caller turns the bot never answered (no `turn.end` after the caller finished).
    public var unansweredCallerTurns: Int
    /// Replies the caller talked over for more than a second without stopping them.
    public var missedBargeIns = 0
    /// Total dead air (see `TurnMetrics.deadAirMs`).
    public var deadAirMs: Int64 = 0
    /// Turns flagged `TurnMetrics.probableCutOff`.
    public var probableCutOffs = 0
    /// Session length.
    public var durationMs: Int64
    /// Whether the session has caller ground truth (`caller.speech_*`: simulated, imported with a
    /// transcript, or labelled). Without it cut-offs and overlap are unknown, not zero.
    public var hasGroundTruth = true
}

/// Nearest-rank percentile of integer samples (nil when empty).
public func percentile(_ values: [Int64], _ p: Int) -> Int64? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let rank = max(1, (p * sorted.count + 99) / 100)
    return sorted[min(sorted.count, rank) - 1]
}
