import Core
import Testing

@Suite struct SessionDiffTests {
    /// Caller turns at 0, 5 and 10 s (1 s of speech each); `replies[i]` is when the bot answers turn
    /// i + 1 (nil: no turn end, unanswered).
    private func session(replies: [Int64?]) -> SessionMetrics {
        var events: [PipelineEvent] = []
        func add(_ ms: Int64, _ kind: EventKind, _ turn: Int, _ data: JSONValue = [:]) {
            events.append(PipelineEvent(seq: Int64(events.count), time: .milliseconds(ms), kind: kind, turn: turn, data: data))
        }
        for (i, reply) in replies.enumerated() {
            let start = Int64(i) * 5000, turn = i + 1
            add(start, .callerSpeechStart, turn, ["text": "hello"])
            add(start + 1000, .callerSpeechEnd, turn, ["text": "hello"])
            if let reply {
                add(start + 1200, .turnEnd, turn, ["reason": "silence", "speech_end_us": .int((start + 1000) * 1000)])
                add(start + 1000 + reply, .playStart, turn)
                add(start + 1000 + reply + 500, .playStop, turn, ["reason": "done", "heard_text": "hi"])
            }
        }
        return SessionMetrics(events: events)
    }

    /// Every answered caller turn got 200 ms slower, and a slow third reply disappeared: the median
    /// over each run's own answered turns would say +100 ms; over the turns answered in both, +200.
    @Test func theVerdictComparesTheCallerTurnsAnsweredInBoth() {
        let before = session(replies: [500, 600, 5000])
        let after = session(replies: [700, 800, nil])
        let verdict = SessionDiff(before: before, after: after).verdict
        #expect(verdict.contains("median voice-to-voice +200 ms over 2 caller turns answered in both"), "\(verdict)")
    }
}
