import Core

/// One turn's voice-to-voice latency split into the stages the metrics pane draws as a waterfall.
public struct TurnBreakdown: Sendable {
    /// One row of the waterfall, in milliseconds from the caller's speech end.
    public struct Stage: Sendable {
        /// Row label.
        public var name: String
        /// Where the bar starts.
        public var startMs: Int64
        /// Its length (nil: not measured for this turn).
        public var durationMs: Int64?
        /// Bars drawn instead of one (the network hops inside the LLM and TTS stages).
        public var pieces: [(start: Int64, length: Int64)] = []
    }

    /// The turn's metrics as `SessionMetrics` computes them.
    public var metrics: TurnMetrics
    /// Waterfall rows, in pipeline order.
    public var stages: [Stage]
    /// The voice-to-voice budget line.
    public static let budgetMs: Int64 = 600

    /// The breakdown of pipeline turn `turn` from events that surround it (20 s either side of its end).
    public init?(turn: Int, events: [PipelineEvent]) {
        guard let m = SessionMetrics(events: events).turns.first(where: { $0.turn == turn }) else { return nil }
        metrics = m
        let mine = events.filter { $0.turn == turn && !$0.kind.rawValue.hasPrefix("caller.") }
        let llmNet = mine.first { $0.kind == .llmRequest }?.data["network_ms"]?.intValue ?? 0
        let ttsNet = mine.first { $0.kind == .ttsRequest }?.data["network_ms"]?.intValue ?? 0
        var at = max(0, m.endpointDelayMs ?? 0)
        var rows: [Stage] = []
        rows.append(Stage(name: "endpoint wait", startMs: 0, durationMs: m.endpointDelayMs.map { max(0, $0) }))
        rows.append(Stage(name: "stt final", startMs: 0, durationMs: m.sttFinalLagMs.map { max(0, $0) }))
        let llmStart = at
        rows.append(Stage(name: "llm ttft", startMs: at, durationMs: m.llmTTFTMs))
        at += m.llmTTFTMs ?? 0
        rows.append(Stage(name: "aggregation", startMs: at, durationMs: m.aggregationMs))
        at += m.aggregationMs ?? 0
        let ttsStart = at
        rows.append(Stage(name: "tts ttfb", startMs: at, durationMs: m.ttsTTFBMs))
        at += m.ttsTTFBMs ?? 0
        var network = Stage(name: "network", startMs: llmStart, durationMs: m.networkMs)
        network.pieces = [(llmStart, llmNet), (ttsStart, ttsNet)].filter { $0.1 > 0 }
        rows.append(network)
        rows.append(Stage(name: "playout", startMs: at, durationMs: m.playoutBufferMs))
        stages = rows
    }

    /// Flags for the pane title.
    public var flags: [String] {
        var flags: [String] = []
        if metrics.cutOff { flags.append("CUT-OFF") }
        if metrics.bargedIn { flags.append(metrics.selfInterruption ? "SELF-INTERRUPT" : "BARGE-IN") }
        return flags
    }
}
