import Foundation
import GRDB
import Testing

@Suite(.serialized) struct ArchiveKillTests {
    @Test func anArchiveWhoseWriterIsKilledIsLeftAsPartialAndOpensAndVerifies() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("killed.ctk").path
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["simulate", CLIHarness.root.appendingPathComponent("Benchmarks/hour.yaml").path, "-o", out]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The archive is written as killed.ctk.partial and renamed to killed.ctk when finished
        // (README "Output files"). Wait until some minutes of the session are committed, then
        // SIGKILL the writer mid-session.
        let partial = out + ".partial"
        var waited = 0
        while waited < 6000 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 1
            let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0
            if size > 2_000_000 { break }
        }
        #expect(process.isRunning, "the writer must still be running when it is killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is renamed to the output before the archive is finished")

        let verify = try CLIHarness.run(["verify", partial])
        #expect(verify.status == 0, "verify after SIGKILL: \(verify.stdout) \(verify.stderr)")
        let report = try CLIHarness.run(["report", partial, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("\"turns\""))

        // A replay ends where the recording was cut short (not at max_duration_ms, hours later) and
        // reproduces everything up to there; a counterfactual written from it replays exactly too.
        let replay = try CLIHarness.run(["replay", partial])
        #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("the recording was cut short at") && replay.stdout.contains("reproduced exactly"), "\(replay.stdout)")
        let b = dir.appendingPathComponent("b.ctk").path
        let counterfactual = try CLIHarness.run(["replay", partial, "--set", "pipeline.endpointing.silence_ms=800", "-o", b, "--json"])
        #expect(counterfactual.status == 0, "\(counterfactual.stderr)")
        let frames = { (path: String) in
            try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audio WHERE stream = 'mic'") ?? 0 }
        }
        #expect(try frames(b) == frames(partial), "B is as long as the cut-short recording")
        #expect(try CLIHarness.run(["replay", b]).status == 0)
    }
}
