import Core
import Testing

@Suite struct SessionMetricsAccumulatorTests {
    /// A random stream: every kind, turns 1…4 or none, times that never go back, and the data
    /// fields the metrics read (words, audio ends, reasons, network, heard text, onsets).
    static func randomStream(seed: UInt64, count: Int) -> [PipelineEvent] {
        var rng = SplitMix64(seed: seed)
        var time: Int64 = 0
        var out: [PipelineEvent] = []
        for seq in 0..<count {
            time += Int64(rng.next() % 400_000)
            let kind = EventKind.allCases[Int(rng.next() % UInt64(EventKind.allCases.count))]
            let turn: Int? = rng.next() % 5 == 0 ? nil : Int(rng.next() % 4) + 1
            var data: [String: JSONValue] = ["text": .string("e\(seq)")]
            if rng.next() % 2 == 0 {
                let start = time - Int64(rng.next() % 2_000_000)
                data["words"] = [["start_us": .int(start), "end_us": .int(start + 300_000), "word": "w"]]
            }
            data["audio_end_us"] = .int(time - Int64(rng.next() % 900_000))
            data["speech_end_us"] = .int(time - Int64(rng.next() % 1_500_000))
            data["onset_us"] = .int(time - Int64(rng.next() % 600_000))
            data["reason"] = .string(rng.next() % 2 == 0 ? "silence" : "interrupted")
            data["network_ms"] = .int(Int64(rng.next() % 80))
            data["heard_text"] = .string("heard \(seq)")
            out.append(PipelineEvent(seq: Int64(seq), time: SimInstant(microseconds: time), kind: kind, turn: turn,
                                     data: .object(data)))
        }
        return out
    }

    @Test func fedOneByOneItGivesTheMetricsOfTheWholeStream() {
        for seed in UInt64(1)...150 {
            let events = Self.randomStream(seed: seed, count: Int(seed % 60) + 5 * Int(seed % 7))
            var accumulator = SessionMetrics.Accumulator()
            for event in events { accumulator.add(event) }
            let whole = SessionMetrics(events: events), fed = accumulator.metrics
            #expect(fed.turns == whole.turns, "seed=\(seed)")
            #expect(fed.summary == whole.summary, "seed=\(seed)")
            #expect(accumulator.count == events.count, "seed=\(seed)")
        }
    }

    @Test func itHoldsAFewEventsPerTurnNotOnePerEventFed() {
        var accumulator = SessionMetrics.Accumulator()
        let base = Self.randomStream(seed: 7, count: 40)
        for event in base { accumulator.add(event) }
        let held = accumulator.heldCount
        var seq = Int64(base.count)
        let end = base.last!.time
        // Tokens, chunks and partials after the turns' first ones change no metric.
        for i in 0..<30_000 {
            let kind: EventKind = [.llmToken, .ttsChunk, .sttPartial, .vadStart][i % 4]
            accumulator.add(PipelineEvent(seq: seq, time: end, kind: kind, turn: i % 4 + 1, data: ["text": "x"]))
            seq += 1
        }
        #expect(accumulator.heldCount <= held + 1 + 2 * 4)
        #expect(accumulator.count == base.count + 30_000)
    }

    @Test func theLastEventSetsTheSessionEndEvenWhenNothingElseIsKept() {
        let events = [
            PipelineEvent(seq: 0, time: .milliseconds(100), kind: .turnEnd, turn: 1, data: ["reason": "silence"]),
            PipelineEvent(seq: 1, time: .milliseconds(9000), kind: .sttPartial, turn: 1, data: ["text": "late"]),
        ]
        var accumulator = SessionMetrics.Accumulator()
        for event in events { accumulator.add(event) }
        #expect(accumulator.metrics.summary.durationMs == 9000)
    }
}

@Suite struct EventStreamDifferenceFinderTests {
    private func find(_ expected: [PipelineEvent], _ got: [PipelineEvent]) -> (EventStreamDifference?, String) {
        var finder = EventStreamDifference.Finder(got: got)
        for event in expected { finder.add(expected: event) }
        return (finder.finish(), finder.expectedHash)
    }

    @Test func itFindsWhatTheArrayComparisonFindsAndHashesTheRecording() {
        let recorded = SessionMetricsAccumulatorTests.randomStream(seed: 3, count: 50)
        var changed = recorded
        changed[17].data = ["text": "other"]
        let cases: [(String, [PipelineEvent], Int?)] = [
            ("identical", recorded, nil), ("changed", changed, 17), ("shorter", Array(recorded.prefix(30)), 30),
            ("longer", recorded + [recorded[0]], 50), ("empty", [], 0),
        ]
        for (name, got, index) in cases {
            let (difference, hash) = find(recorded, got)
            #expect(difference?.index == index, "\(name)")
            #expect(difference?.description == EventStreamDifference.first(expected: recorded, got: got)?.description, "\(name)")
            #expect(hash == EventStreamHash.of(recorded), "\(name)")
        }
        #expect(find([], recorded).0?.got == recorded[0])
        #expect(find([], []).0 == nil)
    }
}
