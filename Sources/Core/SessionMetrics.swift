/// Computes per-turn and session metrics from an event stream alone (so reports work on any archive).
public struct SessionMetrics: Sendable {
    /// One row per `turn.end`.
    public var turns: [TurnMetrics]
    /// Totals.
    public var summary: SessionSummary

    private struct Interval { var start: Int64; var end: Int64 }

    /// Computes the metrics of `events` (in stream order); `hint` sets when a turn end is flagged
    /// a probable cut-off without caller labels.
    public init(events recorded: [PipelineEvent], hint: CutOffHint = .standard) {
        func ms(_ e: PipelineEvent) -> Int64 { e.time.microseconds / 1000 }
        let events = Self.numbered(recorded)
        // Ground-truth caller turns, by caller turn number.
        var callerSpans: [(turn: Int, start: Int64, end: Int64?)] = []
        for e in events where e.kind == .callerSpeechStart {
            callerSpans.append((e.turn ?? 0, ms(e), nil))
        }
        for e in events where e.kind == .callerSpeechEnd {
            if let i = callerSpans.firstIndex(where: { $0.turn == e.turn && $0.end == nil }) { callerSpans[i].end = ms(e) }
        }
        let end = events.last.map(ms) ?? 0
        // When the caller was actually audible: its words when recorded, else the whole turn.
        var callerIntervals: [Interval] = []
        for e in events where e.kind == .callerSpeechStart {
            let words = e.data["words"]?.arrayValue ?? []
            let spans = words.compactMap { w -> Interval? in
                guard let s = w["start_us"]?.intValue, let t = w["end_us"]?.intValue else { return nil }
                return Interval(start: s / 1000, end: t / 1000)
            }
            if !spans.isEmpty {
                callerIntervals += spans
            } else if let span = callerSpans.first(where: { $0.turn == e.turn }) {
                callerIntervals.append(Interval(start: span.start, end: span.end ?? end))
            }
        }

        let finals = events.filter { $0.kind == .sttFinal }
        var byTurn: [Int: [PipelineEvent]] = [:]
        for e in events { if let t = e.turn { byTurn[t, default: []].append(e) } }

        var rows: [TurnMetrics] = []
        for e in events where e.kind == .turnEnd {
            let turn = e.turn ?? 0
            let mine = (byTurn[turn] ?? []).filter { !$0.kind.rawValue.hasPrefix("caller.") }
            let tEnd = ms(e)
            // The caller turn this belongs to: the one in progress at turn.end, else the last one started.
            let inside = callerSpans.last { $0.start <= tEnd && ($0.end ?? Int64.max) > tEnd }
            let owner = inside ?? callerSpans.last { $0.start <= tEnd }
            let vadEnd = e.data["speech_end_us"]?.intValue.map { $0 / 1000 }
            // A cut-off answers the pause, not the end of the caller's turn: measure from the pause.
            let speechEnd = inside != nil ? vadEnd : owner?.end ?? vadEnd
            func first(_ k: EventKind) -> PipelineEvent? { mine.first { $0.kind == k } }
            let request = first(.llmRequest), token = first(.llmToken)
            let ttsRequest = first(.ttsRequest), chunk = first(.ttsChunk)
            let playStart = first(.playStart), playStop = first(.playStop)
            // The final that transcribes the speech up to its end (STT events carry the audio time they cover).
            // A real recognizer places the end a little off the ground truth: take the closest final
            // whose audio ends between 300 ms before and 500 ms after the speech end.
            let lastFinal = speechEnd.flatMap { end in
                finals.filter {
                    let d = ($0.data["audio_end_us"]?.intValue ?? Int64.min / 2) / 1000 - end
                    return d >= -300 && d <= 500
                }.min { abs(($0.data["audio_end_us"]?.intValue ?? 0) / 1000 - end) < abs(($1.data["audio_end_us"]?.intValue ?? 0) / 1000 - end) }
            }
            let bargeIn = first(.bargeIn)
            let resumed = events.first { $0.kind == .vadStart && $0.time > e.time }.map(ms)
            var row = TurnMetrics(
                turn: turn, callerTurn: owner?.turn, callerSpeechEndMs: speechEnd, turnEndMs: tEnd,
                reason: e.data["reason"]?.stringValue ?? "", endpointDelayMs: speechEnd.map { tEnd - $0 },
                sttFinalLagMs: nil, llmTTFTMs: nil, aggregationMs: nil, ttsTTFBMs: nil, playoutBufferMs: nil,
                networkMs: (request?.data["network_ms"]?.intValue ?? 0) + (ttsRequest?.data["network_ms"]?.intValue ?? 0),
                firstAudioMs: playStart.map(ms), voiceToVoiceMs: nil, overlapMs: 0,
                cutOff: inside != nil, bargedIn: bargeIn != nil, selfInterruption: false,
                bargeInReactionMs: nil, heardText: playStop?.data["heard_text"]?.stringValue)
            if let f = lastFinal, let s = speechEnd { row.sttFinalLagMs = ms(f) - s }
            if let r = request, let t = token { row.llmTTFTMs = ms(t) - ms(r) }
            if let t = token, let q = ttsRequest { row.aggregationMs = ms(q) - ms(t) }
            if let q = ttsRequest, let c = chunk { row.ttsTTFBMs = ms(c) - ms(q) }
            if let c = chunk, let p = playStart { row.playoutBufferMs = ms(p) - ms(c) }
            if let p = playStart, let s = speechEnd { row.voiceToVoiceMs = ms(p) - s }
            if let p = playStart {
                let stop = playStop.map(ms) ?? end
                row.overlapMs = callerIntervals.reduce(0) { $0 + max(0, min($1.end, stop) - max($1.start, ms(p))) }
            }
            if let b = bargeIn {
                let onset = (b.data["onset_us"]?.intValue ?? b.time.microseconds) / 1000
                let callerTalking = callerIntervals.contains { $0.start <= ms(b) && $0.end >= onset }
                row.selfInterruption = !callerSpans.isEmpty && !callerTalking
                // Reaction counts from when the caller really started (ground truth), else the VAD onset.
                let started = callerSpans.last { $0.start <= ms(b) && $0.start >= (playStart.map(ms) ?? 0) - 100 }?.start ?? onset
                // The play.stop the barge-in caused: the reply's first one at or after the barge-in
                // (an earlier one ended a previous segment of the reply, not this interruption).
                let caused = mine.first { $0.kind == .playStop && $0.time >= b.time }
                if !row.selfInterruption, let stop = caused { row.bargeInReactionMs = ms(stop) - min(started, onset) }
            }
            if let p = playStart {
                let stop = playStop.map(ms) ?? end
                // A caller turn that began while this reply played, which went on for over a second.
                if let talkedOver = callerSpans.first(where: { $0.start > ms(p) && $0.start < stop }), stop - talkedOver.start > 1000 {
                    row.missedBargeIn = true
                }
            }
            if let v = row.voiceToVoiceMs { row.deadAirMs = max(0, v - 1000) }
            if let resumed, resumed - tEnd <= hint.resumeWithinMs, playStart.map({ resumed - ms($0) <= hint.interruptWithinMs }) ?? true {
                row.probableCutOff = true
            }
            rows.append(row)
        }
        turns = rows

        let v2v = rows.compactMap(\.voiceToVoiceMs)
        let delays = rows.filter { !$0.cutOff }.compactMap(\.endpointDelayMs)
        let answered = Set(rows.filter { !$0.cutOff }.compactMap(\.callerTurn))
        summary = SessionSummary(
            turns: rows.count, cutOffs: rows.filter(\.cutOff).count,
            bargeIns: rows.filter { $0.bargedIn && !$0.selfInterruption }.count,
            selfInterruptions: rows.filter(\.selfInterruption).count,
            voiceToVoiceP50Ms: percentile(v2v, 50), voiceToVoiceP90Ms: percentile(v2v, 90),
            endpointDelayP50Ms: percentile(delays, 50), overlapMs: rows.reduce(0) { $0 + $1.overlapMs },
            unansweredCallerTurns: callerSpans.filter { !answered.contains($0.turn) }.count,
            missedBargeIns: rows.filter(\.missedBargeIn).count, deadAirMs: rows.reduce(0) { $0 + $1.deadAirMs },
            durationMs: end)
        summary.probableCutOffs = rows.filter(\.probableCutOff).count
        summary.hasGroundTruth = !callerSpans.isEmpty
    }

