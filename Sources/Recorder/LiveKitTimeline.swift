import Core

/// A checked LiveKit session report turned into Crosstalk's event stream (DESIGN.md §3 kinds, the
/// turn convention of docs/record-protocol.md), times in microseconds after the audio's start.
///
/// - `user_state_changed` to/from `speaking` → `vad.start` / `vad.stop` (LiveKit backdates the
///   stop to the last speaking time, so it is the speech end);
/// - `user_input_transcribed` → `stt.partial` / `stt.final` (`text`; a turn's last final also
///   `audio_end_us` = the turn's speech end);
/// - `eot_prediction` → `eot.prediction` (`probability`, `threshold`, `outcome`, `inference_ms`,
///   `audio_end_us` = its time less `delay`);
/// - each user message of `chat_history` → `turn.end` at `stopped_speaking_at + end_of_turn_delay`
///   (LiveKit's own decision time), `speech_end_us` = `stopped_speaking_at`; without those metrics,
///   the agent's next change to `thinking`;
/// - each agent `speaking` span (`agent_state_changed`) → `play.start` / `play.stop`, the reply of
///   the last `turn.end` before it; its assistant message gives `heard_text`, whether it was
///   interrupted, and `llm.request` (turn end + `on_user_turn_completed_delay`), `llm.token`
///   (+ `llm_node_ttft`), `tts.request` and `tts.chunk` (+ `tts_node_ttfb`);
/// - an interrupted span during which the user started speaking → `bargein` at the stop;
///   `agent_false_interruption` marks the last `bargein` (`false_interruption`, `resumed`).
public struct LiveKitTimeline: Sendable {
    /// The events, sorted by (time, `kindOrder`, construction order), `seq` from 0.
    public var events: [PipelineEvent]
    /// Things the user should know (one line each).
    public var notes: [String]

    /// Same-instant order: the user's side first, then the decision, then the reply.
    static let kindOrder: [EventKind] = [
        .vadStart, .sttPartial, .sttFinal, .vadStop, .eotPrediction, .turnEnd, .bargeIn, .playStop,
        .llmRequest, .llmToken, .ttsRequest, .ttsChunk, .playStart, .sessionEnd,
    ]

    /// An event before sorting and numbering.
    struct Draft {
        var time: Int64
        var kind: EventKind
        var turn: Int?
        var data: [String: JSONValue]
    }

    /// One stretch of the agent speaking (`agent_state_changed` to and from `speaking`).
    struct Span {
        var start: Int64
        var stop: Int64?
    }

    /// A user turn's end: when LiveKit decided it, the speech end it acted on, the user's message.
    struct TurnEnd {
        var time: Int64
        var speechEnd: Int64?
        var message: LiveKitReport.Message
    }

    /// Maps `report`; `audioEndUs` is where the audio ends, `bargeInTrigger` the `bargein` trigger
    /// the recorded settings imply (`vad`, or `words` when `min_interruption_words` > 0).
    public init(report: LiveKitReport, audioEndUs: Int64, micFrames: Int, bargeInTrigger: String) {
        var notes: [String] = []
        let start = report.audioStartedAt
        let us: (Double) -> Int64 = { Int64((($0 - start) * 1_000_000).rounded()) }
        var readout = Self.read(report, us: us)
        let sessionEndUs = max(audioEndUs, readout.user.map(\.time).max() ?? 0, readout.spans.map { $0.stop ?? $0.start }.max() ?? 0)
        for i in readout.spans.indices where readout.spans[i].stop == nil {
            readout.spans[i].stop = max(readout.spans[i].start, audioEndUs)
            notes.append("the agent was still speaking when the report ends: its last play.stop is at the end of the audio")
        }
        let ends = Self.turnEnds(report, readout: readout, us: us, notes: &notes)
        var drafts = Self.userSide(readout.user, ends: ends)
        let assistants = report.messages.filter { $0.role == "assistant" }
        let bargeIns = Self.replies(readout, ends: ends, assistants: assistants, trigger: bargeInTrigger, us: us, into: &drafts)
        // A false interruption (no words followed) marks the interruption it judged: the last before it.
        var unmatched = 0
        for f in readout.falseInterruptions {
            guard let i = bargeIns.last(where: { drafts[$0].time <= f.time }) else { unmatched += 1; continue }
            drafts[i].data["false_interruption"] = true
            drafts[i].data["resumed"] = .bool(f.resumed)
        }
        if unmatched > 0 { notes.append("\(unmatched) agent_false_interruption event(s) follow no interruption: ignored") }
        // Times before the audio's start (a state change while the recorder started) move to it.
        let clamped = drafts.filter { $0.time < 0 }.count
        for i in drafts.indices where drafts[i].time < 0 { drafts[i].time = 0 }
        if clamped > 0 {
            notes.append("\(clamped) event time(s) before audio_recording_started_at were moved to the audio's start")
        }
        drafts.append(Draft(time: sessionEndUs, kind: .sessionEnd, turn: nil, data: [
            "reason": .string(report.closeReason ?? "recording_end"), "frames": .int(Int64(micFrames)),
        ]))
        let sorted = drafts.enumerated().sorted {
            ($0.element.time, Self.rank($0.element.kind), $0.offset) < ($1.element.time, Self.rank($1.element.kind), $1.offset)
        }
        events = sorted.enumerated().map { seq, item in
            PipelineEvent(seq: Int64(seq), time: SimInstant(microseconds: item.element.time), kind: item.element.kind,
                          turn: item.element.turn, data: .object(item.element.data))
        }
        self.notes = notes
    }

