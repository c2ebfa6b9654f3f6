import Core
import Foundation
import GRDB
import Testing

/// Scenarios with recorded audio: caller clips (`say: { wav: …, text: … }`) and babble-file noise.
@Suite(.serialized) struct RecordedAudioCommandTests {
    /// A copy of the bundled noisy-cafe scenario and its clips in a fresh folder.
    func cafeCopy() throws -> URL {
        let dir = try CLIHarness.tempDir()
        let files = FileManager.default
        let scenarios = CLIHarness.root.appendingPathComponent("sessions/scenarios")
        try files.copyItem(at: scenarios.appendingPathComponent("noisy-cafe.yaml"), to: dir.appendingPathComponent("noisy-cafe.yaml"))
        try files.copyItem(at: scenarios.appendingPathComponent("clips"), to: dir.appendingPathComponent("clips"))
        return dir
    }

    func json(_ r: CLIHarness.Result) throws -> JSONValue { try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }

    @Test func theArchiveKeepsTheRecordingsSoReplaysNeedNoFiles() throws {
        let dir = try cafeCopy()
        let a = dir.appendingPathComponent("a.ctk").path
        let r = try CLIHarness.run(["simulate", dir.appendingPathComponent("noisy-cafe.yaml").path, "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try DatabaseQueue(path: a).read { try String.fetchAll($0, sql: "SELECT name FROM clips ORDER BY name") }
        #expect(names == ["clips/cafe-babble.flac", "clips/caller-1.flac", "clips/caller-2.flac"])

        // The caller's words sit on the clip's speech: turn 1 is the first clip, placed at caller.start_ms
        // (500 ms); its words start after the recording's own lead-in and end before the clip does.
        let start = try DatabaseQueue(path: a).read {
            try String.fetchOne($0, sql: "SELECT data FROM events WHERE kind = 'caller.speech_start' AND turn = 1")
        }
        let words = try JSONParser.parse(start ?? "{}")["words"]?.arrayValue ?? []
        #expect(words.map { $0["word"]?.stringValue ?? "" } == ["He", "was", "not", "an", "ill", "disposed", "young", "man."])
        let first = words.first?["start_us"]?.intValue ?? 0, last = words.last?["end_us"]?.intValue ?? 0
        #expect(first > 500_000 && first < 1_200_000, "first word at \(first) µs")
        #expect(last > first + 1_500_000 && last <= 500_000 + 2_990_000, "last word ends at \(last) µs (the clip is 2.99 s)")

        // Without the files: exact replay, a counterfactual written to B (which replays exactly too), resimulate.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("clips"))
        let replay = try CLIHarness.run(["replay", a])
        #expect(replay.status == 0 && replay.stdout.contains("reproduced exactly"), "\(replay.stdout) \(replay.stderr)")
        let b = dir.appendingPathComponent("b.ctk").path
        #expect(try CLIHarness.run(["replay", a, "--set", "pipeline.noise.level_db=-52", "-o", b]).status == 0)
        #expect(try CLIHarness.run(["replay", b]).status == 0)
        let resim = try CLIHarness.run(["resimulate", a, "--json"])
        #expect(resim.status == 0, "\(resim.stderr)")
        // The same shape as replay --json; the caller reacts anew, so the result has both turns.
        let resimulated = try json(resim)
        #expect(resimulated["resimulated"] == .bool(true) && resimulated["diff"]?["after"]?["turns"]?.intValue == 2, "\(resim.stdout)")
    }

    @Test func babbleThatDrownsTheVADDelaysTheTurnsAndQuieterBabbleDoesNot() throws {
        let dir = try cafeCopy()
        let scenario = dir.appendingPathComponent("noisy-cafe.yaml").path
        let loud = try json(try CLIHarness.run(["simulate", scenario, "--json"]))
        let quiet = try json(try CLIHarness.run(["simulate", scenario, "--set", "pipeline.noise.level_db=-52", "--json"]))
        let loudEndpoint = loud["summary"]?["endpoint_delay_p50_ms"]?.intValue ?? 0
        let quietEndpoint = quiet["summary"]?["endpoint_delay_p50_ms"]?.intValue ?? 0
        #expect(loudEndpoint > 2000, "babble at -42 dBFS keeps the VAD in speech: endpoint p50 \(loudEndpoint) ms")
        #expect(quietEndpoint > 0 && quietEndpoint < 800, "at -52 dBFS the turns end on the silence: endpoint p50 \(quietEndpoint) ms")
    }

    @Test func missingOrBadAudioFilesAreOneLineErrors() throws {
        let dir = try CLIHarness.tempDir()
        let yaml = dir.appendingPathComponent("s.yaml")
        let out = dir.appendingPathComponent("s.ctk").path
        func run(_ text: String) throws -> CLIHarness.Result {
            try text.write(to: yaml, atomically: true, encoding: .utf8)
            return try CLIHarness.run(["simulate", yaml.path, "-o", out])
        }
        let missing = try run("caller:\n  turns:\n    - say: { wav: nope.wav, text: \"hello\" }\n")
        #expect(missing.status == 2)
        #expect(missing.stderr.trimmingCharacters(in: .newlines) == "crosstalk: \(yaml.path): caller.turns.0.say.wav: nope.wav: no such file", "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        try "not audio".write(to: dir.appendingPathComponent("text.wav"), atomically: true, encoding: .utf8)
        let bad = try run("caller:\n  turns:\n    - say: hello\npipeline:\n  noise: { kind: babble-file, file: text.wav }\n")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("s.yaml: pipeline.noise.file: text.wav: not an audio file"), "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1)

        let noText = try run("caller:\n  turns:\n    - say: { wav: text.wav }\n")
        #expect(noText.status == 2 && noText.stderr.contains("caller.turns.0.say.text"), "\(noText.stderr)")
    }
}
