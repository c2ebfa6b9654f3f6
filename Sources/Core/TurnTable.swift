/// Renders session metrics as a fixed-width text table (what `simulate` and `report` print).
public enum TurnTable {
    /// The per-turn table followed by a one-line summary. The title (a name read from a file) is
    /// printed with its control characters escaped.
    public static func render(_ metrics: SessionMetrics, title: String) -> String {
        let header = ["turn", "caller_end", "turn.end", "endpoint", "stt_lag", "llm_ttft", "tts_ttfb", "first_audio", "v2v", "overlap", "flags"]
        var rows: [[String]] = []
        for t in metrics.turns {
            var flags: [String] = []
            if t.cutOff { flags.append("CUT-OFF") }
            if !metrics.summary.hasGroundTruth, t.probableCutOff { flags.append("PROBABLE-CUT-OFF") }
            if t.selfInterruption { flags.append("SELF-INTERRUPT") } else if t.bargedIn { flags.append("BARGE-IN") }
            if t.missedBargeIn { flags.append("MISSED-BARGE-IN") }
            if t.firstAudioMs == nil { flags.append("NO-REPLY") }
            rows.append([
                String(t.turn), seconds(t.callerSpeechEndMs), seconds(t.turnEndMs), millis(t.endpointDelayMs),
                millis(t.sttFinalLagMs), millis(t.llmTTFTMs), millis(t.ttsTTFBMs), seconds(t.firstAudioMs),
                millis(t.voiceToVoiceMs), t.overlapMs > 0 ? millis(t.overlapMs) : "-", flags.joined(separator: ","),
            ])
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
        }
        let s = metrics.summary
        var out = "\(title.terminalSafe)\n" + line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        out += "summary: \(s.turns) turns, v2v p50 \(millis(s.voiceToVoiceP50Ms)) p90 \(millis(s.voiceToVoiceP90Ms)), "
        out += "endpoint p50 \(millis(s.endpointDelayP50Ms)), cut-offs \(s.hasGroundTruth ? String(s.cutOffs) : "- (\(s.probableCutOffs) probable)"), barge-ins \(s.bargeIns), "
        out += "self-interruptions \(s.selfInterruptions), missed barge-ins \(s.missedBargeIns), dead air \(s.deadAirMs) ms, overlap \(s.hasGroundTruth ? "\(s.overlapMs) ms" : "-"), unanswered \(s.unansweredCallerTurns), "
        out += "length \(seconds(s.durationMs)) s\n"
        return out
    }

    static func seconds(_ ms: Int64?) -> String { ms.map { formatMilliseconds($0, seconds: true) } ?? "-" }
    static func millis(_ ms: Int64?) -> String { ms.map { "\($0)ms" } ?? "-" }
}

extension TurnMetrics {
    /// The row as JSON (`report --json`).
    public var json: JSONValue {
        func opt(_ v: Int64?) -> JSONValue { v.map(JSONValue.int) ?? .null }
        return [
            "turn": .int(Int64(turn)), "caller_turn": callerTurn.map { .int(Int64($0)) } ?? .null,
            "caller_speech_end_ms": opt(callerSpeechEndMs), "turn_end_ms": .int(turnEndMs), "reason": .string(reason),
            "endpoint_delay_ms": opt(endpointDelayMs), "stt_final_lag_ms": opt(sttFinalLagMs),
            "llm_ttft_ms": opt(llmTTFTMs), "aggregation_ms": opt(aggregationMs), "tts_ttfb_ms": opt(ttsTTFBMs),
            "playout_buffer_ms": opt(playoutBufferMs), "network_ms": .int(networkMs),
            "first_audio_ms": opt(firstAudioMs), "voice_to_voice_ms": opt(voiceToVoiceMs), "overlap_ms": .int(overlapMs),
            "cut_off": .bool(cutOff), "barge_in": .bool(bargedIn), "self_interruption": .bool(selfInterruption),
            "barge_in_reaction_ms": opt(bargeInReactionMs), "heard_text": heardText.map(JSONValue.string) ?? .null,
            "missed_barge_in": .bool(missedBargeIn), "dead_air_ms": .int(deadAirMs),
            "probable_cut_off": .bool(probableCutOff),
        ]
    }
}

extension SessionMetrics {
    /// Everything as JSON (`report --json`).
    public var json: JSONValue {
        let s = summary
        func opt(_ v: Int64?) -> JSONValue { v.map(JSONValue.int) ?? .null }
        return [
            "turns": .array(turns.map(\.json)),
            "summary": [
                "turns": .int(Int64(s.turns)), "cut_offs": s.hasGroundTruth ? .int(Int64(s.cutOffs)) : .null, "barge_ins": .int(Int64(s.bargeIns)),
                "self_interruptions": .int(Int64(s.selfInterruptions)), "voice_to_voice_p50_ms": opt(s.voiceToVoiceP50Ms),
                "voice_to_voice_p90_ms": opt(s.voiceToVoiceP90Ms), "endpoint_delay_p50_ms": opt(s.endpointDelayP50Ms),
                "overlap_ms": s.hasGroundTruth ? .int(s.overlapMs) : .null, "unanswered_caller_turns": .int(Int64(s.unansweredCallerTurns)),
                "missed_barge_ins": .int(Int64(s.missedBargeIns)), "dead_air_ms": .int(s.deadAirMs),
                "duration_ms": .int(s.durationMs), "probable_cut_offs": .int(Int64(s.probableCutOffs)),
            ],
        ]
    }
}
