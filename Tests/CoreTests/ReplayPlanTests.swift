import Core
import Testing

@Suite struct ReplayPlanTests {
    /// The caller turn starts a recording placed its turns at.
    func turnStarts(_ events: [PipelineEvent]) -> [SimInstant] {
        events.filter { $0.kind == .callerSpeechStart }.compactMap { $0.data["turn_start_us"]?.intValue }.map { SimInstant(microseconds: $0) }
    }

    func replay(_ scenario: Scenario, plan: ReplayPlan, recorder: MemoryRecording? = nil) throws -> [PipelineEvent] {
        let bank = try SpeechBank.prepare(for: scenario, using: ToneSynthesizer())
        let sim = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: PCM16Codec(samplesPerFrame: scenario.audio.format.samplesPerFrame),
            recorder: recorder, replay: plan)
        return try sim.run()
    }

    @Test func pinnedReplayReproducesRandomSessionsExactly() throws {
        var picker = Xoshiro256StarStar(seed: 77)
        for _ in 0..<50 {
            let seed = picker.next() % 1_000_000
            let scenario = TestScenarios.hesitation.with {
                $0.seed = seed
                $0.pipeline.endpointing.silenceMs = 200 + Int(picker.next() % 900)
                $0.pipeline.bargein.minSpeechMs = Int(picker.next() % 700)
                $0.pipeline.echo.enabled = picker.next() % 3 == 0
                $0.pipeline.noise.kind = picker.next() % 3 == 0 ? "white" : "none"
                $0.caller.turns[1].bargeInAfterMs = picker.next() % 2 == 0 ? 800 : nil
            }
            let (recorded, recording) = try TestScenarios.run(scenario)
            let replayRecording = MemoryRecording()
            let replayed = try replay(scenario, plan: ReplayPlan(turnStarts: turnStarts(recorded)), recorder: replayRecording)
            #expect(EventStreamDifference.first(expected: recorded, got: replayed) == nil, "reproduce with seed=\(seed): \(EventStreamDifference.first(expected: recorded, got: replayed)?.description ?? "")")
            #expect(replayRecording.frames[.mic] == recording.frames[.mic], "mic differs; seed=\(seed)")
            #expect(replayRecording.frames[.bot] == recording.frames[.bot], "bot differs; seed=\(seed)")

            // The fast path (recorded VAD probabilities, no audio) gives the same events when the mic cannot change.
            if !scenario.pipeline.echo.enabled {
                let probabilities = recording.vad.map(\.1)
                let fast = try replay(scenario, plan: ReplayPlan(turnStarts: turnStarts(recorded), vadProbabilities: probabilities))
                #expect(EventStreamDifference.first(expected: recorded, got: fast) == nil, "fast path; seed=\(seed)")
                // ... also for a counterfactual: fast and full paths agree.
                let changed = scenario.with { $0.pipeline.endpointing.silenceMs += 300 }
                let full = try replay(changed, plan: ReplayPlan(turnStarts: turnStarts(recorded)))
                let quick = try replay(changed, plan: ReplayPlan(turnStarts: turnStarts(recorded), vadProbabilities: probabilities))
                #expect(EventStreamHash.of(full) == EventStreamHash.of(quick), "counterfactual fast vs full; seed=\(seed)")
            }
        }
    }

    @Test func raisingTTSTimeToFirstByteRaisesEveryVoiceToVoiceLatencyByTheSameAmount() throws {
        let scenario = TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 900 }
        let (recorded, _) = try TestScenarios.run(scenario)
        // Playback starts on 20 ms frame boundaries: a multiple of the frame moves it exactly,
        // anything else to within one frame.
        for (delta, tolerance) in [(240, 0), (250, 10)] as [(Int64, Int64)] {
            var slower = scenario
            try slower.pipeline.retime.apply("tts.ttfb_ms=+\(delta)")
            let replayed = try replay(slower, plan: ReplayPlan(turnStarts: turnStarts(recorded)))
            let before = SessionMetrics(events: recorded).turns, after = SessionMetrics(events: replayed).turns
            #expect(before.count == after.count && before.count == 3)
            for (b, a) in zip(before, after) {
                let moved = try #require(a.voiceToVoiceMs) - (try #require(b.voiceToVoiceMs))
                #expect(abs(moved - delta) <= tolerance, "turn \(b.turn): moved \(moved) ms for +\(delta)")
                #expect(a.turnEndMs == b.turnEndMs)
            }
        }
    }

    @Test func retimeParsing() throws {
        var r = Retiming()
        try r.apply("llm.ttft_ms=-200")
        try r.apply("tts.ttfb_ms=*0.5+10ms")
        #expect(r.llmTTFT.apply(.milliseconds(300)) == .milliseconds(100))
        #expect(r.llmTTFT.apply(.milliseconds(100)) == .zero, "never negative")
        #expect(r.ttsTTFB.apply(.milliseconds(200)) == .milliseconds(110))
        #expect(throws: ScenarioError.self) { try r.apply("asr.ttft_ms=1") }
        #expect(throws: ScenarioError.self) { try r.apply("llm.ttft_ms=soon") }
    }
}
