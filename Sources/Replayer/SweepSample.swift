import Core

/// The raw figures of one archive replayed at one grid point: counts and the unsorted samples
/// behind every percentile, so grid points can be re-aggregated exactly across archives and shards.
public struct SweepSample: Hashable, Sendable {
    /// Caller turns in the session (ground-truth `caller.speech_start` events).
    public var callerTurns: Int
    /// Caller turns that got at least one `turn.end` (the false cut-off rate's denominator).
    public var endedCallerTurns: Int
    /// Caller turns with at least one cut-off `turn.end` (the false cut-off rate's numerator).
    public var cutOffCallerTurns: Int
    /// `turn.end` events.
    public var turns: Int
    /// Replies interrupted by the caller (real barge-ins).
    public var bargeIns: Int
    /// Replies interrupted with no caller speech behind them.
    public var selfInterruptions: Int
    /// Caller turns never answered by a `turn.end` that was not a cut-off.
    public var unansweredCallerTurns: Int
    /// Endpoint delays of the turns that were not cut off, in turn order.
    public var endpointDelaysMs: [Int64]
    /// Voice-to-voice latencies of every turn that played audio, in turn order.
    public var voiceToVoiceMs: [Int64]
    /// Barge-in reaction times (caller onset → bot audio stopped), in turn order.
    public var bargeInReactionsMs: [Int64]

    /// A sample with every figure given.
    public init(
        callerTurns: Int, endedCallerTurns: Int, cutOffCallerTurns: Int, turns: Int, bargeIns: Int,
        selfInterruptions: Int, unansweredCallerTurns: Int, endpointDelaysMs: [Int64],
        voiceToVoiceMs: [Int64], bargeInReactionsMs: [Int64]
    ) {
        self.callerTurns = callerTurns
        self.endedCallerTurns = endedCallerTurns
        self.cutOffCallerTurns = cutOffCallerTurns
        self.turns = turns
        self.bargeIns = bargeIns
        self.selfInterruptions = selfInterruptions
        self.unansweredCallerTurns = unansweredCallerTurns
        self.endpointDelaysMs = endpointDelaysMs
        self.voiceToVoiceMs = voiceToVoiceMs
        self.bargeInReactionsMs = bargeInReactionsMs
    }

    /// The figures of per-turn metrics (`callerTurns`: the session's caller turns; `unanswered`:
    /// its caller turns with no turn.end that was not a cut-off).
    public init(turns rows: [TurnMetrics], callerTurns: Int, unansweredCallerTurns: Int) {
        let ended = Set(rows.compactMap(\.callerTurn))
        let cut = Set(rows.filter(\.cutOff).compactMap(\.callerTurn))
        self.init(
            callerTurns: callerTurns, endedCallerTurns: ended.count, cutOffCallerTurns: cut.count, turns: rows.count,
            bargeIns: rows.filter { $0.bargedIn && !$0.selfInterruption }.count,
            selfInterruptions: rows.filter(\.selfInterruption).count,
            unansweredCallerTurns: unansweredCallerTurns,
            endpointDelaysMs: rows.filter { !$0.cutOff }.compactMap(\.endpointDelayMs),
            voiceToVoiceMs: rows.compactMap(\.voiceToVoiceMs),
            bargeInReactionsMs: rows.compactMap(\.bargeInReactionMs))
    }

    /// The figures of a replay's event stream.
    public init(events: [PipelineEvent]) {
        let metrics = SessionMetrics(events: events)
        self.init(
            turns: metrics.turns, callerTurns: events.lazy.filter { $0.kind == .callerSpeechStart }.count,
            unansweredCallerTurns: metrics.summary.unansweredCallerTurns)
    }
}

extension SweepSample {
    /// The sample as a JSON object (the shard/merge format; keys carry units).
    var json: JSONValue {
        func ints(_ values: [Int64]) -> JSONValue { .array(values.map(JSONValue.int)) }
        return [
            "caller_turns": .int(Int64(callerTurns)),
            "ended_caller_turns": .int(Int64(endedCallerTurns)),
            "cut_off_caller_turns": .int(Int64(cutOffCallerTurns)),
            "turns": .int(Int64(turns)),
            "barge_ins": .int(Int64(bargeIns)),
            "self_interruptions": .int(Int64(selfInterruptions)),
            "unanswered_caller_turns": .int(Int64(unansweredCallerTurns)),
            "endpoint_delays_ms": ints(endpointDelaysMs),
            "voice_to_voice_ms": ints(voiceToVoiceMs),
            "barge_in_reactions_ms": ints(bargeInReactionsMs),
        ]
    }

    /// Reads a sample written by `json` (`context` names it in errors).
    init(json: JSONValue, context: String) throws {
        func int(_ key: String) throws -> Int {
            guard let v = json[key]?.intValue, v >= 0, v <= Int64(Int32.max) else {
                throw ReplayError("\(context): '\(key)' is missing or not a count")
            }
            return Int(v)
        }
        func ints(_ key: String) throws -> [Int64] {
            guard let items = json[key]?.arrayValue else { throw ReplayError("\(context): '\(key)' is missing or not a list") }
            return try items.map {
                guard let v = $0.intValue else { throw ReplayError("\(context): '\(key)' holds a non-integer") }
                return v
            }
        }
        self.init(
            callerTurns: try int("caller_turns"), endedCallerTurns: try int("ended_caller_turns"),
            cutOffCallerTurns: try int("cut_off_caller_turns"), turns: try int("turns"),
            bargeIns: try int("barge_ins"), selfInterruptions: try int("self_interruptions"),
            unansweredCallerTurns: try int("unanswered_caller_turns"),
            endpointDelaysMs: try ints("endpoint_delays_ms"), voiceToVoiceMs: try ints("voice_to_voice_ms"),
            bargeInReactionsMs: try ints("barge_in_reactions_ms"))
    }
}
