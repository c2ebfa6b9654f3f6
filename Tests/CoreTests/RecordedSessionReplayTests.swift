import Core
import Testing

/// A recorded real session: the caller says "A table for … four people." with a 600 ms pause; the
/// recorded pipeline ended the turn in the pause (a cut-off), started a reply the caller interrupted,
/// then answered the whole turn 500 ms after its second turn end.
@Suite struct RecordedSessionReplayTests {
    private static func e(_ ms: Int64, _ kind: EventKind, _ turn: Int?, _ data: [String: JSONValue] = [:]) -> (Int64, EventKind, Int?, JSONValue) {
        (ms, kind, turn, .object(data))
    }

    static let recordedEvents: [PipelineEvent] = [
        e(1060, .vadStart, 1, ["onset_us": .int(1_000_000)]),
        e(2200, .vadStop, 1, ["speech_end_us": .int(2_000_000)]),
        e(2200, .sttFinal, 1, ["text": "A table for"]),
        e(2250, .eotPrediction, 1, ["probability": .double(0.9), "outcome": "complete"]),
        e(2300, .turnEnd, 1, ["reason": "smart_turn", "speech_end_us": .int(2_000_000)]),
        e(2300, .llmRequest, 1),
        e(2660, .vadStart, 2, ["onset_us": .int(2_600_000)]),
        e(2700, .playStart, 1),
        e(2900, .bargeIn, 1, ["trigger": "vad"]),
        e(2900, .llmCancel, 1),
        e(2950, .playStop, 1, ["reason": "interrupted", "heard_text": "Sure"]),
        e(3700, .vadStop, 2, ["speech_end_us": .int(3_500_000)]),
        e(3700, .sttFinal, 2, ["text": "four people."]),
        e(3800, .turnEnd, 2, ["reason": "smart_turn", "speech_end_us": .int(3_500_000)]),
        e(3800, .llmRequest, 2),
        e(4000, .llmDone, 2),
        e(4300, .playStart, 2),
        e(6300, .playStop, 2, ["reason": "done", "heard_text": "Great, a table for four."]),
        e(10_000, .sessionEnd, nil, ["reason": "end"]),
    ].enumerated().map { i, x in PipelineEvent(seq: Int64(i), time: .milliseconds(x.0), kind: x.1, turn: x.2, data: x.3) }

    /// Speech 1.0–2.0 s and 2.6–3.5 s, as the recorded VAD rows say.
    static let probabilities: [Double] = (0..<500).map { f in
        let t = f * 20
        return (1000..<2000).contains(t) || (2600..<3500).contains(t) ? 0.9 : 0.05
    }

    static let session = RecordedSession(
        events: recordedEvents, vadProbabilities: probabilities, frameDuration: .milliseconds(20), frameCount: 500)

    private func replay(_ change: (inout PipelineSettings) -> Void) -> RecordedSessionReplay.Outcome {
        let recorded = PipelineSettings()
        var settings = recorded
        change(&settings)
        var replay = RecordedSessionReplay(session: Self.session, settings: settings, rerun: .needed(recorded: recorded, replay: settings))
        return try! replay.run()
    }

    @Test func theSessionsRepliesAreTheChainsOfTheTurnsTheyAnswer() {
        let replies = Self.session.replies
        #expect(replies.count == 2)
        #expect(replies.map(\.anchor) == [.milliseconds(2300), .milliseconds(3800)])
        #expect(replies.map(\.speechEnd) == [.milliseconds(2000), .milliseconds(3500)])
        #expect(replies[0].interruptedInRecording && !replies[1].interruptedInRecording)
        #expect(replies[1].audio == SimInstant.milliseconds(4300)..<SimInstant.milliseconds(6300))
    }

    @Test func settingsThatActOnNoRecordedStageLeaveTheRecordingAsItIs() {
        var llm = PipelineSettings()
        llm.llm.preset = "gpt-4o"
        #expect(RecordedSessionReplay.Rerun.needed(recorded: PipelineSettings(), replay: llm).isEmpty)
        let outcome = replay { $0.llm.preset = "gpt-4o" }
        #expect(outcome.events == Self.recordedEvents)
    }

    @Test func longerSilenceMergesTheCutOffTurnAndPlaysOneReplyWithTheRecordedLatency() throws {
        let outcome = replay { $0.endpointing.silenceMs = 800 }
        let ends = outcome.events.filter { $0.kind == .turnEnd }
        // One turn: the pause (600 ms) no longer ends it; the end is 800 ms after the speech.
        #expect(ends.map(\.time) == [.milliseconds(4300)])
        #expect(ends.first?.data["speech_end_us"]?.intValue == 3_500_000)
        let starts = outcome.events.filter { $0.kind == .playStart }
        // Only the reply to the whole turn plays, 500 ms after its turn end, as recorded (3.8 → 4.3 s).
        #expect(starts.map(\.time) == [.milliseconds(4800)])
        #expect(starts.first?.turn == 1)
        #expect(!outcome.events.contains { $0.kind == .bargeIn })
        #expect(outcome.placements.map(\.reply) == [1])
        #expect(outcome.placements.first?.shift == .milliseconds(500))
        // Recorded transcripts stay at their times.
        #expect(outcome.events.filter { $0.kind == .sttFinal }.map(\.time) == [.milliseconds(2200), .milliseconds(3700)])
        #expect(outcome.events.last?.kind == .sessionEnd)
        #expect(outcome.events.map(\.seq) == (0..<Int64(outcome.events.count)).map { $0 })
    }

    @Test func aShorterBargeInThresholdInterruptsTheCutOffReplySooner() throws {
        let outcome = replay { $0.bargein.minSpeechMs = 200 }
        // Turn ends are the recorded pipeline's (endpointing unchanged).
        #expect(outcome.events.filter { $0.kind == .turnEnd }.map(\.time) == [.milliseconds(2300), .milliseconds(3800)])
        let bargeIn = try #require(outcome.events.first { $0.kind == .bargeIn })
        // The caller's speech began at 2.6 s; 200 ms of it while the reply plays (from 2.7 s).
        #expect(bargeIn.time == .milliseconds(2800))
        let stop = try #require(outcome.events.first { $0.kind == .playStop })
        #expect(stop.time == .milliseconds(2810))
        #expect(stop.data["reason"]?.stringValue == "interrupted")
    }

    @Test func withoutBargeInTheRecordedlyInterruptedReplyPlaysWhatTheRecordingHolds() throws {
        let outcome = replay { $0.bargein.mode = "none" }
        #expect(!outcome.events.contains { $0.kind == .bargeIn })
        let stop = try #require(outcome.events.first { $0.kind == .playStop })
        #expect(stop.time == .milliseconds(2950))
        #expect(stop.data["reason"]?.stringValue == "done")
        #expect(stop.data["recorded_reason"]?.stringValue == "interrupted")
    }

    @Test func aChangedVADRederivesSpeechFromTheRecordedProbabilities() throws {
        let outcome = replay { $0.vad.stopMs = 700 }
        // 700 ms of silence is needed: the 600 ms pause no longer stops speech.
        let stops = outcome.events.filter { $0.kind == .vadStop }
        #expect(stops.count == 1)
        #expect(stops.first?.data["speech_end_us"]?.intValue == 3_500_000)
        #expect(outcome.events.filter { $0.kind == .turnEnd }.count == 1)
    }
}
