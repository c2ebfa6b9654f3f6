import Core
import Foundation
import Testing

/// `crosstalk import --livekit` as a user runs it: the archive verifies, `report` shows the turns,
/// bad input is one line with exit 2 and leaves nothing behind.
@Suite struct ImportLiveKitCommandTests {
    static let fixture = CLIHarness.root.appendingPathComponent("sessions/livekit/session-fixture").path

    @Test func aConsoleRecordingFolderImportsVerifiesAndReports() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("lk.ctk").path
        let r = try CLIHarness.run(["import", "--livekit", Self.fixture, "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 user turns") && r.stdout.contains("wrote \(a)"), "\(r.stdout)")
        let verify = try CLIHarness.run(["verify", a])
        #expect(verify.status == 0 && verify.stdout.contains("ok"), "\(verify.stdout) \(verify.stderr)")
        let report = try CLIHarness.run(["report", a])
        #expect(report.status == 0, "\(report.stderr)")
        // One row per user turn, at the turn ends the generator placed (6.306, 12.769, 18.762 s); turn 2 was barged in.
        let rows = report.stdout.split(separator: "\n").filter { $0.range(of: #"^\s+\d+\s"#, options: .regularExpression) != nil }
        #expect(rows.count == 3, "\(report.stdout)")
        #expect(rows.count == 3 && rows[0].contains("6.306") && rows[1].contains("12.769") && rows[1].contains("BARGE-IN") && rows[2].contains("18.762"),
                "\(report.stdout)")
    }

    @Test func theReportAndAudioFormWritesWithForceOnly() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("lk.ctk").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: a))
        let args = ["import", "--livekit-report", "\(Self.fixture)/session_report.json", "--audio", "\(Self.fixture)/audio.ogg", "-o", a]
        let refused = try CLIHarness.run(args)
        #expect(refused.status == 2 && refused.stderr.contains("exists"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "keep")
        let forced = try CLIHarness.run(args + ["--force", "--codec", "pcm16", "--rate", "24000", "--channels", "agent,user"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try CLIHarness.run(["verify", a]).status == 0)
    }

    @Test func badInputIsOneLineExit2AndNoFile() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("out.ctk").path
        let report = try String(contentsOfFile: "\(Self.fixture)/session_report.json", encoding: .utf8)
        // An unknown event type at events[3].
        let bad = dir.appendingPathComponent("session_report.json").path
        let edited = report.replacingOccurrences(of: "\"type\": \"agent_state_changed\",\n      \"old_state\": \"speaking\"", with: "\"type\": \"agent_mood\",\n      \"old_state\": \"speaking\"")
        #expect(edited != report)
        try edited.write(toFile: bad, atomically: true, encoding: .utf8)
        let cases: [([String], [String])] = [
            (["--livekit-report", bad, "--audio", "\(Self.fixture)/audio.ogg"], ["session_report.json", "events[3]", "'type'", "agent_mood"]),
            (["--livekit-report", "\(Self.fixture)/session_report.json", "--audio", "\(Self.fixture)/vorbis.ogg"], ["vorbis.ogg", "not Ogg Opus"]),
            (["--livekit-report", "\(Self.fixture)/session_report.json", "--audio", "\(Self.fixture)/mono.ogg"], ["mono.ogg", "1 channel"]),
            (["--livekit", try CLIHarness.tempDir().path], ["session_report.json", "no such file"]),
            (["--livekit", Self.fixture, "--rate", "22050"], ["--rate 22050"]),
            (["--livekit", Self.fixture, "--channels", "left,right"], ["--channels"]),
            (["--livekit", Self.fixture, "--set", "pipeline.endpointing.silence_ms=800"], ["--set"]),
        ]
        for (args, needles) in cases {
            let r = try CLIHarness.run(["import"] + args + ["-o", out])
            let lines = r.stderr.split(separator: "\n")
            #expect(r.status == 2 && lines.count == 1, "\(args): \(r.status) \(r.stderr)")
            for n in needles { #expect(r.stderr.contains(n), "\(args): \(r.stderr)") }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("out.ctk") }
            #expect(left.isEmpty, "\(args) left \(left)")
        }
    }
}
