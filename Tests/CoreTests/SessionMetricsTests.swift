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
        #expect(text.contains("cut-offs -,") && text.contains("overlap -,"), "\(text)")
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
