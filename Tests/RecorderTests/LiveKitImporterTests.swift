import Core
import Foundation
import Recorder
import Testing

/// `crosstalk import --livekit` on the fixture that sessions/livekit/make-livekit-session.py wrote:
/// the archive's events are checked against the timeline the generator placed (expected.json).
@Suite struct LiveKitImporterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = root.appendingPathComponent("sessions/livekit/session-fixture")
    static func fixturePath(_ name: String) -> String { fixture.appendingPathComponent(name).path }

    /// What the generator placed (microseconds after the audio's start).
    static func expected() throws -> JSONValue {
        try JSONParser.parse(String(contentsOfFile: fixturePath("expected.json"), encoding: .utf8))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-livekit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Imports the fixture (optionally with an edited report) as pcm16 and returns the archive's path.
    static func importFixture(
        report edit: ((inout [String: JSONValue]) -> Void)? = nil, channels: Int = 0, rate: Int = 16000,
        codec: String = "pcm16", audio: String = "audio.ogg"
    ) throws -> (archive: String, outcome: LiveKitImporter.Outcome) {
        let dir = try tempDir()
        var reportPath = fixturePath("session_report.json")
        if let edit {
            guard case .object(var report) = try JSONParser.parse(String(contentsOfFile: reportPath, encoding: .utf8)) else {
                throw ImportError("fixture report is not an object")
            }
            edit(&report)
            reportPath = dir.appendingPathComponent("session_report.json").path
            try JSONValue.object(report).canonicalText.write(toFile: reportPath, atomically: true, encoding: .utf8)
        }
        let archive = dir.appendingPathComponent("lk.ctk").path
        var request = LiveKitImporter.Request(report: reportPath, audio: fixturePath(audio), output: archive)
        request.userChannel = channels
        request.sampleRate = rate
        request.codec = codec
        return (archive, try LiveKitImporter.run(request))
    }

    static func events(_ path: String) throws -> [PipelineEvent] { try SessionArchive(path: path).events() }

    @Test func turnEndsPlaysAndTheInterruptionAreWhereTheGeneratorPutThem() throws {
        let (archive, _) = try Self.importFixture()
        let events = try Self.events(archive)
        let x = try Self.expected()

        let ends = events.filter { $0.kind == .turnEnd }
        let wantEnds = x["turn_ends"]?.arrayValue ?? []
        #expect(ends.count == wantEnds.count && ends.count == 3)
        for (e, w) in zip(ends, wantEnds) {
            #expect(e.time.microseconds == w["t_us"]?.intValue && e.turn.map(Int64.init) == w["turn"]?.intValue, "\(e.canonicalLine)")
            #expect(e.data["speech_end_us"] == w["speech_end_us"] && e.data["transcript"] == w["transcript"], "\(e.canonicalLine)")
            #expect(e.data["reason"] == "eot_model")
        }

        let starts = events.filter { $0.kind == .playStart }, stops = events.filter { $0.kind == .playStop }
        let plays = x["plays"]?.arrayValue ?? []
        #expect(starts.count == plays.count && stops.count == plays.count && plays.count == 4)
        for ((start, stop), w) in zip(zip(starts, stops), plays) {
            let turn = w["turn"].flatMap(\.intValue)
            #expect(start.time.microseconds == w["start_us"]?.intValue && start.turn.map(Int64.init) == turn, "\(start.canonicalLine)")
            #expect(stop.time.microseconds == w["stop_us"]?.intValue && stop.turn.map(Int64.init) == turn, "\(stop.canonicalLine)")
            #expect(stop.data["reason"] == w["reason"] && stop.data["heard_text"] == w["heard_text"], "\(stop.canonicalLine)")
        }

        let bargeIns = events.filter { $0.kind == .bargeIn }
        let want = x["bargeins"]?.arrayValue ?? []
        #expect(bargeIns.count == 1 && want.count == 1)
        if let b = bargeIns.first, let w = want.first {
            #expect(b.time.microseconds == w["t_us"]?.intValue && b.turn.map(Int64.init) == w["turn"]?.intValue)
            #expect(b.data["onset_us"] == w["onset_us"] && b.data["speech_ms"] == w["speech_ms"] && b.data["trigger"] == "vad")
        }

        let vad = events.filter { $0.kind == .vadStart || $0.kind == .vadStop }
        #expect(vad.map { "\($0.kind.rawValue) \($0.time.microseconds) \($0.turn ?? 0)" }
            == (x["vad"]?.arrayValue ?? []).map { "\($0["kind"]?.stringValue ?? "") \($0["t_us"]?.intValue ?? -1) \($0["turn"]?.intValue ?? -1)" })
        let eots = events.filter { $0.kind == .eotPrediction }
        #expect(eots.map { "\($0.time.microseconds) \($0.turn ?? 0) \($0.data["outcome"]?.stringValue ?? "")" }
            == (x["eot"]?.arrayValue ?? []).map { "\($0["t_us"]?.intValue ?? -1) \($0["turn"]?.intValue ?? -1) \($0["outcome"]?.stringValue ?? "")" })
        let finals = events.filter { $0.kind == .sttFinal }
        // Each turn's final covers the speech up to the turn's speech end (LiveKit's transcription_delay).
        #expect(finals.map { $0.data["audio_end_us"] } == wantEnds.map { $0["speech_end_us"] })
        #expect(finals.map { "\($0.time.microseconds) \($0.turn ?? 0) \($0.data["text"]?.stringValue ?? "")" }
            == (x["stt_finals"]?.arrayValue ?? []).map { "\($0["t_us"]?.intValue ?? -1) \($0["turn"]?.intValue ?? -1) \($0["text"]?.stringValue ?? "")" })
    }

    @Test func repliesFollowTheirTurnEndAndTheStreamIsSorted() throws {
        let (archive, _) = try Self.importFixture()
        let events = try Self.events(archive)
        #expect(events.map(\.seq) == Array(0..<Int64(events.count)))
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(events.last?.kind == .sessionEnd)
        // The greeting carries no turn; every reply chain of turn N sits between turn.end N and play.start N.
        #expect(events.first { $0.kind == .playStart }?.turn == nil)
        for turn in 1...3 {
            let mine = events.filter { $0.turn == turn }
            let end = try #require(mine.first { $0.kind == .turnEnd })
            let request = try #require(mine.first { $0.kind == .llmRequest })
            let token = try #require(mine.first { $0.kind == .llmToken })
            let chunk = try #require(mine.first { $0.kind == .ttsChunk })
            let play = try #require(mine.first { $0.kind == .playStart })
            #expect(end.time <= request.time && request.time <= token.time && token.time <= chunk.time && chunk.time <= play.time)
            // The generator's metrics: on_user_turn_completed 1 ms, llm_node_ttft 380 ms, tts_node_ttfb 220 ms.
            #expect(request.time.microseconds - end.time.microseconds == 1000)
            #expect(token.time.microseconds - request.time.microseconds == 380_000)
            #expect(chunk.time.microseconds - token.time.microseconds == 220_000)
        }
    }

    @Test func metaNamesTheSourceTheClientAndTheRecordedSettings() throws {
        let (archive, outcome) = try Self.importFixture()
        let meta = try SessionArchive(path: archive).meta
        #expect(meta["source"] == "livekit" && meta["session_id"] == "fixture-job-1" && meta["client"] == "livekit-agents 1.8.9")
        #expect(meta["started_at"] == "2025-12-03T10:00:00.000Z" && meta["frame_ms"] == "20" && meta["sample_rate"] == "16000")
        #expect(meta["recorded_settings"] == """
            {"pipeline.bargein.min_speech_ms":500,"pipeline.bargein.min_words":0,"pipeline.endpointing.max_delay_ms":3000,"pipeline.endpointing.silence_ms":500}
            """)
        let config = try JSONParser.parse(meta["config"] ?? "")
        #expect(config["min_endpointing_delay"]?.doubleValue == 0.5 && config["allow_interruptions"] == .bool(true))
        // One frame per 20 ms of the 22.515 s recording, in both streams.
        let audio = try SessionArchive(path: archive)
        #expect(outcome.frames == 1126)
        #expect(try audio.frameCount(.mic) == 1126 && audio.frameCount(.bot) == 1126 && audio.frameCount(.caller) == 0)
        #expect(try ArchiveVerifier().verify(path: archive).isEmpty)
    }

    @Test func theChannelsOptionSwapsTheStreams() throws {
        let normal = try SessionArchive(path: Self.importFixture().archive)
        let swapped = try SessionArchive(path: Self.importFixture(channels: 1).archive)
        let mic = try normal.decodedAudio(.mic), bot = try normal.decodedAudio(.bot)
        #expect(mic != bot)
        #expect(try swapped.decodedAudio(.mic) == bot && swapped.decodedAudio(.bot) == mic)
        // The user channel holds the user's speech: loud while the user talks (turn 1: 3.475–5.586 s), the agent's silent.
        func energy(_ s: [Int16], _ from: Double, _ to: Double) -> Int { s[Int(from * 16000)..<Int(to * 16000)].reduce(0) { $0 + abs(Int($1)) } }
        #expect(energy(mic, 3.6, 5.4) > 100 * max(1, energy(bot, 3.6, 5.4)))
    }

    @Test func theBotStreamHoldsTheRepliesWherePlayStartAndStopSay() throws {
        let (archive, outcome) = try Self.importFixture()
        let bot = try SessionArchive(path: archive).decodedAudio(.bot)
        func peak(_ fromUs: Int64, _ toUs: Int64) -> Int {
            let a = Int(fromUs * 16 / 1000), b = min(bot.count, Int(toUs * 16 / 1000))
            return a < b ? bot[a..<b].map { abs(Int($0)) }.max() ?? 0 : 0
        }
        let starts = outcome.events.filter { $0.kind == .playStart }, stops = outcome.events.filter { $0.kind == .playStop }
        #expect(starts.count == 4 && stops.count == 4)
        var previousStop: Int64 = 0
        for (start, stop) in zip(starts, stops) {
            let a = start.time.microseconds, b = stop.time.microseconds
            #expect(peak(a, b) > 2000, "speech inside \(start.canonicalLine)")
            // Silent between replies (the interrupted one is cut at its play.stop; resampling rings for a few ms).
            #expect(peak(previousStop + 20_000, a - 20_000) < 50, "silence before \(start.canonicalLine)")
            previousStop = b
        }
    }

    @Test func importingTwiceGivesTheSameArchiveContent() throws {
        let a = try SessionArchive(path: Self.importFixture(codec: "opus").archive)
        let b = try SessionArchive(path: Self.importFixture(codec: "opus").archive)
        #expect(try a.events() == b.events())
        #expect(a.meta == b.meta)
        #expect(try a.packets(.mic).map(\.bytes) == b.packets(.mic).map(\.bytes))
        #expect(try a.packets(.bot).map(\.bytes) == b.packets(.bot).map(\.bytes))
    }

    @Test func anotherArchiveRateResamples() throws {
        let (archive, outcome) = try Self.importFixture(rate: 48000)
        let a = try SessionArchive(path: archive)
        #expect(a.meta["sample_rate"] == "48000" && outcome.frames == 1126)
        #expect(try a.decodedAudio(.mic).count == 1126 * 960)
    }

    @Test func optionsMapToSettingsAndTheBargeInTrigger() throws {
        let (_, outcome) = try Self.importFixture(report: { r in
            var options = r["options"]?.objectValue ?? [:]
            options["allow_interruptions"] = false
            options["min_interruption_words"] = 2
            options["min_endpointing_delay"] = .double(0.8)
            r["options"] = .object(options)
        })
        #expect(outcome.recordedSettings["pipeline.bargein.mode"] == "none")
        #expect(outcome.recordedSettings["pipeline.bargein.min_words"] == 2)
        #expect(outcome.recordedSettings["pipeline.endpointing.silence_ms"] == 800)
        #expect(outcome.events.first { $0.kind == .bargeIn }?.data["trigger"] == "words")
    }

    @Test func aFalseInterruptionMarksTheBargeIn() throws {
        let (_, outcome) = try Self.importFixture(report: { r in
            var events = r["events"]?.arrayValue ?? []
            // After the agent's interrupted stop (15.619 s), LiveKit finds no words and resumes.
            events.append(["type": "agent_false_interruption", "resumed": true, "created_at": .double(1_764_756_000.0 + 21.9)])
            r["events"] = .array(events)
        })
        let b = try #require(outcome.events.first { $0.kind == .bargeIn })
        #expect(b.data["false_interruption"] == .bool(true) && b.data["resumed"] == .bool(true))
    }

    @Test func withoutChatMetricsTurnsEndWhenTheAgentStartsThinking() throws {
        let (_, outcome) = try Self.importFixture(report: { r in
            var history = r["chat_history"]?.objectValue ?? [:]
            history["items"] = .array((history["items"]?.arrayValue ?? []).map { item in
                guard item["role"] == "user", case .object(var fields) = item else { return item }
                fields["metrics"] = .object([:])
                return .object(fields)
            })
            r["chat_history"] = .object(history)
        })
        let ends = outcome.events.filter { $0.kind == .turnEnd }
        // The agent's listening→thinking changes are at the same instants the metrics give.
        let want = try Self.expected()["turn_ends"]?.arrayValue ?? []
        #expect(ends.map(\.time.microseconds) == want.compactMap { $0["t_us"]?.intValue })
        #expect(ends.map { $0.data["speech_end_us"] } == want.map { $0["speech_end_us"] })
    }
}

/// The session livekit-agents 1.8.9 itself recorded (sessions/livekit/record-livekit-session.py; kept in
/// sessions/livekit/real-session/): the report's real shape imports.
@Suite struct LiveKitRealSessionTests {
    static let dir = LiveKitImporterTests.root.appendingPathComponent("sessions/livekit/real-session")

    @Test func aReportLiveKitWroteImports() throws {
        let out = try LiveKitImporterTests.tempDir().appendingPathComponent("real.ctk").path
        var request = LiveKitImporter.Request(
            report: Self.dir.appendingPathComponent("session_report.json").path,
            audio: Self.dir.appendingPathComponent("audio.ogg").path, output: out)
        request.codec = "pcm16"
        let outcome = try LiveKitImporter.run(request)
        let meta = try SessionArchive(path: out).meta
        #expect(meta["client"] == "livekit-agents 1.8.9" && meta["session_id"] == "fake-job")
        let ends = outcome.events.filter { $0.kind == .turnEnd }
        #expect(ends.map { $0.data["transcript"]?.stringValue ?? "" } == [
            "I would like to book a table for tonight.", "For four people at eight.", "Actually, make it five people, inside please.",
        ])
        // The script talked over the second reply: LiveKit stopped it, and that is turn 2's barge-in.
        let bargeIns = outcome.events.filter { $0.kind == .bargeIn }
        #expect(bargeIns.count == 1 && bargeIns.first?.turn == 2)
        // Each reply plays after its turn end, on the agent's channel: the bot stream is loud inside
        // play.start…play.stop and silent outside the replies.
        let bot = try SessionArchive(path: out).decodedAudio(.bot)
        let starts = outcome.events.filter { $0.kind == .playStart }, stops = outcome.events.filter { $0.kind == .playStop }
        #expect(starts.count == 3 && stops.count == 3)
        func level(_ from: Int64, _ to: Int64) -> Int {
            let a = Int(from * 16 / 1000), b = min(bot.count, Int(to * 16 / 1000))
            return a < b ? bot[a..<b].reduce(0) { $0 + abs(Int($1)) } / (b - a) : 0
        }
        for (start, stop) in zip(starts, stops) {
            #expect(level(start.time.microseconds, stop.time.microseconds) > 200, "\(start.canonicalLine)")
            #expect(level(start.time.microseconds - 500_000, start.time.microseconds) < 20, "\(start.canonicalLine)")
        }
        #expect(try ArchiveVerifier().verify(path: out).isEmpty)
    }
}


extension JSONValue {
    /// The members, if the value is an object (test helper).
    var objectValue: [String: JSONValue]? { if case .object(let m) = self { return m }; return nil }
}