    /// Turn ends from the user messages (LiveKit's own decision time), else the agent's next `thinking`.
    static func turnEnds(_ report: LiveKitReport, readout: Readout, us: (Double) -> Int64, notes: inout [String]) -> [TurnEnd] {
        var ends: [TurnEnd] = []
        var usedThinking = Set<Int64>()
        for m in report.messages where m.role == "user" {
            if let stopped = m.metrics["stopped_speaking_at"], let delay = m.metrics["end_of_turn_delay"] {
                let s = us(stopped)
                ends.append(TurnEnd(time: s + Int64((delay * 1_000_000).rounded()), speechEnd: s, message: m))
            } else if let created = m.createdAt, let t = readout.thinking.first(where: { $0 >= us(created) && !usedThinking.contains($0) }) {
                usedThinking.insert(t)
                let speechEnd = readout.user.filter { $0.kind == .vadStop && $0.time <= t }.map(\.time).max()
                ends.append(TurnEnd(time: t, speechEnd: speechEnd, message: m))
            } else {
                notes.append("chat_history.items[\(m.index)] (user) has no end-of-turn metrics and no agent 'thinking' after it: no turn.end for it")
            }
        }
        return ends.sorted { ($0.time, $0.message.index) < ($1.time, $1.message.index) }
    }

    /// The user's events numbered by the turn in progress (turn N runs to `turn.end` N), and the turn ends.
    static func userSide(_ user: [Draft], ends: [TurnEnd]) -> [Draft] {
        let endTimes = ends.map(\.time)
        // Events at a turn end's instant that sort before it (kindOrder) belong to it.
        var drafts = user.map { d in
            var d = d
            d.turn = endTimes.filter { $0 < d.time || ($0 == d.time && rank(d.kind) > rank(.turnEnd)) }.count + 1
            return d
        }
        let eots = drafts.filter { $0.kind == .eotPrediction }
        for (n, end) in ends.enumerated() {
            let turn = n + 1
            let previous = n > 0 ? ends[n - 1].time : Int64.min
            let verdict = eots.last { $0.turn == turn && $0.time > previous && $0.time <= end.time }
            var reason = "silence"
            if let verdict { reason = verdict.data["outcome"] == "complete" ? "eot_model" : "timeout" }
            var data: [String: JSONValue] = ["reason": .string(reason), "transcript": .string(end.message.text)]
            if let s = end.speechEnd {
                data["speech_end_us"] = .int(s)
                data["waited_ms"] = .int((end.time - s) / 1000)
                // The turn's last final transcribes its speech up to the end LiveKit acted on (so the
                // STT lag is LiveKit's transcription_delay).
                if let f = drafts.lastIndex(where: { $0.kind == .sttFinal && $0.turn == turn && $0.time <= end.time }) {
                    drafts[f].data["audio_end_us"] = .int(s)
                }
            }
            drafts.append(Draft(time: end.time, kind: .turnEnd, turn: turn, data: data))
        }
        return drafts
    }

