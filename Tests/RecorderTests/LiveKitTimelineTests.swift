import Core
import Recorder
import Testing

/// `LiveKitTimeline` on small hand-written reports (no audio): each mapping rule on its own.
@Suite struct LiveKitTimelineTests {
    static let t0 = 1000.0

    static func event(_ type: String, _ at: Double, _ fields: [String: JSONValue] = [:]) -> JSONValue {
        var f = fields
        f["type"] = .string(type)
        f["created_at"] = .double(t0 + at)
        return .object(f)
    }

    static func state(_ who: String, _ at: Double, _ old: String, _ new: String) -> JSONValue {
        event("\(who)_state_changed", at, ["old_state": .string(old), "new_state": .string(new)])
    }

    static func message(_ role: String, _ text: String, interrupted: Bool = false, created: Double? = nil, metrics: [String: Double] = [:]) -> JSONValue {
        var m: [String: JSONValue] = ["type": "message", "role": .string(role), "content": [.string(text)], "interrupted": .bool(interrupted)]
        if let created { m["created_at"] = .double(t0 + created) }
        m["metrics"] = .object(metrics.mapValues { .double($0) })
        return .object(m)
    }

    static func timeline(_ events: [JSONValue], _ items: [JSONValue] = [], audioEndUs: Int64 = 10_000_000) throws -> LiveKitTimeline {
        let json: JSONValue = [
            "job_id": "t", "audio_recording_started_at": .double(t0), "options": [:],
            "events": .array(events), "chat_history": ["items": .array(items)],
        ]
        let report = try LiveKitReport(json: json, path: "session_report.json")
        return LiveKitTimeline(report: report, audioEndUs: audioEndUs, micFrames: Int(audioEndUs / 20_000), bargeInTrigger: "vad")
    }

    func line(_ e: PipelineEvent) -> String { "\(e.time.microseconds) \(e.kind.rawValue) \(e.turn.map(String.init) ?? "-")" }

    @Test func anIncompleteVerdictEndsTheTurnAsATimeout() throws {
        let t = try Self.timeline([
            Self.state("user", 1.0, "listening", "speaking"),
            Self.event("user_input_transcribed", 2.1, ["transcript": "I want to", "is_final": true]),
            Self.state("user", 2.0, "speaking", "listening"),
            Self.event("eot_prediction", 2.5, ["probability": .double(0.2), "threshold": .double(0.5), "delay": .double(0.5)]),
            Self.state("agent", 5.0, "listening", "thinking"),
            Self.state("agent", 5.6, "thinking", "speaking"),
            Self.state("agent", 7.0, "speaking", "listening"),
        ], [
            Self.message("user", "I want to", metrics: ["stopped_speaking_at": Self.t0 + 2.0, "end_of_turn_delay": 3.0]),
            Self.message("assistant", "Go on.", metrics: ["started_speaking_at": Self.t0 + 5.6]),
        ])
        #expect(t.events.map(line) == [
            "1000000 vad.start 1", "2000000 vad.stop 1", "2100000 stt.final 1", "2500000 eot.prediction 1",
            "5000000 turn.end 1", "5000000 llm.request 1", "5600000 play.start 1", "7000000 play.stop 1",
            "10000000 session.end -",
        ])
        let end = try #require(t.events.first { $0.kind == .turnEnd })
        #expect(end.data["reason"] == "timeout" && end.data["waited_ms"] == 3000 && end.data["speech_end_us"] == 2_000_000)
        let eot = try #require(t.events.first { $0.kind == .eotPrediction })
        #expect(eot.data["outcome"] == "incomplete" && eot.data["audio_end_us"] == 2_000_000)
        #expect(t.events.first { $0.kind == .playStop }?.data["heard_text"] == "Go on.")
    }

    @Test func aGreetingCarriesNoTurnAndIgnoredTypesAddNothing() throws {
        let t = try Self.timeline([
            Self.event("speech_created", 0.1, ["user_initiated": true, "source": "say"]),
            Self.state("agent", 0.2, "listening", "speaking"),
            Self.event("session_usage_updated", 0.5, ["usage": [:]]),
            Self.state("agent", 1.5, "speaking", "listening"),
            Self.event("close", 3.0, ["reason": "participant_disconnected"]),
        ], [Self.message("assistant", "Hi.", created: 0.2)])
        #expect(t.events.map(line) == ["200000 play.start -", "1500000 play.stop -", "10000000 session.end -"])
        #expect(t.events.last?.data["reason"] == "participant_disconnected")
    }

    @Test func theUserCuttingTheGreetingIsABargeInWithoutATurn() throws {
        let t = try Self.timeline([
            Self.state("agent", 0.2, "listening", "speaking"),
            Self.state("user", 1.0, "listening", "speaking"),
            Self.state("agent", 1.6, "speaking", "listening"),
        ], [Self.message("assistant", "Hello, welcome", interrupted: true, created: 0.2)])
        let b = try #require(t.events.first { $0.kind == .bargeIn })
        #expect(b.turn == nil && b.time.microseconds == 1_600_000 && b.data["onset_us"] == 1_000_000 && b.data["speech_ms"] == 600)
        #expect(t.events.first { $0.kind == .playStop }?.data["reason"] == "interrupted")
        // The user's speech belongs to turn 1 (no turn has ended yet).
        #expect(t.events.first { $0.kind == .vadStart }?.turn == 1)
    }

    @Test func edgesOfTheRecordingAreKeptWithANote() throws {
        let t = try Self.timeline([
            Self.state("user", -0.5, "listening", "speaking"),
            Self.state("user", 1.0, "speaking", "listening"),
            Self.state("agent", 8.0, "listening", "speaking"),
        ], [Self.message("user", "hello", created: 0.0)], audioEndUs: 9_000_000)
        // The onset before the audio starts moves to 0; the agent still speaking at the end stops there.
        #expect(t.events.first?.kind == .vadStart && t.events.first?.time == .zero)
        #expect(t.events.first { $0.kind == .playStop }?.time.microseconds == 9_000_000)
        // A user message without end-of-turn metrics and no agent `thinking` after it gets no turn.end.
        #expect(!t.events.contains { $0.kind == .turnEnd })
        #expect(t.notes.contains { $0.contains("before audio_recording_started_at") })
        #expect(t.notes.contains { $0.contains("still speaking") })
        #expect(t.notes.contains { $0.contains("chat_history.items[0]") })
    }
}
