import Core
import Testing

@Suite struct ScenarioDecodingTests {
    let mark = ConfigMark(source: "s.yaml", line: 1)

    func scalar(_ s: String, line: Int) -> ConfigNode { .scalar(s, quoted: false, ConfigMark(source: "s.yaml", line: line)) }

    func root(pipeline: [(key: String, value: ConfigNode)] = [], extra: [(key: String, value: ConfigNode)] = []) -> ConfigNode {
        let turn = ConfigNode.mapping([("say", scalar("Hello there.", line: 5))], ConfigMark(source: "s.yaml", line: 5))
        var pairs: [(key: String, value: ConfigNode)] = [
            ("name", scalar("t", line: 1)),
            ("pipeline", .mapping(pipeline, ConfigMark(source: "s.yaml", line: 2))),
            ("caller", .mapping([("turns", .sequence([turn], ConfigMark(source: "s.yaml", line: 4)))], ConfigMark(source: "s.yaml", line: 3))),
        ]
        pairs += extra
        return .mapping(pairs, mark)
    }

    func endpointing(_ key: String, _ value: String) -> [(key: String, value: ConfigNode)] {
        [("endpointing", .mapping([(key, scalar(value, line: 9))], ConfigMark(source: "s.yaml", line: 8)))]
    }

    @Test func defaultsMatchTheDesign() throws {
        let s = try Scenario(from: root())
        #expect(s.pipeline.endpointing.silenceMs == 500)
        #expect(s.pipeline.vad.startMs == 60 && s.pipeline.vad.stopMs == 200)
        #expect(s.pipeline.bargein.minSpeechMs == 300)
        #expect(s.caller.turns.count == 1)
    }

