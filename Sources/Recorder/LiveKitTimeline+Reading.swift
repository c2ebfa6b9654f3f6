import Core

extension LiveKitTimeline {
    /// What the report's events say, in time order: the user's events (turns not yet known), the
    /// agent's speaking spans, its changes to `thinking`, the user's speech onsets, false interruptions.
    struct Readout {
        var user: [Draft] = []
        var spans: [Span] = []
        var thinking: [Int64] = []
        var onsets: [Int64] = []
        var falseInterruptions: [(time: Int64, resumed: Bool)] = []
    }

    /// Reads the mapped event types; `us` converts a `created_at` to microseconds after the audio's start.
    static func read(_ report: LiveKitReport, us: (Double) -> Int64) -> Readout {
        var r = Readout()
        // Time order (file order breaks ties): a backdated stop of speaking lands where it happened.
        let ordered = report.events.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map(\.element)
        for e in ordered {
            let f = e.fields, t = us(e.createdAt)
            let old = f["old_state"]?.stringValue, new = f["new_state"]?.stringValue
            switch e.type {
            case "user_state_changed":
                if new == "speaking", old != "speaking" {
                    r.user.append(Draft(time: t, kind: .vadStart, data: [:]))
                    r.onsets.append(t)
                } else if old == "speaking", new != "speaking" {
                    r.user.append(Draft(time: t, kind: .vadStop, data: ["speech_end_us": .int(t)]))
                }
            case "user_input_transcribed":
                let final = f["is_final"]?.boolValue ?? false
                r.user.append(Draft(time: t, kind: final ? .sttFinal : .sttPartial, data: ["text": f["transcript"] ?? ""]))
            case "eot_prediction":
                r.user.append(Draft(time: t, kind: .eotPrediction, data: eotData(f, at: t)))
            case "agent_state_changed":
                if new == "speaking", old != "speaking" { r.spans.append(Span(start: t)) }
                if old == "speaking", new != "speaking", let last = r.spans.indices.last, r.spans[last].stop == nil {
                    r.spans[last].stop = max(t, r.spans[last].start)
                }
                if new == "thinking", old != "thinking" { r.thinking.append(t) }
            case "agent_false_interruption":
                r.falseInterruptions.append((t, f["resumed"]?.boolValue ?? false))
            default:
                break
            }
        }
        return r
    }

    /// `eot.prediction` data from an `eot_prediction` event at `t`.
    static func eotData(_ f: JSONValue, at t: Int64) -> [String: JSONValue] {
        let p = f["probability"]?.doubleValue ?? 0, threshold = f["threshold"]?.doubleValue ?? 0
        var data: [String: JSONValue] = [
            "probability": .double(p), "threshold": .double(threshold),
            "outcome": .string(p >= threshold ? "complete" : "incomplete"),
        ]
        if let d = f["inference_duration"]?.doubleValue { data["inference_ms"] = .double((d * 1_000_000).rounded() / 1000) }
        if let d = f["delay"]?.doubleValue { data["audio_end_us"] = .int(max(0, t - Int64((d * 1_000_000).rounded()))) }
        return data
    }
}
