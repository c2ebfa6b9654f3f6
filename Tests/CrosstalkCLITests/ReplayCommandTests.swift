import Core
import Foundation
import GRDB
import Testing

@Suite(.serialized) struct ReplayCommandTests {
    func simulate(_ name: String, in dir: URL, _ extra: [String] = []) throws -> String {
        let path = dir.appendingPathComponent("\(name).ctk").path
        let r = try CLIHarness.run(["simulate", CLIHarness.scenario(name), "-o", path] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    func json(_ r: CLIHarness.Result) throws -> JSONValue { try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }

    @Test func everyBundledScenarioReplaysExactlyInAnotherProcess() throws {
        let dir = try CLIHarness.tempDir()
        for name in ["happy-path", "hesitation", "barge-in", "echo", "slow-cloud", "noisy-line", "noisy-cafe"] {
            let archive = try simulate(name, in: dir)
            let r = try CLIHarness.run(["replay", archive])
            #expect(r.status == 0, "\(name): \(r.stdout) \(r.stderr)")
            #expect(r.stdout.contains("reproduced exactly"), "\(name)")
        }
    }

    @Test func aTamperedArchiveDivergesWithExit1() throws {
        let dir = try CLIHarness.tempDir()
        let archive = try simulate("happy-path", in: dir)
        let db = try DatabaseQueue(path: archive)
        try db.write { try $0.execute(sql: "UPDATE events SET t_us = t_us + 1000 WHERE kind = 'turn.end' AND turn = 2") }
        try db.close()
        let r = try CLIHarness.run(["replay", archive])
        #expect(r.status == 1)
        #expect(r.stdout.contains("first difference at event"))
        #expect(r.stdout.contains("turn.end"))
    }

    @Test func counterfactualsWithKnownAnswers() throws {
        let dir = try CLIHarness.tempDir()
        // Hesitation: the cut-off at 500 ms disappears at 800 ms, and B records A as its parent.
        let a = try simulate("hesitation", in: dir)
        let b = dir.appendingPathComponent("b.ctk").path
        let r = try CLIHarness.run(["replay", a, "--set", "pipeline.endpointing.silence_ms=800", "-o", b, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let result = try json(r)
        #expect(result["diff"]?["before"]?["cut_offs"]?.intValue == 1)
        #expect(result["diff"]?["after"]?["cut_offs"]?.intValue == 0)
        let parent = try DatabaseQueue(path: a).read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'session_id'") }
        let recordedParent = try DatabaseQueue(path: b).read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'parent_session_id'") }
        #expect(parent != nil && recordedParent == parent)
        // B keeps the diff (DESIGN.md §4): the cut-off that went away.
        let kept = try DatabaseQueue(path: b).read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'replay_diff'") }
        let keptDiff = try JSONParser.parse(kept ?? "{}")
        #expect(keptDiff["before"]?["cut_offs"]?.intValue == 1 && keptDiff["after"]?["cut_offs"]?.intValue == 0, "\(kept ?? "no replay_diff")")
        #expect(try CLIHarness.run(["verify", b]).status == 0)
        // B itself replays exactly.
        #expect(try CLIHarness.run(["replay", b]).status == 0)

        // Barge-in: with min_speech_ms longer than the interruption there is no barge-in.
        let barge = try simulate("barge-in", in: dir)
        let long = try json(try CLIHarness.run(["replay", barge, "--set", "pipeline.bargein.min_speech_ms=5000", "--json"]))
        #expect(long["diff"]?["before"]?["barge_ins"]?.intValue == 1)
        #expect(long["diff"]?["after"]?["barge_ins"]?.intValue == 0)

        // Raising TTS time to first byte by X raises each turn's voice-to-voice latency by X.
        let happy = try simulate("happy-path", in: dir)
        let slow = try json(try CLIHarness.run(["replay", happy, "--retime", "tts.ttfb_ms=+400", "--json"]))
        for turn in slow["diff"]?["turns"]?.arrayValue ?? [] {
            let before = turn["before"]?.arrayValue?.last?["voice_to_voice_ms"]?.intValue
            let after = turn["after"]?.arrayValue?.last?["voice_to_voice_ms"]?.intValue
            #expect(before != nil && after == before.map { $0 + 400 })
        }
    }

    @Test func badReplayInputIsAClearErrorWithExit2() throws {
        let dir = try CLIHarness.tempDir()
        let a = try simulate("happy-path", in: dir)
        for (args, needle) in [
            (["--set", "pipeline.endpointing.silense_ms=800"], "silense_ms: unknown key"),
            (["--set", "pipeline.endpointing.silence_ms=soon"], "expected a whole number"),
            (["--set", "pipeline.endpointing.silence_ms=-3"], "out of range"),
            (["--retime", "asr.ttft_ms=-200"], "no such stage latency"),
        ] {
            let r = try CLIHarness.run(["replay", a] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        // An archive from a newer format version.
        let newer = dir.appendingPathComponent("newer.ctk")
        try FileManager.default.copyItem(atPath: a, toPath: newer.path)
        try DatabaseQueue(path: newer.path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
        let r = try CLIHarness.run(["replay", newer.path])
        #expect(r.status == 2 && r.stderr.contains("newer"), "\(r.stderr)")
        // Truncated archive.
        let data = try Data(contentsOf: URL(fileURLWithPath: a))
        let cut = dir.appendingPathComponent("cut.ctk")
        try data.prefix(data.count / 3).write(to: cut)
        #expect(try CLIHarness.run(["replay", cut.path]).status == 2)
    }

    @Test func aReplayKeepsTheCallersWordsButMayChangeTheBots() throws {
        let dir = try CLIHarness.tempDir()
        let a = try simulate("hesitation", in: dir)
        // The caller's audio is the recording's: changing what it says is refused (not a crash).
        for args in [["replay", a, "--set", "caller.turns.0.say=Something else."], ["sweep", a, "--param", "caller.turns.0.say=a,b"],
                     ["replay", a, "--set", "caller.voice=en-gb"]] {
            let r = try CLIHarness.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("what the caller says is fixed in a replay") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        // The bot's scripted reply may change from one sweep point to the next (each point gets its speech).
        let out = dir.appendingPathComponent("sweep.json")
        let r = try CLIHarness.run(["sweep", a, "--param", "bot.replies.0=Hi.,Sure. For how many people and when would you like to come?", "--json", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let points = try JSONParser.parse(String(decoding: try Data(contentsOf: out), as: UTF8.self))["points"]?.arrayValue ?? []
        #expect(points.count == 2)
    }
}

@Suite(.serialized) struct CommittedSampleTests {
    /// An archive written by an earlier build (committed under sessions/samples) must still replay
    /// exactly: any change to how the pipeline behaves shows up here. The pcm16 sample keeps the
    /// check independent of libopus' CPU-specific code paths.
    @Test func aCommittedArchiveFromAnEarlierBuildReplaysExactly() throws {
        let sample = CLIHarness.root.appendingPathComponent("sessions/samples/hesitation-pcm16.ctk").path
        let r = try CLIHarness.run(["replay", sample])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("reproduced exactly"))
        #expect(try CLIHarness.run(["verify", sample]).status == 0)
    }
}
