import Foundation
import Testing

/// Inputs must be regular files: a FIFO (or socket, or device) is refused at once with one line,
/// as a directory is, instead of blocking for ever in open(); a scenario may still come from a pipe.
@Suite(.serialized) struct InputFileCommandTests {
    func expectRefused(_ args: [String], mentions needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // The timeout only turns a hang into a failure; a refusal takes a fraction of a second.
        let r = try CLIHarness.runBounded(args, timeout: 60)
        #expect(!r.timedOut, "\(args) blocked", sourceLocation: sourceLocation)
        #expect(r.result.status == 2, "exit \(r.result.status): \(r.result.stderr)", sourceLocation: sourceLocation)
        #expect(r.result.stderr.split(separator: "\n").count == 1, "stderr: \(r.result.stderr)", sourceLocation: sourceLocation)
        #expect(r.result.stderr.contains(needle), "stderr: \(r.result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func aFIFOIsRefusedAtOnceWhereverAFileIsRead() throws {
        let dir = try CLIHarness.tempDir()
        let fifo = dir.appendingPathComponent("pipe.ctk").path
        try #require(mkfifo(fifo, 0o644) == 0)
        let a = dir.appendingPathComponent("a.ctk").path
        try #require(try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", a]).status == 0)
        let wav = dir.appendingPathComponent("a.wav").path
        try #require(try CLIHarness.run(["export", a, "--wav", wav]).status == 0)

        for command in [["report", fifo], ["verify", fifo], ["replay", fifo], ["resimulate", fifo],
                        ["export", fifo, "--trace", dir.appendingPathComponent("t.json").path],
                        ["sweep", fifo, "--param", "pipeline.endpointing.silence_ms=300,500"]] {
            try expectRefused(command, mentions: "pipe.ctk: is a pipe (FIFO), not an archive")
        }
        try expectRefused(["merge", fifo], mentions: "pipe.ctk: is a pipe (FIFO), not a sweep result")
        try expectRefused(["import", fifo, "-o", dir.appendingPathComponent("i.ctk").path], mentions: "pipe.ctk: is a pipe (FIFO), not an audio file")
        try expectRefused(["import", wav, "--transcript", fifo, "-o", dir.appendingPathComponent("i.ctk").path],
                          mentions: "pipe.ctk: is a pipe (FIFO), not a transcript")

        // Recorded audio a scenario names: a caller clip and a babble-file noise recording.
        let clip = dir.appendingPathComponent("clip.yaml").path
        try "caller:\n  turns:\n    - say: { wav: pipe.ctk, text: \"hello\" }\n".write(toFile: clip, atomically: true, encoding: .utf8)
        try expectRefused(["simulate", clip], mentions: "clip.yaml: caller.turns.0.say.wav: pipe.ctk: is a pipe (FIFO), not an audio file")
        let babble = dir.appendingPathComponent("babble.yaml").path
        try "caller:\n  turns:\n    - say: hello\npipeline:\n  noise: { kind: babble-file, file: pipe.ctk }\n"
            .write(toFile: babble, atomically: true, encoding: .utf8)
        try expectRefused(["simulate", babble], mentions: "babble.yaml: pipeline.noise.file: pipe.ctk: is a pipe (FIFO)")
        // A scenario FIFO nobody writes to.
        try expectRefused(["simulate", fifo], mentions: "pipe.ctk: is a pipe (FIFO) and nothing was written to it")
    }

    @Test func aScenarioStillComesFromAPipe() throws {
        let text = try String(contentsOfFile: CLIHarness.scenario("happy-path"), encoding: .utf8)
        let r = try CLIHarness.runBounded(["simulate", "/dev/stdin", "--json"], stdin: Data(text.utf8))
        #expect(!r.timedOut)
        #expect(r.result.status == 0, "\(r.result.stderr)")
        #expect(r.result.stdout.contains("\"turns\""), "\(r.result.stdout)")
    }

    @Test func aNULByteInAClipPathIsNamed() throws {
        let dir = try CLIHarness.tempDir()
        let yaml = dir.appendingPathComponent("nul.yaml").path
        try "caller:\n  turns:\n    - say: { wav: \"clips/a\\0b.wav\", text: \"hello\" }\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        try expectRefused(["simulate", yaml], mentions: "caller.turns.0.say.wav: clips/a")
        let r = try CLIHarness.run(["simulate", yaml])
        #expect(r.stderr.contains("the path contains a NUL byte"), "\(r.stderr)")
        #expect(!r.stderr.contains("is a directory"))
    }
}
