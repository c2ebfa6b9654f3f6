import Core

/// One grid point's metrics, pooled over every archive's turns (DESIGN.md §5; livekit/eot-bench
/// definitions where they overlap).
public struct SweepPointMetrics: Hashable, Sendable {
    /// The point's index in the grid.
    public var index: Int
    /// Its parameter values, in parameter order.
    public var values: [String]
    /// Caller turns, all archives.
    public var callerTurns: Int
    /// Caller turns that got at least one `turn.end`.
    public var endedCallerTurns: Int
    /// Caller turns with at least one false cut-off.
    public var cutOffCallerTurns: Int
    /// `turn.end` events.
    public var turns: Int
    /// Median endpoint delay of turns not cut off (the sweep's latency axis).
    public var endpointDelayP50Ms: Int64?
    /// 90th percentile endpoint delay of turns not cut off.
    public var endpointDelayP90Ms: Int64?
    /// Median voice-to-voice latency.
    public var voiceToVoiceP50Ms: Int64?
    /// 90th percentile voice-to-voice latency.
    public var voiceToVoiceP90Ms: Int64?
    /// Replies interrupted by the caller.
    public var bargeIns: Int
    /// Median barge-in reaction.
    public var bargeInReactionP50Ms: Int64?
    /// Replies interrupted with no caller speech behind them.
    public var selfInterruptions: Int
    /// Caller turns never answered.
    public var unansweredCallerTurns: Int

    /// Pools `samples` (one per archive) of grid point `index`.
    public init(index: Int, values: [String], samples: [SweepSample]) {
        self.index = index
        self.values = values
        callerTurns = samples.reduce(0) { $0 + $1.callerTurns }
        endedCallerTurns = samples.reduce(0) { $0 + $1.endedCallerTurns }
        cutOffCallerTurns = samples.reduce(0) { $0 + $1.cutOffCallerTurns }
        turns = samples.reduce(0) { $0 + $1.turns }
        bargeIns = samples.reduce(0) { $0 + $1.bargeIns }
        selfInterruptions = samples.reduce(0) { $0 + $1.selfInterruptions }
        unansweredCallerTurns = samples.reduce(0) { $0 + $1.unansweredCallerTurns }
        let delays = samples.flatMap(\.endpointDelaysMs)
        let v2v = samples.flatMap(\.voiceToVoiceMs)
        endpointDelayP50Ms = percentile(delays, 50)
        endpointDelayP90Ms = percentile(delays, 90)
        voiceToVoiceP50Ms = percentile(v2v, 50)
        voiceToVoiceP90Ms = percentile(v2v, 90)
        bargeInReactionP50Ms = percentile(samples.flatMap(\.bargeInReactionsMs), 50)
    }

    /// The latency figure the headline and the Pareto front use: the median endpoint delay.
    public var latencyMs: Int64? { endpointDelayP50Ms }

    /// Caller turns with ≥ 1 cut-off / caller turns that got any `turn.end` (nil when none did).
    public var falseCutOffRate: Double? {
        endedCallerTurns > 0 ? Double(cutOffCallerTurns) / Double(endedCallerTurns) : nil
    }

    /// Whether the false cut-off rate is at most `percent` %, compared exactly (nil rate: false).
    public func falseCutOffRate(atMostPercent percent: Int) -> Bool {
        endedCallerTurns > 0 && cutOffCallerTurns * 100 <= percent * endedCallerTurns
    }

    /// Compares false cut-off rates exactly (cross-multiplied); both must be defined.
    func compareRate(_ other: SweepPointMetrics) -> Int {
        let a = cutOffCallerTurns * other.endedCallerTurns, b = other.cutOffCallerTurns * endedCallerTurns
        return a < b ? -1 : a > b ? 1 : 0
    }

    /// Whether the point can be placed on the (latency, false cut-off rate) plane.
    public var isPlottable: Bool { latencyMs != nil && endedCallerTurns > 0 }
}
