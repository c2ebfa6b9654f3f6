import Foundation
import Testing

@Suite(.serialized) struct BadInputTests {
    /// Runs crosstalk expecting exit 2 and exactly one line on stderr that contains `needle`.
    func expectInputError(_ args: [String], mentions needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLIHarness.run(args)
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(needle), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
    }

    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let minimal = "name: t\ncaller:\n  turns:\n    - say: \"Hello.\"\nbot:\n  replies: [\"Hi.\"]\n"

    @Test func badScenariosNameTheFileKeyAndLine() throws {
        let dir = try CLIHarness.tempDir()
        let malformed = try write("name: [unclosed\ncaller: {", "malformed.yaml", in: dir)
        try expectInputError(["simulate", malformed], mentions: "malformed.yaml:2:7: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 7)")
        let tabbed = try write("name: t\ncaller:\n\tturns: []\n", "tabs.yaml", in: dir)
        try expectInputError(["simulate", tabbed], mentions: "tabs.yaml:3:1: invalid YAML: found character that cannot start any token (a tab: YAML indents with spaces only)")
        let unknown = try write(minimal + "pipeline:\n  endpointing: { silense_ms: 800 }\n", "unknown.yaml", in: dir)
        try expectInputError(["simulate", unknown], mentions: "unknown.yaml:8: pipeline.endpointing.silense_ms: unknown key")
        let wrongType = try write(minimal + "pipeline:\n  vad:\n    start_ms: soon\n", "type.yaml", in: dir)
        try expectInputError(["simulate", wrongType], mentions: "type.yaml:9: pipeline.vad.start_ms: expected a whole number")
        let negative = try write(minimal + "pipeline:\n  endpointing: { silence_ms: -100 }\n", "neg.yaml", in: dir)
        try expectInputError(["simulate", negative], mentions: "pipeline.endpointing.silence_ms: -100 is out of range")
        let absurd = try write(minimal.replacingOccurrences(of: "- say: \"Hello.\"", with: "- say: [\"Hello.\", { pause_ms: 99999999 }, \"Bye.\"]"), "absurd.yaml", in: dir)
        try expectInputError(["simulate", absurd], mentions: "absurd.yaml:4: caller.turns.0.say.pause_ms: 99999999 is out of range 0...60000")
        try expectInputError(["simulate", dir.appendingPathComponent("missing.yaml").path], mentions: "missing.yaml: no such file")
        try expectInputError(["simulate", CLIHarness.scenario("hesitation"), "--set", "pipeline.endpointing.silence_ms=lots"], mentions: "--set pipeline.endpointing.silence_ms")
        try expectInputError(["simulate", CLIHarness.scenario("hesitation"), "--set", "pipeline.nope=1"], mentions: "pipeline.nope: unknown key")
        try expectInputError(["simulate", CLIHarness.scenario("hesitation"), "--set", "pipeline.endpointing.silence_ms="], mentions: "--set pipeline.endpointing.silence_ms=: no value")
        // Hostile nesting is refused before the (recursive) YAML parser sees it, not a stack overflow.
        let flow = try write(minimal + "extra: " + String(repeating: "[", count: 200_000) + "\n", "flow.yaml", in: dir)
        try expectInputError(["simulate", flow], mentions: "flow.yaml:7: nested deeper than 64 levels")
        let block = try write(minimal + (0..<400).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + "\n", "block.yaml", in: dir)
        try expectInputError(["simulate", block], mentions: "block.yaml:264: indented deeper than 256 columns")
        // A hostile --set value is not echoed whole.
        try expectInputError(["simulate", CLIHarness.scenario("hesitation"), "--set", "caller=" + String(repeating: "{", count: 5000)], mentions: "expected a mapping, got '" + String(repeating: "{", count: 60) + "…'")
    }

    @Test func badArchivesAreRefusedWithoutACrash() throws {
        let dir = try CLIHarness.tempDir()
        let garbage = try write("this is not a database", "garbage.ctk", in: dir)
        try expectInputError(["report", garbage], mentions: "garbage.ctk")
        try expectInputError(["verify", garbage], mentions: "garbage.ctk")
        try expectInputError(["report", dir.appendingPathComponent("none.ctk").path], mentions: "none.ctk")
        // A real archive cut to half its size.
        let full = dir.appendingPathComponent("full.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", full]).status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let half = dir.appendingPathComponent("half.ctk")
        try data.prefix(data.count / 2).write(to: half)
        let r = try CLIHarness.run(["report", half.path])
        #expect(r.status == 2, "truncated archive: exit \(r.status) \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func anExistingOutputIsNotOverwrittenWithoutForce() throws {
        let dir = try CLIHarness.tempDir()
        let out = try write("precious", "out.ctk", in: dir)
        try expectInputError(["simulate", CLIHarness.scenario("happy-path"), "-o", out], mentions: "use --force")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "precious")
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", out, "--force"]).status == 0)
        #expect(try CLIHarness.run(["verify", out]).status == 0)
    }

    @Test func usageErrorsExitWith2() throws {
        try expectInputError(["simulate"], mentions: "scenario")
        try expectInputError(["frobnicate"], mentions: "frobnicate")
    }

    @Test func outputsThatAreNotPlainFilesOrAreInputsAreRefusedEvenWithForce() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("a.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("hesitation"), "-o", a]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: a))
        // A named pipe stands in for /dev/null (which `-o /dev/null --force` as root once replaced).
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        try expectInputError(["simulate", CLIHarness.scenario("hesitation"), "-o", fifo, "--force"], mentions: "pipe: is not a regular file")
        try expectInputError(["sweep", a, "--param", "pipeline.endpointing.silence_ms=300,500", "--csv", fifo, "--force"], mentions: "is not a regular file")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the pipe is still a pipe")
        // An output that is the command's input, or two outputs on one file.
        try expectInputError(["export", a, "--wav", a, "--force"], mentions: "a.ctk: is also an input of this command")
        try expectInputError(["replay", a, "--set", "pipeline.endpointing.silence_ms=800", "-o", a, "--force"], mentions: "is also an input")
        let x = dir.appendingPathComponent("x.out").path
        try expectInputError(["export", a, "--wav", x, "--trace", x], mentions: "x.out: is given for two outputs")
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == before, "the input archive is untouched")
        // Inspector limits: a time that is not a number, a screen too large to allocate.
        try expectInputError(["inspect", a, "--render", "--at", "nan"], mentions: "--at must be a time in seconds")
        try expectInputError(["inspect", a, "--render", "--at", "1e300"], mentions: "--at must be a time in seconds")
        try expectInputError(["inspect", a, "--render", "--width", "100000", "--height", "100000"], mentions: "between 1 and 1000")
    }
}
