import Core
import Testing

/// `pipeline.endpointing.mode: model` in a whole session, with a stand-in model (the real Smart Turn
/// v3.2 is tested in EnginesTests and through the CLI): the policy's decisions, the `eot.prediction`
/// events, the inference time on the virtual clock, and the audio the model is given.
@Suite struct ModelEndpointingSessionTests {
    /// Answers a fixed probability, and keeps the length of every turn it was given.
    final class FixedModel: EndOfTurnModel {
        let answer: Double
        var seen: [Int] = []
        init(_ answer: Double) { self.answer = answer }
        func probability(ofTurn turn: [Float]) throws -> Double {
            seen.append(turn.count)
            return answer
        }
    }

    static func run(_ model: FixedModel, configure: (inout Scenario) -> Void = { _ in }) throws -> [PipelineEvent] {
        var scenario = TestScenarios.hesitation
        scenario.pipeline.endpointing.mode = "model"
        configure(&scenario)
        let bank = try SpeechBank.prepare(for: scenario, using: ToneSynthesizer())
        var engines = StageEngines()
        engines.endOfTurnModel = model
        let sim = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: PCM16Codec(samplesPerFrame: scenario.audio.format.samplesPerFrame),
            recorder: nil, engines: engines)
        return try sim.run()
    }

    @Test func aCompleteVerdictEndsEachTurnOneInferenceAfterTheVADStop() throws {
        let events = try Self.run(FixedModel(0.9))
        let stops = events.filter { $0.kind == .vadStop }, ends = events.filter { $0.kind == .turnEnd }
        #expect(!ends.isEmpty && ends.allSatisfy { $0.data["reason"] == "model" })
        // Each turn end comes 40 ms (the inference) after a vad.stop, with a complete prediction then.
        for end in ends {
            #expect(stops.contains { $0.time + .milliseconds(40) == end.time }, "turn.end at \(end.time)")
            let prediction = events.last { $0.kind == .eotPrediction && $0.time <= end.time }
            #expect(prediction?.time == end.time && prediction?.data["outcome"] == "complete" && prediction?.data["probability"] == .double(0.9))
        }
        // This stand-in says complete to everything: every VAD stop not followed by speech within the
        // inference time ends a turn (the 700 ms pause in turn 2 and shorter ones between words too).
        let starts = events.filter { $0.kind == .vadStart }.map(\.time)
        let expected = stops.filter { stop in !starts.contains { $0 > stop.time && $0 <= stop.time + .milliseconds(40) } }
        #expect(ends.count == expected.count && ends.count > 3)
    }

    @Test func aModelThatNeverSaysCompleteWaitsForTheTimeoutScoringEveryInterval() throws {
        let model = FixedModel(0.1)
        let events = try Self.run(model) { $0.pipeline.endpointing.timeoutMs = 1500 }
        let ends = events.filter { $0.kind == .turnEnd }
        #expect(!ends.isEmpty && ends.allSatisfy { $0.data["reason"] == "timeout" })
        for end in ends {
            let speechEnd = end.data["speech_end_us"]?.intValue ?? 0
            #expect(end.time.microseconds - speechEnd == 1_500_000)
        }
        // Scores every 100 ms of silence after the previous one lands (40 ms inference): 140 ms apart.
        let predictions = events.filter { $0.kind == .eotPrediction }.map(\.time.microseconds)
        #expect(zip(predictions, predictions.dropFirst()).contains { $1 - $0 == 140_000 })
        // Every score is an event, the ones the user's speech made stale too.
        #expect(predictions.count == model.seen.count)
        #expect(events.filter { $0.kind == .eotPrediction }.contains { $0.data["stale"] == true })
        // The model was given the turn's audio, from its first speech onset: it grows by 140 ms
        // (2,240 samples) between two scores of one silence, and never beyond 9 s.
        #expect(zip(model.seen, model.seen.dropFirst()).contains { $1 - $0 == 2240 })
        #expect(model.seen.allSatisfy { $0 > 0 && $0 <= 9 * 16000 })
    }

    @Test func theThresholdAndInferenceTimeAreSettings() throws {
        let strict = try Self.run(FixedModel(0.6)) { $0.pipeline.endpointing.threshold = 0.7; $0.pipeline.endpointing.timeoutMs = 900 }
        #expect(strict.filter { $0.kind == .turnEnd }.allSatisfy { $0.data["reason"] == "timeout" })
        let slow = try Self.run(FixedModel(0.9)) { $0.pipeline.endpointing.inferenceMs = 180 }
        let stops = slow.filter { $0.kind == .vadStop }
        #expect(slow.filter { $0.kind == .turnEnd }.allSatisfy { end in stops.contains { $0.time + .milliseconds(180) == end.time } })
    }

    @Test func theSameInputsGiveTheSameSession() throws {
        #expect(EventStreamHash.of(try Self.run(FixedModel(0.3))) == EventStreamHash.of(try Self.run(FixedModel(0.3))))
    }
}
