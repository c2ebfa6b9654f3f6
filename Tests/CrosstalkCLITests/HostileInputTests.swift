import Foundation
import GRDB
import Testing

/// Inputs crafted to exhaust memory or trap (issue 9): each gets one line and exit 2, or a finding
/// from `verify`, never a signal.
@Suite(.serialized) struct HostileInputTests {
    let bad = BadInputTests()

    /// Ten levels of nine aliases each: 517 bytes that expand to 3.4 billion values.
    static func billionLaughs(under key: String) -> String {
        var lines = ["a0: &a0 [lol]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.map { key.isEmpty ? $0 : "  " + $0 }.joined(separator: "\n") + "\n"
    }

    @Test func yamlAliasBombsAreRefusedBeforeTheyExpand() throws {
        let dir = try CLIHarness.tempDir()
        // Under unknown top-level keys: refused before any key is looked at.
        let top = try bad.write(bad.minimal + Self.billionLaughs(under: ""), "laughs.yaml", in: dir)
        try bad.expectInputError(["simulate", top], mentions: "expands to more than 200000 values")
        // Under caller.turns (where a say-list could legitimately hold an alias or two).
        let turns = "name: t\ncaller:\n  turns:\n" + Self.billionLaughs(under: "turns").replacingOccurrences(of: "  a", with: "    - a")
            + "bot:\n  replies: [\"Hi.\"]\n"
        let inTurns = try bad.write(turns, "turns.yaml", in: dir)
        try bad.expectInputError(["simulate", inTurns], mentions: "expands to more than 200000 values")
        // A --set value is YAML too: the bomb is not expanded there either (it is taken as text).
        let flow = "{" + Self.billionLaughs(under: "").split(separator: "\n").joined(separator: ", ") + "}"
        try bad.expectInputError(["simulate", CLIHarness.scenario("hesitation"), "--set", "pipeline=" + flow], mentions: "--set pipeline")
        // A few aliases, as people write them, still work.
        let modest = try bad.write("""
            name: t
            caller:
              turns:
                - say: &hello "Hello."
                - say: *hello
            bot:
              replies: [&hi "Hi.", *hi]
            """, "modest.yaml", in: dir)
        let ok = try CLIHarness.run(["simulate", modest])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// Opens `path` and runs `sql` on it (an edit a user or a broken disk could make).
    func tamper(_ path: String, _ sql: String) throws {
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
    }

    func copy(_ source: String, to name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: source, toPath: path)
        return path
    }

    /// Foundation's path methods trap on a one-character path: `-o b` and `sweep --json -` crashed.
    @Test func oneCharacterOutputPathsAreWrittenNotATrap() throws {
        let dir = try CLIHarness.tempDir()
        let simulate = try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", "b"], in: dir)
        #expect(simulate.status == 0 && simulate.stdout.contains("wrote b"), "\(simulate.stderr)")
        let sweep = try CLIHarness.run(["sweep", "b", "--param", "pipeline.endpointing.silence_ms=300:500:200", "--json", "-"], in: dir)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("-").path))
        let export = try CLIHarness.run(["export", "b", "--wav", "w"], in: dir)
        #expect(export.status == 0, "\(export.stderr)")
    }

    @Test func archiveMetaOutOfBoundsIsRefusedBeforeAnyAllocation() throws {
        let dir = try CLIHarness.tempDir()
        let good = dir.appendingPathComponent("good.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", good]).status == 0)
        for (value, needle) in [("4000000000", "meta sample_rate 4000000000 is outside 8000–48000 Hz"),
                                ("-16000", "meta sample_rate -16000 is outside"),
                                ("16000.5", "meta sample_rate is '16000.5', not an integer")] {
            let edited = try copy(good, to: "rate\(value).ctk", in: dir)
            try tamper(edited, "UPDATE meta SET value = '\(value)' WHERE key = 'sample_rate'")
            try bad.expectInputError(["inspect", edited, "--render"], mentions: needle)
            try bad.expectInputError(["export", edited, "--wav", dir.appendingPathComponent("o.wav").path], mentions: needle)
            try bad.expectInputError(["replay", edited], mentions: needle)
            // verify calls it what it is: a finding, not "ok".
            let verify = try CLIHarness.run(["verify", edited])
            #expect(verify.status == 1, "\(verify.stdout) \(verify.stderr)")
            #expect(verify.stdout.contains(needle), "\(verify.stdout)")
        }
        let frames = try copy(good, to: "frames.ctk", in: dir)
        try tamper(frames, "UPDATE meta SET value = '7' WHERE key = 'frame_ms'")
        try bad.expectInputError(["report", frames], mentions: "meta frame_ms 7 is outside 10–60 ms")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.wav").path), "no output from a refused input")
    }

    @Test func aClipWithAnImpossibleRateIsRefusedAndFoundByVerify() throws {
        let dir = try CLIHarness.tempDir()
        let cafe = dir.appendingPathComponent("cafe.ctk").path
        let sim = try CLIHarness.run(["simulate", CLIHarness.scenario("noisy-cafe"), "-o", cafe])
        #expect(sim.status == 0, "\(sim.stderr)")
        let edited = try copy(cafe, to: "clip.ctk", in: dir)
        try tamper(edited, "UPDATE clips SET sample_rate = 9999999999")
        try bad.expectInputError(["replay", edited], mentions: "sample_rate 9999999999 is outside 8000–192000 Hz")
        let verify = try CLIHarness.run(["verify", edited])
        #expect(verify.status == 1, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("clips: clip 'clips/"), "\(verify.stdout)")
        #expect(verify.stdout.contains("sample_rate 9999999999 is outside"), "\(verify.stdout)")
    }

    @Test func verifyFindsDamagedPayloadsThroughTheChecksums() throws {
        let dir = try CLIHarness.tempDir()
        let good = dir.appendingPathComponent("good.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("hesitation"), "-o", good]).status == 0)
        #expect(try CLIHarness.run(["verify", good]).stdout.contains(": ok"))
        // One bit flipped inside one Opus packet of the bot stream: it still decodes, so only the
        // checksum can tell. And exact replay rejects it (the audio differs), so verify must too.
        let flipped = try copy(good, to: "flipped.ctk", in: dir)
        let packet = try DatabaseQueue(path: flipped).read {
            try Data.fetchOne($0, sql: "SELECT data FROM audio WHERE stream = 'bot' AND frame = 200")
        }
        var bytes = [UInt8](try #require(packet))
        bytes[bytes.count / 2] ^= 0x10
        try DatabaseQueue(path: flipped).write {
            try $0.execute(sql: "UPDATE audio SET data = ? WHERE stream = 'bot' AND frame = 200", arguments: [Data(bytes)])
        }
        let v1 = try CLIHarness.run(["verify", flipped])
        #expect(v1.status == 1, "\(v1.stdout) \(v1.stderr)")
        #expect(v1.stdout.contains("checksums: audio.bot rows 192–255 do not match their checksum"), "\(v1.stdout)")
        #expect(try CLIHarness.run(["replay", flipped]).status == 1, "exact replay rejects it too")

        // The same bytes stored as text instead of a blob (readers take either).
        let retyped = try copy(good, to: "retyped.ctk", in: dir)
        try tamper(retyped, "UPDATE audio SET data = CAST(data AS TEXT) WHERE stream = 'caller' AND frame = 10")
        let v2 = try CLIHarness.run(["verify", retyped])
        #expect(v2.status == 1)
        #expect(v2.stdout.contains("checksums: audio.caller rows 0–63 do not match their checksum"), "\(v2.stdout)")

        // An edited meta row.
        let meta = try copy(good, to: "meta.ctk", in: dir)
        try tamper(meta, "UPDATE meta SET value = value || ' ' WHERE key = 'scenario'")
        #expect(try CLIHarness.run(["verify", meta]).stdout.contains("checksums: meta do not match their checksum"))

        // A deleted row is found by its chunk's count.
        let deleted = try copy(good, to: "deleted.ctk", in: dir)
        try tamper(deleted, "DELETE FROM vad WHERE frame = (SELECT max(frame) FROM vad)")
        #expect(try CLIHarness.run(["verify", deleted]).stdout.contains("the checksum covers"))
    }

    @Test func formatOneArchivesStillReadAndVerify() throws {
        // The committed samples are format 1 (no checksums): still read, verified and replayed.
        for sample in ["hesitation-pcm16", "barge-in"] {
            let path = CLIHarness.root.appendingPathComponent("sessions/samples/\(sample).ctk").path
            let version = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
                .read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
            #expect(version == 1, "\(sample) is the format-1 fixture")
            let verify = try CLIHarness.run(["verify", path])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test func namesWithTerminalEscapesArePrintedEscaped() throws {
        let dir = try CLIHarness.tempDir()
        let hostile = try bad.write(bad.minimal.replacingOccurrences(of: "name: t", with: "name: \"evil\\e]0;pwned\\a\\e[2J\""), "esc.yaml", in: dir)
        let out = dir.appendingPathComponent("esc.ctk").path
        let sim = try CLIHarness.run(["simulate", hostile, "-o", out])
        #expect(sim.status == 0, "\(sim.stderr)")
        #expect(!sim.stdout.contains("\u{1B}") && !sim.stdout.contains("\u{07}"), "raw escape printed")
        #expect(sim.stdout.contains("evil\\e]0;pwned\\u{7}\\e[2J"), "\(sim.stdout)")
        let report = try CLIHarness.run(["report", out])
        #expect(!report.stdout.contains("\u{1B}"))
        #expect(report.stdout.contains("evil\\e]0;pwned"), "\(report.stdout)")
    }
}
