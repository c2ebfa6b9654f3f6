import Core
import Testing

@Suite struct SessionSimulatorTests {
    @Test func happyConversationAnswersEveryTurnInOrder() throws {
        let (events, recording) = try TestScenarios.run(TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 800 })
        let metrics = SessionMetrics(events: events)
        #expect(metrics.turns.count == 3)
        #expect(metrics.summary.cutOffs == 0)
        #expect(metrics.turns.allSatisfy { $0.firstAudioMs != nil })
        // Times never go backwards and seq is 0, 1, 2, ...
        for (i, e) in events.enumerated() {
            #expect(e.seq == Int64(i))
            if i > 0 { #expect(e.time >= events[i - 1].time) }
        }
        #expect(events.last?.kind == .sessionEnd)
        // Every stream has one frame per processed tick, all the same length.
        let counts = AudioStream.sessionStreams.map { recording.frames[$0]?.count ?? 0 }
        #expect(Set(counts).count == 1 && counts[0] > 100)
        #expect(recording.vad.count == counts[0])
    }

    @Test func hesitationIsCutOffAt500msButNotAt800ms() throws {
        let (cut, _) = try TestScenarios.run(TestScenarios.hesitation)
        let cutMetrics = SessionMetrics(events: cut)
        #expect(cutMetrics.summary.cutOffs == 1, "500 ms silence ends the turn inside the 700 ms pause")
        #expect(cutMetrics.turns.first(where: \.cutOff)?.callerTurn == 2)

        let (patient, _) = try TestScenarios.run(TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 800 })
        #expect(SessionMetrics(events: patient).summary.cutOffs == 0)
    }

    @Test func smartEndpointingWaitsOutAnUnfinishedSentence() throws {
        let (events, _) = try TestScenarios.run(TestScenarios.hesitation.with { $0.pipeline.endpointing.mode = "smart" })
        // "A table for" ends in a preposition: smart mode waits max_delay, and the caller resumes first.
        #expect(SessionMetrics(events: events).summary.cutOffs == 0)
    }

    @Test func sameInputsGiveTheSameStreamAcrossSeedsAndSettings() throws {
        var picker = Xoshiro256StarStar(seed: 2026)
        for _ in 0..<50 {
            let seed = picker.next() % 1_000_000
            let silence = 200 + Int(picker.next() % 1000)
            let minSpeech = Int(picker.next() % 600)
            let echo = picker.next() % 2 == 0
            let scenario = TestScenarios.hesitation.with {
                $0.seed = seed
                $0.pipeline.endpointing.silenceMs = silence
                $0.pipeline.bargein.minSpeechMs = minSpeech
                $0.pipeline.echo.enabled = echo
                $0.pipeline.noise.kind = picker.next() % 3 == 0 ? "white" : "none"
            }
            let (a, ra) = try TestScenarios.run(scenario)
            let (b, rb) = try TestScenarios.run(scenario)
            #expect(EventStreamHash.of(a) == EventStreamHash.of(b), "reproduce with seed=\(seed) silence_ms=\(silence) min_speech_ms=\(minSpeech) echo=\(echo)")
            #expect(ra.frames[.mic] == rb.frames[.mic], "mic audio differs; reproduce with seed=\(seed)")
            // Invariants that must hold for any settings.
            #expect(a.last?.kind == .sessionEnd, "seed=\(seed)")
            for (i, e) in a.enumerated() where i > 0 { #expect(e.time >= a[i - 1].time, "seed=\(seed) event \(i)") }
        }
    }

    @Test func differentSeedsChangeLatencies() throws {
        let (a, _) = try TestScenarios.run(TestScenarios.hesitation.with { $0.seed = 1 })
        let (b, _) = try TestScenarios.run(TestScenarios.hesitation.with { $0.seed = 2 })
        #expect(EventStreamHash.of(a) != EventStreamHash.of(b))
    }

    @Test func nothingOfATurnIsProducedAfterItsCancel() throws {
        // Barge in early on a long reply so LLM and TTS are both still streaming.
        let scenario = TestScenarios.scenario(
            turns: [TestScenarios.turn(.say("Tell me everything about the menu.")),
                    TestScenarios.turn(.say("Stop, that's enough."), bargeInAfter: 400)],
            replies: [String(repeating: "We have soups, salads, pasta, pizza and desserts. ", count: 6), "Okay."]
        ) { $0.pipeline.llm.tokensPerSecond = 5 }
        let (events, _) = try TestScenarios.run(scenario)
        let cancels = events.filter { $0.kind == .llmCancel || $0.kind == .ttsCancel }
        #expect(!cancels.isEmpty)
        for cancel in cancels {
            let later = events.filter { $0.seq > cancel.seq && $0.turn == cancel.turn }
            #expect(!later.contains { [.llmToken, .ttsChunk, .ttsRequest, .llmDone, .ttsDone].contains($0.kind) },
                    "turn \(cancel.turn ?? -1) produced output after \(cancel.kind.rawValue)")
        }
        let stop = try #require(events.first { $0.kind == .playStop && $0.turn == 1 })
        #expect(stop.data["reason"]?.stringValue == "interrupted")
    }

    @Test func echoWithoutSuppressionMakesTheBotInterruptItself() throws {
        let base = TestScenarios.scenario(
            turns: [TestScenarios.turn(.say("What time do you open?"))],
            replies: ["We open at nine in the morning and close at ten in the evening."])
        let (echoing, _) = try TestScenarios.run(base.with { $0.pipeline.echo.enabled = true })
        let m = SessionMetrics(events: echoing)
        #expect(m.summary.selfInterruptions >= 1)
        let (clean, _) = try TestScenarios.run(base)
        #expect(SessionMetrics(events: clean).summary.selfInterruptions == 0)
    }

    @Test func bargeInStopsPlaybackAndRecordsHeardText() throws {
        let scenario = TestScenarios.scenario(
            turns: [TestScenarios.turn(.say("Book a table for four.")),
                    TestScenarios.turn(.say("Actually, make it five."), bargeInAfter: 1500)],
            replies: ["Sure, a table for four tomorrow at eight. Shall I use the name on your account?", "Five it is."])
        let (events, _) = try TestScenarios.run(scenario)
        let bargeIn = try #require(events.first { $0.kind == .bargeIn })
        #expect(bargeIn.turn == 1)
        #expect((bargeIn.data["speech_ms"]?.intValue ?? 0) >= 300)
        let stop = try #require(events.first { $0.kind == .playStop && $0.turn == 1 })
        #expect(stop.data["reason"]?.stringValue == "interrupted")
        let heard = stop.data["heard_text"]?.stringValue ?? ""
        #expect(heard.hasPrefix("Sure,"))
        #expect(!heard.contains("account"))
        // Stopped within ~fade after the barge-in decision.
        #expect(stop.time - bargeIn.time <= .milliseconds(10))
        let m = SessionMetrics(events: events)
        #expect(m.summary.bargeIns == 1 && m.summary.selfInterruptions == 0)
    }
}

extension Scenario {
    func with(_ change: (inout Scenario) -> Void) -> Scenario {
        var copy = self
        change(&copy)
        return copy
    }
}
