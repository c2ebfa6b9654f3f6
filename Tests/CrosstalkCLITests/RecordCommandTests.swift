import Core
import Foundation
import GRDB
import LiveTestSupport
import Recorder
import Testing

@Suite(.serialized) struct RecordCommandTests {
    /// One user turn as a pipeline would report it: 3 s of mic, 2.4 s of bot, VAD rows, events.
    private struct Session {
        var events: [(Int64, String, JSONValue)] = [
            (200_000, "vad.start", ["onset_us": 140_000]),
            (1_200_000, "vad.stop", ["speech_end_us": 1_000_000]),
            (1_300_000, "stt.final", ["text": "book a table", "audio_end_us": 1_000_000]),
            (1_500_000, "turn.end", ["reason": "silence", "waited_ms": 500, "transcript": "book a table", "speech_end_us": 1_000_000]),
            (1_800_000, "play.start", [:]),
            (2_400_000, "play.stop", ["reason": "done", "heard_text": "sure"]),
        ]
        var micFrames = 150
        var botFrames = 120

        /// The lines in time order, frame by frame.
        var lines: [String] {
            var lines: [String] = []
            var next = 0
            for frame in 0..<micFrames {
                lines.append(Live.audio("mic", frame, Live.tone(frame: frame)))
                lines.append(Live.vad(frame, prob: frame % 2 == 0 ? 0.9 : 0.1, speech: frame >= 7 && frame < 50))
                if frame < botFrames { lines.append(Live.audio("bot", frame, Live.tone(frame: frame, pitch: 330))) }
                while next < events.count, events[next].0 < Int64(frame + 1) * 20_000 {
                    lines.append(Live.event(events[next].0, events[next].1, data: events[next].2))
                    next += 1
                }
            }
            return lines
        }
    }

    private func temp(_ name: String) throws -> String {
        try CLIHarness.tempDir().appendingPathComponent(name).path
    }