    @Test func theModelPolicyKnobsAreCheckedWithTheirRanges() throws {
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.endpointing.threshold: 1.5 is out of range 0.0...1.0")) {
            try Scenario(from: root(pipeline: endpointing("threshold", "1.5")))
        }
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.endpointing.inference_interval_ms: 5 is out of range 10...10000")) {
            try Scenario(from: root(pipeline: endpointing("inference_interval_ms", "5")))
        }
        #expect(throws: ScenarioError.self) { try Scenario(from: root(pipeline: endpointing("model", "smart-turn-v9"))) }
        #expect(throws: ScenarioError.self) { try Scenario(from: root(pipeline: endpointing("timeout_ms", "-1"))) }
        let s = try Scenario(from: root(pipeline: endpointing("threshold", "0.05")))
        #expect(s.pipeline.endpointing.modelPolicy.threshold == 0.05)
        #expect(s.pipeline.endpointing.modelPolicy.timeout == .milliseconds(3000))
        #expect(s.pipeline.endpointing.modelPolicy.inferenceInterval == .milliseconds(100))
    }

    @Test func unknownKeyIsNamedWithItsLine() {
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.endpointing.silense_ms: unknown key (known here: mode, silence_ms, max_delay_ms, model, threshold, action_delay_ms, timeout_ms, inference_interval_ms, inference_ms)")) {
            try Scenario(from: root(pipeline: endpointing("silense_ms", "800")))
        }
    }

    @Test func wrongTypeNegativeAndAbsurdValuesAreRejected() {
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.endpointing.silence_ms: expected a whole number, got 'soon'")) {
            try Scenario(from: root(pipeline: endpointing("silence_ms", "soon")))
        }
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.endpointing.silence_ms: -5 is out of range 0...60000")) {
            try Scenario(from: root(pipeline: endpointing("silence_ms", "-5")))
        }
        #expect(throws: ScenarioError.self) { try Scenario(from: root(pipeline: endpointing("silence_ms", "99999999"))) }
        #expect(throws: ScenarioError.self) { try Scenario(from: root(pipeline: endpointing("mode", "psychic"))) }
    }

    @Test func overridesReplaceValuesAndCannotInventKeys() throws {
        let r = try root().setting(["pipeline", "endpointing", "silence_ms"], to: .scalar("800", quoted: false, ConfigMark(source: "--set", line: 0)))
        #expect(try Scenario(from: r).pipeline.endpointing.silenceMs == 800)
        let bad = try root().setting(["pipeline", "nope"], to: .scalar("1", quoted: false, ConfigMark(source: "--set pipeline.nope", line: 0)))
        #expect(throws: ScenarioError.self) { try Scenario(from: bad) }
    }

    @Test func aScenarioNeedsACallerTurn() {
        #expect(throws: ScenarioError.self) { try Scenario(from: .mapping([("name", scalar("x", line: 1))], mark)) }
    }

    func turn(_ say: ConfigNode) -> ConfigNode {
        let m = ConfigMark(source: "s.yaml", line: 5)
        return .mapping([("caller", .mapping([("turns", .sequence([.mapping([("say", say)], m)], m))], m))], mark)
    }

    func clip(_ pairs: [(key: String, value: ConfigNode)]) -> ConfigNode { .mapping(pairs, ConfigMark(source: "s.yaml", line: 6)) }

    @Test func recordedClipsAndBabbleNoiseDecode() throws {
        let s = try Scenario(from: turn(.sequence([
            clip([("wav", scalar("clips/a.wav", line: 6)), ("text", scalar("Hello there.", line: 6))]),
            clip([("pause_ms", scalar("300", line: 7))]), scalar("And more.", line: 8),
        ], mark)))
        #expect(s.caller.turns[0].segments == [.clip(path: "clips/a.wav", text: "Hello there."), .pause(ms: 300), .say("And more.")])
        #expect(s.caller.turns[0].text == "Hello there. And more.")
        #expect(s.textsInFileOrder.map(\.text).contains("Hello there.") == false)  // a clip is not synthesized
        #expect(s.clipPathsInFileOrder == ["clips/a.wav"])

        let noisy = try Scenario(from: root(pipeline: [("noise", .mapping([
            ("kind", scalar("babble-file", line: 9)), ("file", scalar("cafe.flac", line: 9)), ("level_db", scalar("-40", line: 9)),
        ], mark))]))
        #expect(noisy.pipeline.noise.file == "cafe.flac" && noisy.clipPathsInFileOrder == ["cafe.flac"])
        #expect(noisy.resolvedConfig["pipeline"]?["noise"]?["file"]?.stringValue == "cafe.flac")
        // Configs of sessions without a noise file keep their old shape.
        #expect(try Scenario(from: root()).resolvedConfig["pipeline"]?["noise"]?["file"] == nil)
    }

    @Test func badClipsAndNoiseFilesAreNamed() {
        #expect(throws: ScenarioError(message: "s.yaml:6: caller.turns.0.say.text: a clip needs text: what it says (the simulated STT and the metrics use its words)")) {
            try Scenario(from: turn(clip([("wav", scalar("a.wav", line: 6))])))
        }
        #expect(throws: ScenarioError(message: "s.yaml:6: caller.turns.0.say: a mapping in 'say' must be { pause_ms: N } or { wav: FILE, text: WORDS }")) {
            try Scenario(from: turn(clip([("wav", scalar("a.wav", line: 6)), ("text", scalar("hi", line: 6)), ("pause_ms", scalar("5", line: 6))])))
        }
        #expect(throws: ScenarioError(message: "s.yaml:6: caller.turns.0.say.wave: unknown key (known here: pause_ms, wav, text)")) {
            try Scenario(from: turn(clip([("wave", scalar("a.wav", line: 6))])))
        }
        #expect(throws: ScenarioError(message: "s.yaml:9: pipeline.noise.file: kind babble-file needs file: a recording to loop under the call (WAV, FLAC, ...)")) {
            try Scenario(from: root(pipeline: [("noise", .mapping([("kind", scalar("babble-file", line: 9))], ConfigMark(source: "s.yaml", line: 9)))]))
        }
    }
}
