import Core

/// A checked LiveKit session report turned into Crosstalk's event stream (DESIGN.md §3 kinds, the
/// turn convention of docs/record-protocol.md), times in microseconds after the audio's start.
///
/// - `user_state_changed` to/from `speaking` → `vad.start` / `vad.stop` (LiveKit backdates the
///   stop to the last speaking time, so it is the speech end);
/// - `user_input_transcribed` → `stt.partial` / `stt.final` (`text`);
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

    private struct Draft {
        var time: Int64
        var kind: EventKind
        var turn: Int?
        var data: [String: JSONValue]
    }

    private struct Span {
        var start: Int64
        var stop: Int64?
    }

    /// Maps `report`; `audioEndUs` is where the audio ends, `bargeInTrigger` the `bargein` trigger
    /// the recorded settings imply (`vad`, or `words` when `min_interruption_words` > 0).
    public init(report: LiveKitReport, audioEndUs: Int64, micFrames: Int, bargeInTrigger: String) {
        var notes: [String] = []
        func us(_ seconds: Double) -> Int64 { Int64(((seconds - report.audioStartedAt) * 1_000_000).rounded()) }
        var user: [Draft] = []  // vad/stt/eot; turns assigned later
        var agentSpans: [Span] = []
        var thinking: [Int64] = []
        var userOnsets: [Int64] = []
        var falseInterruptions: [(time: Int64, resumed: Bool)] = []
        // Events in time order (file order breaks ties): the backdated stop lands where it happened.
        let ordered = report.events.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map(\.element)
        for e in ordered {
            let f = e.fields
            let old = f["old_state"]?.stringValue, new = f["new_state"]?.stringValue
            switch e.type {
            case "user_state_changed":
                if new == "speaking", old != "speaking" {
                    let t = us(e.createdAt)
                    user.append(Draft(time: t, kind: .vadStart, data: [:]))
                    userOnsets.append(t)
                } else if old == "speaking", new != "speaking" {
                    let t = us(e.createdAt)
                    user.append(Draft(time: t, kind: .vadStop, data: ["speech_end_us": .int(t)]))
                }
            case "user_input_transcribed":
                let final = f["is_final"]?.boolValue ?? false
                user.append(Draft(time: us(e.createdAt), kind: final ? .sttFinal : .sttPartial, data: ["text": f["transcript"] ?? ""]))
            case "eot_prediction":
                let t = us(e.createdAt)
                let p = f["probability"]?.doubleValue ?? 0, threshold = f["threshold"]?.doubleValue ?? 0
                var data: [String: JSONValue] = [
                    "probability": .double(p), "threshold": .double(threshold),
                    "outcome": .string(p >= threshold ? "complete" : "incomplete"),
                ]
                if let d = f["inference_duration"]?.doubleValue { data["inference_ms"] = .double((d * 1_000_000).rounded() / 1000) }
                if let d = f["delay"]?.doubleValue { data["audio_end_us"] = .int(max(0, t - Int64((d * 1_000_000).rounded()))) }
                user.append(Draft(time: t, kind: .eotPrediction, data: data))
            case "agent_state_changed":
                let t = us(e.createdAt)
                if new == "speaking", old != "speaking" { agentSpans.append(Span(start: t)) }
                if old == "speaking", new != "speaking", let last = agentSpans.indices.last, agentSpans[last].stop == nil {
                    agentSpans[last].stop = max(t, agentSpans[last].start)
                }
                if new == "thinking", old != "thinking" { thinking.append(t) }
            case "agent_false_interruption":
                falseInterruptions.append((us(e.createdAt), f["resumed"]?.boolValue ?? false))
            default:
                break
            }
        }
        let sessionEndUs = max(audioEndUs, user.map(\.time).max() ?? 0, agentSpans.map { $0.stop ?? $0.start }.max() ?? 0)
        for i in agentSpans.indices where agentSpans[i].stop == nil {
            agentSpans[i].stop = max(agentSpans[i].start, audioEndUs)
            notes.append("the agent was still speaking when the report ends: its last play.stop is at the end of the audio")
        }

        // Turn ends from the user messages (LiveKit's own decision time), else the agent's next `thinking`.
        struct TurnEnd { var time: Int64; var speechEnd: Int64?; var message: LiveKitReport.Message }
        var ends: [TurnEnd] = []
        var usedThinking = Set<Int64>()
        for m in report.messages where m.role == "user" {
            if let stopped = m.metrics["stopped_speaking_at"], let delay = m.metrics["end_of_turn_delay"] {
                let s = us(stopped)
                ends.append(TurnEnd(time: s + Int64((delay * 1_000_000).rounded()), speechEnd: s, message: m))
            } else if let created = m.createdAt, let t = thinking.first(where: { $0 >= us(created) && !usedThinking.contains($0) }) {
                usedThinking.insert(t)
                let speechEnd = user.filter { $0.kind == .vadStop && $0.time <= t }.map(\.time).max()
                ends.append(TurnEnd(time: t, speechEnd: speechEnd, message: m))
            } else {
                notes.append("chat_history.items[\(m.index)] (user) has no end-of-turn metrics and no agent 'thinking' after it: no turn.end for it")
            }
        }
        ends.sort { ($0.time, $0.message.index) < ($1.time, $1.message.index) }

        // User-side events take the turn in progress (turn N runs to turn.end N).
        var drafts: [Draft] = []
        let endTimes = ends.map(\.time)
        func userTurn(_ t: Int64, kind: EventKind) -> Int {
            // Events at a turn end's instant that sort before it (kindOrder) belong to it.
            let before = endTimes.filter { $0 < t || ($0 == t && Self.rank(kind) > Self.rank(.turnEnd)) }.count
            return before + 1
        }
        for d in user { drafts.append(Draft(time: d.time, kind: d.kind, turn: userTurn(d.time, kind: d.kind), data: d.data)) }
        let eots = drafts.filter { $0.kind == .eotPrediction }
        for (n, end) in ends.enumerated() {
            let turn = n + 1
            let previous = n > 0 ? ends[n - 1].time : Int64.min
            let verdict = eots.last { $0.turn == turn && $0.time > previous && $0.time <= end.time }
            let waited = end.speechEnd.map { (end.time - $0) / 1000 }
            var reason = "silence"
            if let verdict { reason = verdict.data["outcome"] == "complete" ? "eot_model" : "timeout" }
            var data: [String: JSONValue] = ["reason": .string(reason), "transcript": .string(end.message.text)]
            if let s = end.speechEnd { data["speech_end_us"] = .int(s) }
            if let waited { data["waited_ms"] = .int(waited) }
            drafts.append(Draft(time: end.time, kind: .turnEnd, turn: turn, data: data))
        }

        // The agent's speaking spans: replies of the last turn end before them.
        let assistants = report.messages.filter { $0.role == "assistant" }
        var repliedTurns = Set<Int>()
        var bargeIns: [Int] = []
        for span in agentSpans {
            let stop = span.stop ?? span.start
            let endIndex = ends.lastIndex { $0.time <= span.start }
            let turn = endIndex.map { $0 + 1 }
            let message = Self.message(for: span.start, among: assistants, us: us)
            if let turn, let endIndex, let message, !repliedTurns.contains(turn) {
                repliedTurns.insert(turn)
                let end = ends[endIndex]
                let callback = end.message.metrics["on_user_turn_completed_delay"] ?? 0
                let request = min(span.start, end.time + Int64((callback * 1_000_000).rounded()))
                drafts.append(Draft(time: request, kind: .llmRequest, turn: turn, data: [:]))
                if let ttft = message.metrics["llm_node_ttft"] {
                    let token = min(span.start, request + Int64((ttft * 1_000_000).rounded()))
                    drafts.append(Draft(time: token, kind: .llmToken, turn: turn, data: ["index": 0]))
                    if let ttfb = message.metrics["tts_node_ttfb"] {
                        drafts.append(Draft(time: token, kind: .ttsRequest, turn: turn, data: [:]))
                        let chunk = min(span.start, token + Int64((ttfb * 1_000_000).rounded()))
                        drafts.append(Draft(time: chunk, kind: .ttsChunk, turn: turn, data: [:]))
                    }
                }
            }
            drafts.append(Draft(time: span.start, kind: .playStart, turn: turn, data: [:]))
            let onset = userOnsets.last { $0 >= span.start && $0 <= stop }
            let userSpeakingAtStop = userOnsets.contains { $0 <= stop } && {
                let lastStart = userOnsets.last { $0 <= stop } ?? 0
                return !user.contains { $0.kind == .vadStop && $0.time >= lastStart && $0.time < stop }
            }()
            let interrupted = message?.interrupted ?? (onset != nil && userSpeakingAtStop)
            if interrupted, let onset {
                let data: [String: JSONValue] = [
                    "trigger": .string(bargeInTrigger), "speech_ms": .int((stop - onset) / 1000), "onset_us": .int(onset),
                ]
                bargeIns.append(drafts.count)
                drafts.append(Draft(time: stop, kind: .bargeIn, turn: turn, data: data))
            }
            drafts.append(Draft(time: stop, kind: .playStop, turn: turn, data: [
                "reason": .string(interrupted ? "interrupted" : "done"), "heard_text": .string(message?.text ?? ""),
            ]))
        }
        // A false interruption (no words followed) marks the interruption it judged: the last before it.
        for f in falseInterruptions {
            guard let i = bargeIns.last(where: { drafts[$0].time <= f.time }) else { continue }
            drafts[i].data["false_interruption"] = true
            drafts[i].data["resumed"] = .bool(f.resumed)
        }
        // Times before the audio's start (a state change while the recorder started) move to it.
        let clamped = drafts.filter { $0.time < 0 }.count
        for i in drafts.indices where drafts[i].time < 0 { drafts[i].time = 0 }
        if clamped > 0 {
            notes.append("\(clamped) event time(s) before audio_recording_started_at were moved to the audio's start")
        }
        let unmatched = falseInterruptions.filter { f in !bargeIns.contains { drafts[$0].time <= f.time } }.count
        if unmatched > 0 { notes.append("\(unmatched) agent_false_interruption event(s) follow no interruption: ignored") }
        let reason = report.closeReason ?? "recording_end"
        drafts.append(Draft(time: sessionEndUs, kind: .sessionEnd, turn: nil, data: [
            "reason": .string(reason), "frames": .int(Int64(micFrames)),
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