    /// The agent's speaking spans as replies of the last turn end before them (with the reply's
    /// `llm.*`/`tts.*` from its message's metrics, and a `bargein` where the user cut it); returns
    /// the indices of the `bargein` drafts.
    static func replies(
        _ readout: Readout, ends: [TurnEnd], assistants: [LiveKitReport.Message], trigger: String, us: (Double) -> Int64,
        into drafts: inout [Draft]
    ) -> [Int] {
        var repliedTurns = Set<Int>()
        var bargeIns: [Int] = []
        for span in readout.spans {
            let stop = span.stop ?? span.start
            let endIndex = ends.lastIndex { $0.time <= span.start }
            let turn = endIndex.map { $0 + 1 }
            let message = Self.message(for: span.start, among: assistants, us: us)
            if let turn, let endIndex, let message, !repliedTurns.contains(turn) {
                repliedTurns.insert(turn)
                drafts += chain(turn: turn, end: ends[endIndex], message: message, playStart: span.start)
            }
            drafts.append(Draft(time: span.start, kind: .playStart, turn: turn, data: [:]))
            let onset = readout.onsets.last { $0 >= span.start && $0 <= stop }
            let lastStart = readout.onsets.last { $0 <= stop }
            let userSpeakingAtStop = lastStart.map { s in !readout.user.contains { $0.kind == .vadStop && $0.time >= s && $0.time < stop } } ?? false
            let interrupted = message?.interrupted ?? (onset != nil && userSpeakingAtStop)
            if interrupted, let onset {
                bargeIns.append(drafts.count)
                drafts.append(Draft(time: stop, kind: .bargeIn, turn: turn, data: [
                    "trigger": .string(trigger), "speech_ms": .int((stop - onset) / 1000), "onset_us": .int(onset),
                ]))
            }
            drafts.append(Draft(time: stop, kind: .playStop, turn: turn, data: [
                "reason": .string(interrupted ? "interrupted" : "done"), "heard_text": .string(message?.text ?? ""),
            ]))
        }
        return bargeIns
    }

    /// `llm.request` at the turn end + `on_user_turn_completed_delay`, `llm.token` + `llm_node_ttft`,
    /// `tts.request` at that token, `tts.chunk` + `tts_node_ttfb`; none later than `playStart`.
    static func chain(turn: Int, end: TurnEnd, message: LiveKitReport.Message, playStart: Int64) -> [Draft] {
        func us(_ seconds: Double?) -> Int64 { Int64(((seconds ?? 0) * 1_000_000).rounded()) }
        let request = min(playStart, end.time + us(end.message.metrics["on_user_turn_completed_delay"]))
        var out = [Draft(time: request, kind: .llmRequest, turn: turn, data: [:])]
        guard let ttft = message.metrics["llm_node_ttft"] else { return out }
        let token = min(playStart, request + us(ttft))
        out.append(Draft(time: token, kind: .llmToken, turn: turn, data: ["index": 0]))
        guard let ttfb = message.metrics["tts_node_ttfb"] else { return out }
        out.append(Draft(time: token, kind: .ttsRequest, turn: turn, data: [:]))
        out.append(Draft(time: min(playStart, token + us(ttfb)), kind: .ttsChunk, turn: turn, data: [:]))
        return out
    }

    /// The position of `kind` among events at the same instant.
    static func rank(_ kind: EventKind) -> Int { kindOrder.firstIndex(of: kind) ?? kindOrder.count }

    /// The assistant message a speaking span from `start` played: the one whose start
    /// (`started_speaking_at`, else `created_at`) is nearest within a second, else one whose
    /// speaking range holds `start` (a reply resumed after a false interruption).
    static func message(
        for start: Int64, among messages: [LiveKitReport.Message], us: (Double) -> Int64
    ) -> LiveKitReport.Message? {
        func begin(_ m: LiveKitReport.Message) -> Int64? { (m.metrics["started_speaking_at"] ?? m.createdAt).map(us) }
        let near = messages.compactMap { m in begin(m).map { (m, abs($0 - start)) } }.filter { $0.1 <= 1_000_000 }
        if let best = near.min(by: { ($0.1, $0.0.index) < ($1.1, $1.0.index) }) { return best.0 }
        return messages.first { m in
            guard let b = begin(m), let e = m.metrics["stopped_speaking_at"].map(us) else { return false }
            return b <= start && start <= e
        }
    }
}