    @Test func aStreamedSessionIsArchivedAndWorksWithTheOtherCommands() throws {
        let out = try temp("live.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello(name: "booking"))
        let hello = try JSONParser.parse(try #require(client.readLine()))
        #expect(hello["ok"] == true && hello["codec"] == "pcm16" && hello["samples_per_frame"] == 320)
        let session = Session()
        for line in session.lines { client.send(line) }
        client.send(Live.end)
        let replies = client.readAll()
        #expect(replies.count == 1, "\(replies)")
        let summary = try JSONParser.parse(try #require(replies.last))
        #expect(summary["ok"] == true && summary["events"] == 6 && summary["frames"] == 270 && summary["vad"] == 150
            && summary["rejected"] == 0, "\(summary)")
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wrote \(out): session "), "\(result.stdout)")

        let archive = try SessionArchive(path: out)
        #expect(archive.meta["source"] == "live" && archive.meta["scenario_name"] == "booking")
        let events = try archive.events()
        #expect(events.map(\.kind.rawValue) == session.events.map(\.1) + ["session.end"])
        #expect(events.dropLast().map(\.time.microseconds) == session.events.map(\.0))
        #expect(events.dropLast().map(\.data) == session.events.map(\.2))
        #expect(try archive.decodedAudio(.mic) == (0..<150).flatMap { Live.tone(frame: $0) })
        #expect(try archive.decodedAudio(.bot) == (0..<120).flatMap { Live.tone(frame: $0, pitch: 330) })
        #expect(try archive.vadFrames().count == 150)

        let verify = try CLIHarness.run(["verify", out])
        #expect(verify.status == 0 && verify.stdout.contains("ok"), "\(verify.stdout)\(verify.stderr)")
        let report = try CLIHarness.run(["report", out, "--json"])
        #expect(report.status == 0, "\(report.stderr)")
        let metrics = try JSONParser.parse(report.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(metrics["turns"]?.arrayValue?.count == 1, "\(report.stdout)")
        let wav = try temp("live.wav")
        let export = try CLIHarness.run(["export", out, "--wav", wav])
        #expect(export.status == 0, "\(export.stderr)")
        // 3 s of stereo 16-bit samples after a 44-byte header: the mic went to the left channel.
        let size = try FileManager.default.attributesOfItem(atPath: wav)[.size] as? Int
        #expect(size == 44 + 150 * 320 * 4)
        let inspect = try CLIHarness.run(["inspect", out, "--render", "--width", "100", "--height", "30"])
        #expect(inspect.status == 0 && inspect.stdout.contains("booking"), "\(inspect.stderr)")
        // A live archive replays in one step: exactly, then with other settings, and is swept.
        let replay = try CLIHarness.run(["replay", out])
        #expect(replay.status == 0 && replay.stdout.contains("reproduced exactly"), "\(replay.stdout)\(replay.stderr)")
        let changed = try temp("live-900.ctk")
        let counterfactual = try CLIHarness.run(["replay", out, "--set", "pipeline.endpointing.silence_ms=900", "-o", changed, "--json"])
        #expect(counterfactual.status == 0, "\(counterfactual.stderr)")
        let reverify = try CLIHarness.run(["verify", changed])
        #expect(reverify.status == 0, "\(reverify.stdout)\(reverify.stderr)")
        let again = try CLIHarness.run(["replay", changed])
        #expect(again.status == 0 && again.stdout.contains("reproduced exactly"), "\(again.stdout)\(again.stderr)")
        let replayed = try SessionArchive(path: changed)
        #expect(replayed.meta["recorded_session"] == "live" && replayed.meta["parent_session_id"] == archive.meta["session_id"])
        #expect(try replayed.frameCount(.mic) == 150)
        #expect(try replayed.vadFrames() == archive.vadFrames())
        // The reply (its audio between play.start 1.8 s and play.stop 2.4 s) moved with its turn end, +400 ms.
        let recordedBot = try archive.decodedAudio(.bot), movedBot = try replayed.decodedAudio(.bot)
        #expect(movedBot.count == 150 * 320)
        #expect(Array(movedBot[(110 * 320)..<(140 * 320)]) == Array(recordedBot[(90 * 320)..<(120 * 320)]))
        #expect(movedBot[..<(110 * 320)].allSatisfy { $0 == 0 } && movedBot[(140 * 320)...].allSatisfy { $0 == 0 })
        let sweep = try CLIHarness.run(["sweep", out, "--param", "pipeline.endpointing.silence_ms=300:900:300"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let retime = try CLIHarness.run(["replay", out, "--retime", "llm.ttft_ms=-100"])
        #expect(retime.status == 2 && retime.stderr.contains("--retime needs a simulated or imported session"), "\(retime.stderr)")
    }

    /// Issue 10: a real pipeline's shape: mic in 10 ms chunks, bot audio at 24 kHz in 40 ms chunks only
    /// while the bot speaks, Silero-like VAD rows every 32 ms by time, `llm.request` pushed just before
    /// the `turn.end` that caused it, and the pipeline's settings in the hello.
    @Test func aPipelineSendingChunksAtItsOwnRatesIsRecordedAndReplaysFromItsOwnSettings() throws {
        let out = try temp("pipeline.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello(extra: [
            "stream_rates": ["bot": 24000], "settings": ["pipeline.endpointing.silence_ms": 300, "pipeline.bargein.mode": "vad"],
        ]))
        _ = client.readLine()
        let speaking = 200_000..<1_000_000
        let botTone = (0..<(24 * 600)).map { Int16(5000 * sin(2 * Double.pi * 300 * Double($0) / 24000)) }
        var vadRow = 0
        for chunk in 0..<300 {  // 3 s of mic in 10 ms chunks
            let t = Int64(chunk) * 10_000
            let samples = (0..<160).map { k in speaking.contains(Int(t)) ? Int16(4000 * sin(Double(chunk * 160 + k) / 3)) : Int16(k % 3) }
            client.send(Live.chunk("mic", samples))
            while Int64(vadRow) * 32_000 <= t {
                let at = vadRow * 32_000
                client.send(Live.vad(timeUs: Int64(at), prob: speaking.contains(at) ? 0.95 : 0.05, speech: (224_000..<1_200_000).contains(at)))
                vadRow += 1
            }
            switch t {
            case 200_000: client.send(Live.event(224_000, "vad.start", data: ["onset_us": 200_000]))
            case 1_200_000:
                client.send(Live.event(1_200_000, "vad.stop", data: ["speech_end_us": 1_000_000]))
                client.send(Live.event(1_200_000, "eot.prediction", data: ["probability": .double(0.91), "outcome": "complete", "threshold": .double(0.5), "inference_ms": 40]))
            case 1_300_000: client.send(Live.event(1_300_000, "stt.final", data: ["text": "book a table", "audio_end_us": 1_000_000]))
            case 1_500_000:
                client.send(Live.event(1_500_100, "llm.request"))
                client.send(Live.event(1_500_000, "turn.end", data: ["reason": "smart_turn", "transcript": "book a table", "speech_end_us": 1_000_000]))
            case 1_800_000: client.send(Live.event(1_800_000, "play.start"))
            case 2_400_000: client.send(Live.event(2_400_000, "play.stop", data: ["reason": "done", "heard_text": "sure"]))
            default: break
            }
            if (1_800_000..<2_400_000).contains(t), t % 40_000 == 0 {
                let start = Int((t - 1_800_000) / 1000) * 24
                client.send(Live.chunk("bot", Array(botTone[start..<(start + 960)]), timeUs: t, rate: 24000))
            }
        }
        client.send(Live.end)
        let replies = client.readAll().map { try? JSONParser.parse($0) }
        let summary = try #require(replies.last ?? nil)
        #expect(summary["ok"] == true && summary["rejected"] == 0 && summary["streams"] == ["mic": 150, "bot": 150], "\(replies)")
        #expect(recorder.finish().status == 0)

        let archive = try SessionArchive(path: out)
        #expect(archive.meta["recorded_settings"] == #"{"pipeline.bargein.mode":"vad","pipeline.endpointing.silence_ms":300}"#)
        #expect(archive.meta["stream_rates"] == #"{"bot":24000}"#)
        let events = try archive.events()
        #expect(events.map(\.kind) == [.vadStart, .vadStop, .eotPrediction, .sttFinal, .turnEnd, .llmRequest, .playStart, .playStop, .sessionEnd])
        let bot = try archive.decodedAudio(.bot)
        #expect(bot.count == 150 * 320)
        #expect(bot[0..<(90 * 320)].allSatisfy { $0 == 0 }, "silence before the bot spoke")
        #expect(bot[(90 * 320)..<(120 * 320)].contains { abs($0) > 3000 }, "the bot's 600 ms, resampled")
        #expect(bot[(120 * 320)...].allSatisfy { $0 == 0 })
        let vad = try archive.vadFrames()
        #expect(vad.count == 150)
        // Frame 11 (220 ms) starts before the 224 ms row: silence; frame 12 (240 ms) is speech; frame 60
        // (1.2 s) is still under the 1.184 s row, frame 61 (1.22 s) under the 1.216 s one.
        #expect(vad[11].speech == false && vad[12].speech == true && vad[60].speech == true && vad[61].speech == false)
        #expect(try CLIHarness.run(["verify", out]).status == 0)
        // The replay starts from the recorded settings: asking for them again changes nothing …
        let same = try CLIHarness.run(["replay", out, "--set", "pipeline.endpointing.silence_ms=300", "--json"])
        #expect(same.status == 0, "\(same.stderr)")
        let exact = try CLIHarness.run(["replay", out])
        #expect(exact.status == 0 && exact.stdout.contains("reproduced exactly"), "\(exact.stdout)\(exact.stderr)")
        // … while this build's default (500 ms) is a change the replay reports.
        let other = try CLIHarness.run(["replay", out, "--set", "pipeline.endpointing.silence_ms=500"])
        #expect(other.status == 0 && !other.stdout.contains("reproduced exactly"), "\(other.stdout)\(other.stderr)")
        let otherJSON = try CLIHarness.run(["replay", out, "--set", "pipeline.endpointing.silence_ms=500", "--json"])
        #expect(same.stdout != otherJSON.stdout)
        // A recorded_settings the build cannot read (edited, or from another version): one line, exit 2.
        for (value, problem) in [
            ("not json", "meta 'recorded_settings' is not a JSON object"),
            (#"{"pipeline.endpointing.silence_ms":"soon"}"#, "the recorded settings do not load in this build (--set pipeline.endpointing.silence_ms: "),
            (#"{"pipeline.endpointing.silense_ms":300}"#, "unknown key"),
        ] {
            let edited = try temp("edited-settings.ctk")
            try? FileManager.default.removeItem(atPath: edited)
            try FileManager.default.copyItem(atPath: out, toPath: edited)
            try DatabaseQueue(path: edited).write {
                try $0.execute(sql: "UPDATE meta SET value = ? WHERE key = 'recorded_settings'", arguments: [value])
            }
            let refused = try CLIHarness.run(["replay", edited])
            #expect(refused.status == 2 && refused.stderr.contains(problem), "\(value): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        }
    }

    /// `crosstalk record … | head -1`: the reader of stdout goes away after "listening on". Writing the
    /// session's line used to trap in Foundation (broken pipe); the session must be recorded all the same.
    @Test func aClosedStdoutDoesNotLoseTheSession() throws {
        let out = try temp("no-stdout.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        recorder.closeStdout()
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        _ = client.readLine()
        for line in Session().lines { client.send(line) }
        client.send(Live.end)
        let replies = client.readAll()
        #expect(try JSONParser.parse(try #require(replies.last))["ok"] == true, "\(replies)")
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        #expect(try SessionArchive(path: out).frameCount(.mic) == 150)
    }

    /// Issue 10: `end` read together with rows not yet committed, more than a second after the last
    /// commit, trapped (`checkpoint(at:) after finish()`). Everything is sent in one write, no idle gap.
    @Test func rowsAndEndInOneWriteAfterASecondWithoutACommitFinishTheSession() throws {
        let out = try temp("burst.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        _ = client.readLine()
        let silence = [Int16](repeating: 0, count: 320)
        var burst: [UInt8] = []
        for f in 0..<30_000 { burst += Array(Live.audio("mic", f, silence).utf8) + [0x0A] }
        burst += Array(Live.end.utf8) + [0x0A]
        client.sendRaw(burst)
        let replies = client.readAll()
        let summary = try JSONParser.parse(try #require(replies.last))
        #expect(summary["ok"] == true && summary["frames"] == 30_000, "\(replies)")
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SessionArchive(path: out).frameCount(.mic) == 30_000)
    }

    @Test func verifyWarnsWhenPipelineEventsCarryNoTurn() throws {
        let out = try temp("unturned.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        for f in 0..<50 { client.send(Live.audio("mic", f, Live.tone(frame: f))) }
        client.send(#"{"type":"event","t_us":200000,"kind":"vad.start","turn":null}"#)
        client.send(#"{"type":"event","t_us":600000,"kind":"vad.stop"}"#)
        client.send(Live.event(900_000, "turn.end"))
        client.send(Live.end)
        _ = client.readAll()
        #expect(recorder.finish().status == 0)
        let verify = try CLIHarness.run(["verify", out])
        #expect(verify.status == 0 && verify.stdout.contains("ok"), "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stderr.contains("warning: 2 pipeline events") && verify.stderr.contains("carry no turn"), "\(verify.stderr)")
        // Unlabelled: cut-offs unknown. QA's labels (read, not written) make them count.
        let unlabelled = try CLIHarness.run(["report", out])
        #expect(unlabelled.status == 0 && unlabelled.stdout.contains("cut-offs - (0 probable),"), "\(unlabelled.stdout)")
        let labels = try temp("labels.json")
        try #"{"caller":[{"start":0.1,"end":1.0,"text":"a table for four"}]}"#.write(toFile: labels, atomically: true, encoding: .utf8)
        let labelled = try CLIHarness.run(["report", out, "--caller-turns", labels])
        #expect(labelled.status == 0 && labelled.stdout.contains("cut-offs 1,") && labelled.stdout.contains("CUT-OFF"), "\(labelled.stdout)\(labelled.stderr)")
        try #"{"caller":[{"start":0.1,"end":"soon"}]}"#.write(toFile: labels, atomically: true, encoding: .utf8)
        let bad = try CLIHarness.run(["report", out, "--caller-turns", labels])
        #expect(bad.status == 2 && bad.stderr.contains(labels), "\(bad.stderr)")
        #expect(try SessionArchive(path: out).events().allSatisfy { !$0.kind.rawValue.hasPrefix("caller.") })
        let quiet = try CLIHarness.run(["verify", CLIHarness.root.appendingPathComponent("sessions/samples/barge-in.ctk").path])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    /// QA's labels reach every command that reports on a recorded session: replay, sweep, inspect.
    @Test func callerLabelsAreTheGroundTruthOfReplaysSweepsAndTheInspector() throws {
        let out = try temp("labelled.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        for line in Session().lines { client.send(line) }
        client.send(Live.end)
        _ = client.readAll()
        #expect(recorder.finish().status == 0)
        // The caller kept talking until 2.2 s: the recorded turn end at 1.5 s cut them off.
        let labels = try temp("caller.json")
        try #"{"caller":[{"start":0.14,"end":2.2,"text":"book a table for four please"}]}"#.write(toFile: labels, atomically: true, encoding: .utf8)
        func summary(_ arguments: [String]) throws -> JSONValue? {
            let json = arguments.first == "sweep" ? try temp("sweep.json") : nil
            let run = try CLIHarness.run(arguments + (json.map { ["--json", $0, "--force"] } ?? ["--json"]))
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let text = try json.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? run.stdout
            return try JSONParser.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let plain = try summary(["replay", out, "--set", "pipeline.endpointing.silence_ms=900"])
        #expect(plain?["diff"]?["before"]?["cut_offs"] == .null, "\(String(describing: plain))")
        let labelled = try summary(["replay", out, "--set", "pipeline.endpointing.silence_ms=900", "--caller-turns", labels])
        #expect(labelled?["diff"]?["before"]?["cut_offs"] == 1, "\(String(describing: labelled))")
        #expect(labelled?["diff"]?["after"]?["cut_offs"] != .null)
        let sweep = try summary(["sweep", out, "--param", "pipeline.endpointing.silence_ms=300:900:600", "--caller-turns", labels])
        let points = sweep?["points"]?.arrayValue ?? []
        #expect(points.count == 2 && points.allSatisfy { $0["caller_turns"] == 1 }, "\(String(describing: sweep))")
        let unlabelledSweep = try summary(["sweep", out, "--param", "pipeline.endpointing.silence_ms=300:900:600"])
        #expect(unlabelledSweep?["points"]?.arrayValue?.allSatisfy { $0["caller_turns"] == 0 } == true, "\(String(describing: unlabelledSweep))")
        let mismatch = try CLIHarness.run(["sweep", out, "--param", "pipeline.endpointing.silence_ms=300:900:600", "--caller-turns", labels, "--caller-turns", labels])
        #expect(mismatch.status == 2 && mismatch.stderr.contains("one labels file per archive"), "\(mismatch.stderr)")
        let inspect = try CLIHarness.run(["inspect", out, "--render", "--caller-turns", labels])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        try "{".write(toFile: labels, atomically: true, encoding: .utf8)
        for command in [["replay", out], ["inspect", out, "--render"]] {
            let bad = try CLIHarness.run(command + ["--caller-turns", labels])
            #expect(bad.status == 2 && bad.stderr.contains(labels) && bad.stderr.split(separator: "\n").count == 1, "\(command): \(bad.stderr)")
        }
    }

    @Test func everyBadLineGetsAnErrorNamingItAndTheArchiveHoldsOnlyTheGoodOnes() throws {
        let out = try temp("bad.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.event(0, "vad.start"))                              // 1: before hello
        client.send(Live.hello())                                            // 2
        client.send(Live.audio("mic", 0, Live.tone(frame: 0)))               // 3
        client.send(Live.event(1_500_000, "vad.start"))                      // 4
        client.send(Live.event(400_000, "vad.stop"))                         // 5: 1.1 s earlier than 4
        client.send(Live.audio("mic", 2, Live.tone(frame: 2)))               // 6: gap
        client.send(Live.audio("mic", 0, Live.tone(frame: 0)))               // 7: duplicate
        client.send(Live.audio("mic", 1, Array(Live.tone(frame: 1).prefix(300))))  // 8: short frame
        client.send(Live.event(600_000, "llm.thinking"))                     // 9: unknown kind
        client.send(#"{"type":"event","t_us":600000,"#)                      // 10: malformed
        client.send(String(repeating: "x", count: (1 << 20) + 1))             // 11: oversized
        client.send(#"{"type":"video","frame":1}"#)                          // 12: unknown type
        client.sendRaw([0x7B, 0xC3, 0x28, 0x7D, 0x0A])                       // 13: invalid UTF-8
        client.send(Live.vad(0, prob: 0.5, speech: true))                    // 14
        client.send(Live.vad(1, prob: 0.5, speech: true))                    // 15: mic frame 1 not there yet
        client.send(Live.audio("mic", 1, Live.tone(frame: 1)))               // 16
        client.send(Live.vad(1, prob: 0.5, speech: true))                    // 17
        client.send(Live.end)                                                // 18
        let replies = try client.readAll().map { try JSONParser.parse($0) }
        let errors = replies.compactMap { reply -> String? in
            guard let message = reply["error"]?.stringValue, let line = reply["line"]?.intValue else { return nil }
            return "\(line): \(message)"
        }
        let expected = [
            "1: expected hello first, got event",
            "5: event: t_us 400000 is more than 1000000 µs earlier than the latest event's t_us 1500000 (events may arrive at most 1000000 µs out of order)",
            "6: audio: mic frame 2 skips frame 1 (frames of a stream run 0, 1, 2, … without gaps)",
            "7: audio: mic frame 0 is a duplicate or out of order (the next mic frame is 1)",
            "8: audio: mic frame 1 holds 300 samples, expected 320 (16000 Hz × 20 ms)",
            "9: event: unknown kind \"llm.thinking\" (expected one of " + EventKind.allCases.filter { $0 != .sessionEnd }.map(\.rawValue).joined(separator: ", ") + ")",
            "10: invalid JSON at byte 30: expected a key",
            "11: line is longer than 1048576 bytes; it was skipped",
            "12: unknown type \"video\" (expected one of hello, event, audio, vad, end)",
            "13: line is not valid UTF-8",
            "15: vad: frame 1 describes a mic frame not received yet (1 mic frames so far); send the mic frame first",
        ]
        #expect(errors == expected)
        #expect(replies.first?["ok"] == nil && replies.dropFirst().first?["ok"] == true)
        let summary = try #require(replies.last)
        #expect(summary["ok"] == true && summary["rejected"] == 11 && summary["frames"] == 2 && summary["events"] == 1, "\(summary)")
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("rejected line 6: audio: mic frame 2 skips frame 1"), "\(result.stderr)")

        let archive = try SessionArchive(path: out)
        let events = try archive.events()
        #expect(events.map(\.kind) == [.vadStart, .sessionEnd])
        #expect(events.first?.time == SimInstant(microseconds: 1_500_000))
        #expect(events.last?.data["rejected_lines"] == 11)
        #expect(try archive.decodedAudio(.mic) == Live.tone(frame: 0) + Live.tone(frame: 1))
        #expect(try archive.vadFrames().map(\.frame) == [0, 1])
        #expect(try CLIHarness.run(["verify", out]).status == 0)
    }

    @Test func aClientThatDisconnectsWithoutEndLeavesAValidArchive() throws {
        let out = try temp("cut.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        do {
            let client = try LineClient(port: recorder.port)
            client.send(Live.hello(codec: "opus"))
            _ = client.readLine()
            var session = Session()
            session.micFrames = 80  // the pipeline dies 1.6 s in
            for line in session.lines { client.send(line) }
        }  // closed without end
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("disconnected without end; finishing \(out) with everything received"), "\(result.stderr)")
        #expect(result.stdout.contains("ended by disconnected"), "\(result.stdout)")
        let archive = try SessionArchive(path: out)
        #expect(try archive.frameCount(.mic) == 80 && archive.frameCount(.bot) == 80)
        let events = try archive.events()
        #expect(events.map(\.kind) == [.vadStart, .vadStop, .sttFinal, .turnEnd, .sessionEnd])
        #expect(events.last?.data["reason"] == "disconnected")
        #expect(events.last?.time == SimInstant(microseconds: 1_600_000))
        let verify = try CLIHarness.run(["verify", out])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func aRecorderKilledMidSessionLeavesAReadableArchive() throws {
        let out = try temp("killed.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        _ = client.readLine()
        client.send(Live.event(100_000, "vad.start"))
        // 1.6 s of mic audio: the event is more than the reorder window (1 s) behind it, so it is written.
        for frame in 0..<80 { client.send(Live.audio("mic", frame, Live.tone(frame: frame))) }
        // The connection goes quiet: what arrived is committed (within 0.2 s; allow for a busy
        // machine) into killed.ctk.partial, renamed to killed.ctk only when the session ends.
        let partial = out + ".partial"
        var committed = 0
        for _ in 0..<100 where committed < 80 {
            Thread.sleep(forTimeInterval: 0.05)
            committed = (try? SessionArchive(path: partial).frameCount(.mic)) ?? 0
        }
        kill(recorder.process.processIdentifier, SIGKILL)
        _ = recorder.finish()
        #expect(!FileManager.default.fileExists(atPath: out))
        let verify = try CLIHarness.run(["verify", partial])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let archive = try SessionArchive(path: partial)
        #expect(try archive.frameCount(.mic) == 80)
        #expect(try archive.events().map(\.kind) == [.vadStart])
    }

    @Test func ctrlCFinishesTheSessionInProgress() throws {
        let out = try temp("interrupted.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = try LineClient(port: recorder.port)
        client.send(Live.hello())
        _ = client.readLine()
        for frame in 0..<10 { client.send(Live.audio("mic", frame, Live.tone(frame: frame))) }
        Thread.sleep(forTimeInterval: 0.5)
        recorder.process.interrupt()
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(client.readLine() == nil)  // the recorder closed the connection
        let archive = try SessionArchive(path: out)
        #expect(try archive.events().last?.data["reason"] == "interrupted")
        #expect(try archive.frameCount(.mic) == 10)
        #expect(try CLIHarness.run(["verify", out]).status == 0)
    }

    @Test func aSecondClientIsToldTheRecorderIsBusyAndAnEmptyConnectionDoesNotCount() throws {
        let out = try temp("busy.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        do {
            let probe = try LineClient(port: recorder.port)  // connects and leaves without a word
            probe.shutdownWrite()
            #expect(probe.readLine() == nil)
        }
        let first = try LineClient(port: recorder.port)
        first.send(Live.hello())
        #expect(first.readLine()?.contains(#""ok":true"#) == true)
        let second = try LineClient(port: recorder.port)
        let busy = try JSONParser.parse(try #require(second.readLine()))
        #expect(busy["error"]?.stringValue?.hasPrefix("busy: crosstalk is recording") == true, "\(busy)")
        first.send(Live.end)
        #expect(first.readLine()?.contains(#""type":"end""#) == true)
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("closed before a hello; nothing recorded"), "\(result.stderr)")
        #expect(result.stderr.contains("refused, busy with"), "\(result.stderr)")
    }

    @Test func withoutOnceLaterSessionsGoToNumberedArchivesUntilCtrlC() throws {
        let out = try temp("calls.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out])
        for frames in [5, 7] {
            let client = try LineClient(port: recorder.port)
            client.send(Live.hello())
            for frame in 0..<frames { client.send(Live.audio("mic", frame, Live.tone(frame: frame))) }
            client.send(Live.end)
            #expect(client.readAll().count == 2)
        }
        recorder.process.interrupt()
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let second = out.replacingOccurrences(of: "calls.ctk", with: "calls-2.ctk")
        #expect(result.stdout.contains("wrote \(out): ") && result.stdout.contains("wrote \(second): "), "\(result.stdout)")
        #expect(try SessionArchive(path: out).frameCount(.mic) == 5)
        #expect(try SessionArchive(path: second).frameCount(.mic) == 7)
    }

    @Test func aConnectionThatNeverCompletesItsHelloIsClosedAndTheWaitingPipelineIsServed() throws {
        let out = try temp("slow.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once", "--hello-timeout-s", "1"])
        let slow = try LineClient(port: recorder.port)
        slow.sendRaw(Array(#"{"type":"hel"#.utf8))  // a byte now and then, never a whole hello
        let pipeline = try LineClient(port: recorder.port)
        pipeline.send(Live.hello())
        let error = try JSONParser.parse(try #require(slow.readLine()))
        #expect(error == ["error": "hello timeout: no valid hello within 1 s of connecting; closing", "line": 0])
        #expect(slow.readLine() == nil)
        #expect(pipeline.readLine()?.contains(#""ok":true"#) == true)
        for frame in 0..<5 { pipeline.send(Live.audio("mic", frame, Live.tone(frame: frame))) }
        pipeline.send(Live.end)
        #expect(pipeline.readAll().last?.contains(#""frames":5"#) == true)
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no valid hello within 1 s; closing it (nothing recorded)"), "\(result.stderr)")
        #expect(try SessionArchive(path: out).frameCount(.mic) == 5)
    }

    @Test func aSessionWithoutALineForTheIdleTimeoutIsFinishedAndKeptAndTheRecorderGoesOn() throws {
        let out = try temp("idle.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--idle-timeout-s", "1"])
        let quiet = try LineClient(port: recorder.port)
        quiet.send(Live.hello())
        _ = quiet.readLine()
        for frame in 0..<10 { quiet.send(Live.audio("mic", frame, Live.tone(frame: frame))) }
        quiet.sendRaw(Array(#"{"type":"aud"#.utf8))  // then hangs mid-line
        let error = try JSONParser.parse(try #require(quiet.readLine()))
        #expect(error == [
            "error": .string("idle timeout: no complete line for 1 s; the session was finished and kept in \(out)"), "line": 0,
        ])
        #expect(quiet.readLine() == nil)
        let next = try LineClient(port: recorder.port)
        next.send(Live.hello())
        next.send(Live.end)
        #expect(next.readAll().count == 2)
        recorder.process.interrupt()
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wrote \(out): ") && result.stdout.contains("ended by idle_timeout"), "\(result.stdout)")
        let archive = try SessionArchive(path: out)
        #expect(try archive.frameCount(.mic) == 10)
        #expect(try archive.events().last?.data["reason"] == "idle_timeout")
        #expect(try CLIHarness.run(["verify", out]).status == 0)
        let second = out.replacingOccurrences(of: "idle.ctk", with: "idle-2.ctk")
        #expect(try SessionArchive(path: second).events().last?.data["reason"] == "end")
    }

    /// Issue 9: a pipeline that reconnects right after sending `end` (while the recorder is still
    /// reading and finishing the previous session) was told busy 85 times in 100.
    @Test func reconnectingRightAfterEndIsNeverToldBusy() throws {
        let out = try temp("again.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--hello-timeout-s", "120"])
        // 10 s of audio per session: more than one read, so the next client connects mid-session.
        let lines = [Live.hello()] + (0..<500).map { Live.audio("mic", $0, Live.tone(frame: $0)) } + [Live.end]
        let payload = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        var previous: LineClient?
        var replies: [[String]] = []
        for _ in 0..<20 {
            let client = try LineClient(port: recorder.port, timeout: 120)
            client.sendRaw(payload)
            if let previous { replies.append(previous.readAll()) }
            previous = client
        }
        if let previous { replies.append(previous.readAll()) }
        recorder.process.interrupt()
        let result = recorder.finish(timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("refused"), "\(result.stderr)")
        #expect(replies.count == 20)
        for (index, session) in replies.enumerated() {
            #expect(session.count == 2 && session.last?.contains(#""frames":500"#) == true, "session \(index + 1): \(session)")
        }
        #expect(result.stdout.components(separatedBy: "\nwrote ").count - 1 == 20, "\(result.stdout)")
    }

    @Test func listeningOnEveryInterfaceWarnsOnceAndLoopbackDoesNot() throws {
        let everywhere = try RecordProcess(["--listen", "0.0.0.0:0", "-o", try temp("any.ctk"), "--once"])
        everywhere.process.interrupt()
        let warned = everywhere.finish()
        let warnings = warned.stderr.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings == ["crosstalk record: warning: listening on 0.0.0.0:\(everywhere.port) (every interface): any machine "
            + "that can reach this one may connect and stream sessions, with no authentication; use 127.0.0.1 to accept only local pipelines"],
            "\(warned.stderr)")
        let local = try RecordProcess(["--listen", "127.0.0.1:0", "-o", try temp("local.ctk"), "--once"])
        local.process.interrupt()
        #expect(!local.finish().stderr.contains("warning"))
    }

    @Test(arguments: [
        (["--hello-timeout-s", "0"], "--hello-timeout-s must be more than 0 and at most 86400 seconds, got 0.0"),
        (["--idle-timeout-s=-5"], "--idle-timeout-s must be more than 0 and at most 86400 seconds, got -5.0"),
        (["--idle-timeout-s", "nan"], "--idle-timeout-s must be more than 0 and at most 86400 seconds, got nan"),
        (["--hello-timeout-s", "100000"], "--hello-timeout-s must be more than 0 and at most 86400 seconds, got 100000.0"),
    ])
    func aBadTimeoutIsRefused(option: [String], message: String) throws {
        let out = try temp("never.ctk")
        let result = try CLIHarness.run(["record", "--listen", "127.0.0.1:0", "-o", out, "--once"] + option)
        #expect(result.status == 2)
        #expect(result.stderr == "crosstalk: \(message)\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func anExistingOutputIsRefusedWithoutForce() throws {
        let out = try temp("exists.ctk")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out))
        let refused = try CLIHarness.run(["record", "--listen", "127.0.0.1:0", "-o", out, "--once"])
        #expect(refused.status == 2)
        #expect(refused.stderr == "crosstalk: \(out) exists; use --force to overwrite\n", "\(refused.stderr)")
        // With --force it listens; stopped before any session, it leaves the file alone and says so.
        let forced = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once", "--force"])
        forced.process.interrupt()
        let result = forced.finish()
        #expect(result.status == 2 && result.stderr.contains("stopped before any session was recorded"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: out) == Data("keep".utf8))
        let noDirectory = try CLIHarness.run(["record", "--listen", "127.0.0.1:0", "-o", "/nonexistent-dir/x.ctk"])
        #expect(noDirectory.status == 2 && noDirectory.stderr.contains("directory /nonexistent-dir does not exist"))
    }

    @Test(arguments: [
        ("nonsense", "nonsense: expected HOST:PORT, e.g. 127.0.0.1:7070"),
        ("127.0.0.1:99999", "127.0.0.1:99999: port '99999' is not a number in 0…65535"),
        ("127.0.0.1:", "127.0.0.1:: port '' is not a number in 0…65535"),
        ("example.com:80", "example.com:80: 'example.com' is not an IPv4 address"),
        ("192.0.2.1:7070", "192.0.2.1:7070: cannot listen: Cannot assign requested address"),
    ])
    func aBadListenAddressIsRefused(address: String, message: String) throws {
        let out = try temp("never.ctk")
        let result = try CLIHarness.run(["record", "--listen", address, "-o", out, "--once"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("crosstalk: \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aPortInUseIsRefused() throws {
        let first = try RecordProcess(["--listen", "127.0.0.1:0", "-o", try temp("a.ctk"), "--once"])
        let second = try CLIHarness.run(["record", "--listen", "127.0.0.1:\(first.port)", "-o", try temp("b.ctk"), "--once"])
        #expect(second.status == 2)
        #expect(second.stderr == "crosstalk: 127.0.0.1:\(first.port): cannot listen: Address already in use\n", "\(second.stderr)")
        first.process.interrupt()
        _ = first.finish()
    }

    @Test func theExamplePythonClientRecordsASession() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("python3 not found; skipping the example client")
            return
        }
        let out = try temp("example.ctk")
        let recorder = try RecordProcess(["--listen", "127.0.0.1:0", "-o", out, "--once"])
        let client = Process()
        client.executableURL = URL(fileURLWithPath: python)
        client.arguments = [CLIHarness.root.appendingPathComponent("examples/live_client.py").path, "--port", String(recorder.port)]
        let clientOut = Pipe()
        client.standardOutput = clientOut
        try client.run()
        let printed = String(decoding: clientOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "\(printed)")
        #expect(printed.contains(#""type": "end""#), "\(printed)")
        let result = recorder.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try CLIHarness.run(["verify", out]).status == 0)
        let report = try CLIHarness.run(["report", out])
        #expect(report.status == 0 && report.stdout.contains("summary: 1 turns"), "\(report.stdout)")
        let archive = try SessionArchive(path: out)
        #expect(try archive.packets(.mic).allSatisfy { $0.codec == "opus" })
        #expect(try archive.events().map(\.kind) == [.vadStart, .vadStop, .sttFinal, .turnEnd, .playStart, .playStop, .sessionEnd])
    }
}