    /// The events with every pipeline event given the user turn the protocol's convention gives it
    /// (`TurnNumbering`). Numbered events are kept as sent.
    static func numbered(_ events: [PipelineEvent]) -> [PipelineEvent] {
        guard events.contains(where: { $0.turn == nil && TurnNumbering.numbersKind($0.kind) }) else { return events }
        var numbering = TurnNumbering()
        return events.map { numbering.number($0) }
    }
}

/// The protocol's turn convention (docs/record-protocol.md) applied to a stream read in order: a
/// `turn.end` without a number takes the one after the previous `turn.end`'s; a reply event
/// (`llm.*`, `tts.*`, `play.*`) or `bargein` without one belongs to the last `turn.end` before it
/// (none before the first: a greeting).
struct TurnNumbering: Sendable {
    /// The last `turn.end`'s turn.
    private(set) var lastTurnEnd: Int?

    /// Whether the convention numbers events of `kind` that carry no turn.
    static func numbersKind(_ kind: EventKind) -> Bool {
        kind == .turnEnd || kind == .bargeIn || RecordedSession.replyKinds.contains(kind)
    }

    /// `event` with its turn as the convention gives it.
    mutating func number(_ event: PipelineEvent) -> PipelineEvent {
        var event = event
        if event.kind == .turnEnd {
            if event.turn == nil { event.turn = (lastTurnEnd ?? 0) + 1 }
            lastTurnEnd = event.turn
        } else if event.turn == nil, Self.numbersKind(event.kind) {
            event.turn = lastTurnEnd
        }
        return event
    }
}

/// When a turn end is flagged a *probable* cut-off without caller labels: the caller's VAD starts
/// again within `resumeWithinMs` of the `turn.end`, and before the reply or within
/// `interruptWithinMs` of its `play.start` (the caller was not done and talked into the answer).
public struct CutOffHint: Hashable, Sendable {
    /// The most time from `turn.end` to the caller speaking again.
    public var resumeWithinMs: Int64
    /// The most time from the reply's `play.start` to the caller speaking again.
    public var interruptWithinMs: Int64

    /// A hint with the given thresholds.
    public init(resumeWithinMs: Int64, interruptWithinMs: Int64) {
        self.resumeWithinMs = resumeWithinMs
        self.interruptWithinMs = interruptWithinMs
    }

    /// 1000 ms and 1000 ms (`report --resume-within-ms`, `--interrupt-within-ms`).
    public static let standard = CutOffHint(resumeWithinMs: 1000, interruptWithinMs: 1000)
}
