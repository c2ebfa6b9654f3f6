import Core
import Foundation
import Testing

/// `crosstalk import --livekit` as a user runs it: the archive verifies, `report` shows the turns,
/// bad input is one line with exit 2 and leaves nothing behind.
@Suite struct ImportLiveKitCommandTests {
    static let fixture = CLIHarness.root.appendingPathComponent("sessions/livekit/session-fixture").path

    /// The python of a venv with livekit-agents 1.8.9 (`make livekit-venv`, or CROSSTALK_LIVEKIT_PYTHON).
    static let livekitPython: String? = {
        let env = ProcessInfo.processInfo.environment
        let engines = env["CROSSTALK_ENGINES_DIR"] ?? CLIHarness.root.appendingPathComponent(".engines").path
        let candidate = env["CROSSTALK_LIVEKIT_PYTHON"] ?? "\(engines)/livekit-venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    /// A real LiveKit Agents session (its own AgentSession, RecorderIO and report; stand-in STT, LLM
    /// and TTS), run by sessions/livekit/record-livekit-session.py, imports and verifies.
    @Test(.enabled(if: livekitPython != nil, "needs a livekit-agents venv (make livekit-venv)"))
    func aRealRecordedLiveKitSessionImports() throws {
        let dir = try CLIHarness.tempDir()
        let session = dir.appendingPathComponent("session-real").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.livekitPython ?? "")
        process.arguments = [CLIHarness.root.appendingPathComponent("sessions/livekit/record-livekit-session.py").path, session]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "record-livekit-session.py failed")
        let a = dir.appendingPathComponent("real.ctk").path
        let r = try CLIHarness.run(["import", "--livekit", session, "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLIHarness.run(["verify", a]).status == 0)
        let events = try ImportCommandTests.events(a, kind: .turnEnd)
        // The script's three user turns, each ended by LiveKit's endpointing (VAD mode, 0.5 s minimum delay).
        #expect(events.map { JSONParser.parseObject($0.data)["transcript"]?.stringValue ?? "" } == [
            "I would like to book a table for tonight.", "For four people at eight.", "Actually, make it five people, inside please.",
        ])
        for e in events {
            let speechEnd = JSONParser.parseObject(e.data)["speech_end_us"]?.intValue ?? 0
            #expect(e.t - speechEnd >= 500_000 && e.t - speechEnd < 3_000_000, "\(e)")
        }
        // The user talked over the second reply: one barge-in, in turn 2, that stopped it.
        let bargeIns = try ImportCommandTests.events(a, kind: .bargeIn)
        #expect(bargeIns.count == 1 && bargeIns.first?.turn == 2, "\(bargeIns)")
        let stops = try ImportCommandTests.events(a, kind: .playStop)
        #expect(stops.first { $0.turn == 2 }.map { JSONParser.parseObject($0.data)["reason"]?.stringValue } == "interrupted")
    }

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

extension JSONParser {
    /// `text` parsed as a JSON object (empty when it is not one), for test checks.
    static func parseObject(_ text: String) -> JSONValue { (try? parse(text)) ?? .object([:]) }
}
