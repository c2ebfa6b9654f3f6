import Core
import Testing

@Suite struct SessionMetricsTests {
    private func event(_ seq: Int64, _ ms: Int64, _ kind: EventKind, _ data: [String: JSONValue] = [:]) -> PipelineEvent {
        PipelineEvent(seq: seq, time: .milliseconds(ms), kind: kind, turn: 1, data: .object(data))
    }

    /// A reply played in two segments; the caller barges in during the second (VAD onset 3000 ms).
    private func twoSegmentReply(stopAfterBargeIn: Bool) -> [PipelineEvent] {
        var events = [
            event(0, 1000, .turnEnd, ["reason": "silence", "speech_end_us": .int(800_000)]),
            event(1, 1500, .playStart),
            event(2, 2500, .playStop, ["reason": "done", "heard_text": "First sentence."]),
            event(3, 2600, .playStart),
            event(4, 3200, .bargeIn, ["trigger": "vad", "onset_us": .int(3_000_000)]),
        ]
        if stopAfterBargeIn { events.append(event(5, 3350, .playStop, ["reason": "interrupted", "heard_text": "Sec"])) }
        return events
    }

    @Test func bargeInReactionEndsAtTheStopTheBargeInCausedNotTheReplysFirstStop() throws {
        let metrics = SessionMetrics(events: twoSegmentReply(stopAfterBargeIn: true))
        let row = try #require(metrics.turns.first)
        #expect(row.bargedIn)
        #expect(row.bargeInReactionMs == 350)
    }

    @Test func aBargeInWithNoStopAfterItHasNoReaction() throws {
        let metrics = SessionMetrics(events: twoSegmentReply(stopAfterBargeIn: false))
        let row = try #require(metrics.turns.first)
        #expect(row.bargedIn)
        #expect(row.bargeInReactionMs == nil)
    }

    @Test func theAccumulatorKeepsTheLaterStopToo() throws {
        var accumulator = SessionMetrics.Accumulator()
        for e in twoSegmentReply(stopAfterBargeIn: true) { accumulator.add(e) }
        #expect(try #require(accumulator.metrics.turns.first).bargeInReactionMs == 350)
    }

    @Test func withoutCallerGroundTruthCutOffsAndOverlapAreUnknownNotZero() {
        let unlabelled = SessionMetrics(events: twoSegmentReply(stopAfterBargeIn: true))
        #expect(!unlabelled.summary.hasGroundTruth)
        let text = TurnTable.render(unlabelled, title: "live")
        #expect(text.contains("cut-offs - (0 probable),") && text.contains("overlap -,"), "\(text)")
        #expect(unlabelled.json["summary"]?["cut_offs"] == .null && unlabelled.json["summary"]?["overlap_ms"] == .null)
        let labels = [
            PipelineEvent(seq: -2, time: .milliseconds(200), kind: .callerSpeechStart, turn: 1, data: ["text": "hi"]),
            PipelineEvent(seq: -1, time: .milliseconds(800), kind: .callerSpeechEnd, turn: 1, data: ["text": "hi"]),
        ]
        let labelled = SessionMetrics(events: labels + twoSegmentReply(stopAfterBargeIn: true))
        #expect(labelled.summary.hasGroundTruth)
        #expect(TurnTable.render(labelled, title: "sim").contains("cut-offs 0,"))
        #expect(labelled.json["summary"]?["cut_offs"] == .int(0))
    }
}

/// Sessions from real pipelines: events without a turn number, and the label-free cut-off hint.
@Suite struct SessionMetricsRecordedTests {
    private func event(_ seq: Int64, _ ms: Int64, _ kind: EventKind, turn: Int? = nil, _ data: [String: JSONValue] = [:]) -> PipelineEvent {
        PipelineEvent(seq: seq, time: .milliseconds(ms), kind: kind, turn: turn, data: .object(data))
    }

