import Foundation
import Testing

/// The real engines (`make engines`) through the CLI: speex stops the echo scenario's
/// self-interruptions, real caller barge-ins still get through, sessions with real engines replay
/// exactly, and a missing engine is one line.
@Suite(.serialized) struct RealEngineCommandTests {
    /// The `summary` object of `simulate … --json`.
    static func summary(_ arguments: [String]) throws -> [String: Any] {
        let r = try CLIHarness.run(["simulate"] + arguments + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try #require(json?["summary"] as? [String: Any], "no summary in \(r.stdout)")
    }

    @Test func speexStopsTheEchoScenariosSelfInterruptions() throws {
        let echo = CLIHarness.scenario("echo")
        let without = try Self.summary([echo])
        #expect((without["self_interruptions"] as? Int ?? 0) > 0, "premise: without AEC the bot interrupts itself")
        let with = try Self.summary([echo, "--set", "pipeline.echo.aec=speex"])
        #expect(with["self_interruptions"] as? Int == 0, "\(with)")
        #expect(with["unanswered_caller_turns"] as? Int == 0, "\(with)")
    }

    @Test func theCallersRealBargeInStillGetsThroughSpeex() throws {
        let bargeIn = CLIHarness.scenario("barge-in")
        let echoOn = ["--set", "pipeline.echo.enabled=true"]
        let without = try Self.summary([bargeIn] + echoOn)
        #expect((without["self_interruptions"] as? Int ?? 0) > 0, "premise: the echo interrupts the bot")
        let with = try Self.summary([bargeIn] + echoOn + ["--set", "pipeline.echo.aec=speex"])
        #expect(with["barge_ins"] as? Int == 1, "\(with)")
        #expect(with["self_interruptions"] as? Int == 0, "\(with)")
        #expect(with["missed_barge_ins"] as? Int == 0, "\(with)")
    }

    @Test func aSessionWithEveryRealEngineReplaysExactly() throws {
        let dir = try CLIHarness.tempDir()
        let archive = dir.appendingPathComponent("real.ctk").path
        let engines = ["--set", "pipeline.echo.aec=speex", "--set", "pipeline.vad.engine=webrtc", "--set", "pipeline.stt.engine=pocketsphinx"]
        let sim = try CLIHarness.run(["simulate", CLIHarness.scenario("echo"), "-o", archive] + engines)
        #expect(sim.status == 0, "\(sim.stderr)")
        let replay = try CLIHarness.run(["replay", archive])
        #expect(replay.status == 0, "exact replay diverged: \(replay.stdout) \(replay.stderr)")
        for vad in ["silero", "webrtc"] {
            let a = try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "--set", "pipeline.vad.engine=\(vad)"])
            let b = try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "--set", "pipeline.vad.engine=\(vad)"])
            #expect(a.status == 0 && a.stdout == b.stdout, "\(vad): \(a.stderr)")
        }
    }

    @Test func aMissingEngineIsOneLineAndExit2() throws {
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["simulate", CLIHarness.scenario("happy-path"), "--set", "pipeline.vad.engine=silero"]
        var environment = ProcessInfo.processInfo.environment
        environment["CROSSTALK_ENGINES_DIR"] = "/nonexistent/engines"
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1 && stderr.contains("silero VAD needs sherpa-onnx") && stderr.contains("run `make engines`"), "\(stderr)")
    }
}