    /// Two user turns, nothing numbered: the first answered at 1.5 s, the caller barging in at 2.4 s;
    /// the second cut in a pause (the caller resumes 400 ms after turn.end, 100 ms into the reply).
    private var unnumbered: [PipelineEvent] {
        [
            event(0, 200, .playStart), event(1, 600, .playStop, ["reason": "done", "heard_text": "Hi!"]),  // a greeting
            event(2, 700, .vadStart), event(3, 1000, .vadStop, ["speech_end_us": .int(900_000)]),
            event(4, 1100, .turnEnd, ["reason": "smart_turn", "speech_end_us": .int(900_000)]),
            event(5, 1150, .llmRequest), event(6, 1500, .playStart),
            event(7, 2400, .vadStart), event(8, 2450, .bargeIn, ["trigger": "vad", "onset_us": .int(2_400_000)]),
            event(9, 2500, .playStop, ["reason": "interrupted", "heard_text": "Sure"]),
            event(10, 3000, .vadStop, ["speech_end_us": .int(2_900_000)]),
            event(11, 3300, .turnEnd, ["reason": "silence", "speech_end_us": .int(2_900_000)]),
            event(12, 3600, .playStart), event(13, 3700, .vadStart),
            event(14, 3750, .bargeIn, ["trigger": "vad", "onset_us": .int(3_700_000)]),
            event(15, 3800, .playStop, ["reason": "interrupted", "heard_text": ""]),
        ]
    }

    @Test func eventsWithoutATurnAreNumberedByTheProtocolsConvention() throws {
        let metrics = SessionMetrics(events: unnumbered)
        #expect(metrics.turns.map(\.turn) == [1, 2])
        let first = try #require(metrics.turns.first), second = try #require(metrics.turns.last)
        // The greeting (before the first turn end) is no one's reply; turn 1's reply starts at 1.5 s.
        #expect(first.firstAudioMs == 1500 && first.voiceToVoiceMs == 600)
        #expect(first.bargedIn && first.bargeInReactionMs == 100)
        #expect(second.firstAudioMs == 3600 && second.bargedIn)
        #expect(metrics.summary.bargeIns == 2)
    }

    @Test func aCallerWhoResumesRightAfterTheTurnEndAndIntoTheReplyIsAProbableCutOff() throws {
        let metrics = SessionMetrics(events: unnumbered)
        // Turn 1: the caller spoke again 1300 ms after turn.end: not within 1000 ms.
        // Turn 2: 400 ms after turn.end and 100 ms after play.start: probable.
        #expect(metrics.turns.map(\.probableCutOff) == [false, true])
        #expect(metrics.summary.probableCutOffs == 1)
        let wider = SessionMetrics(events: unnumbered, hint: CutOffHint(resumeWithinMs: 1500, interruptWithinMs: 1000))
        #expect(wider.turns.map(\.probableCutOff) == [true, true])
        let strict = SessionMetrics(events: unnumbered, hint: CutOffHint(resumeWithinMs: 1000, interruptWithinMs: 50))
        #expect(strict.turns.map(\.probableCutOff) == [false, false])
        let table = TurnTable.render(metrics, title: "live")
        #expect(table.contains("cut-offs - (1 probable)"))
        #expect(table.split(separator: "\n").filter { $0.contains("PROBABLE-CUT-OFF") }.count == 1)
    }

    @Test func withCallerLabelsTheTableShowsTheRealCutOffsNotTheHint() {
        let labelled = unnumbered + [
            event(20, 650, .callerSpeechStart, turn: 1), event(21, 3050, .callerSpeechEnd, turn: 1),
        ]
        let table = TurnTable.render(SessionMetrics(events: labelled.sorted { $0.time < $1.time }), title: "live")
        #expect(!table.contains("PROBABLE") && !table.contains("probable"))
    }

    @Test func theAccumulatorNumbersAndKeepsWhatTheMetricsRead() {
        var accumulator = SessionMetrics.Accumulator()
        // Many events the metrics do not read, between the ones they do.
        for e in unnumbered {
            accumulator.add(e)
            for k in 0..<5 { accumulator.add(event(100, e.time.microseconds / 1000, .sttPartial, ["text": .string("w\(k)")])) }
        }
        let all = unnumbered.flatMap { e in [e] + (0..<5).map { k in event(100, e.time.microseconds / 1000, .sttPartial, ["text": .string("w\(k)")]) } }
        #expect(accumulator.metrics.turns == SessionMetrics(events: all).turns)
        #expect(accumulator.metrics.summary == SessionMetrics(events: all).summary)
        #expect(accumulator.heldCount < all.count / 2)
    }
}
