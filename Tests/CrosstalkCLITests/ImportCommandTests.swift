import Core
import Foundation
import GRDB
import Recorder
import Testing

/// `crosstalk import` on the bundled call recording (sessions/calls/booking-call.flac: caller left,
/// bot right; the caller pauses 700 ms inside turn 2 and talks over the end of the second reply).
@Suite(.serialized) struct ImportCommandTests {
    static let call = CLIHarness.root.appendingPathComponent("sessions/calls/booking-call.flac").path
    static let transcript = CLIHarness.root.appendingPathComponent("sessions/calls/booking-call.json").path

    /// The recorded start of each bot reply, from the transcript, on the 20 ms frame grid.
    static func recordedReplyStarts() throws -> [Int64] {
        let t = try CallTranscript.read(path: transcript)
        return t.bot.map { $0.start!.microseconds / 20_000 * 20_000 }
    }

    static func events(_ archive: String, kind: EventKind) throws -> [(t: Int64, turn: Int?, data: String)] {
        let db = try DatabaseQueue(path: archive)
        defer { try? db.close() }
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT t_us, turn, data FROM events WHERE kind = ? ORDER BY seq", arguments: [kind.rawValue])
                .map { ($0["t_us"], $0["turn"], $0["data"]) }
        }
    }

    @Test func aTwoChannelCallWithItsTranscript() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("call.ctk").path
        let r = try CLIHarness.run(["import", Self.call, "--caller-channel", "0", "--bot-channel", "1", "--transcript", Self.transcript, "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 caller turns, 3 recorded bot replies"))
        // At the default 500 ms the endpointer cuts the caller off inside the 700 ms pause; the
        // recorded bot did not answer there.
        let turnRows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("   2 ") }
        #expect(turnRows.first?.contains("CUT-OFF") == true, "\(r.stdout)")
        // The bot's replies play where the recording has them.
        #expect(try Self.events(a, kind: .playStart).map(\.t) == Self.recordedReplyStarts())
        #expect(try CLIHarness.run(["verify", a]).status == 0)

        // Exact replay from the archive alone.
        let exact = try CLIHarness.run(["replay", a])
        #expect(exact.status == 0 && exact.stdout.contains("reproduced exactly"), "\(exact.stdout) \(exact.stderr)")

        // What would 800 ms endpointing have done on this call? The cut-off goes, and every reply
        // moves with its turn.end by the same 300 ms.
        let b = dir.appendingPathComponent("call-800.ctk").path
        let cf = try CLIHarness.run(["replay", a, "--set", "pipeline.endpointing.silence_ms=800", "-o", b])
        #expect(cf.status == 0, "\(cf.stderr)")
        #expect(cf.stdout.contains("cut-off gone"), "\(cf.stdout)")
        #expect(cf.stdout.contains("turns merged"))
        #expect(try Self.events(b, kind: .playStart).map(\.t) == Self.recordedReplyStarts().map { $0 + 300_000 })
        // The replayed archive is an imported call too: it replays exactly and refuses resimulation.
        #expect(try CLIHarness.run(["replay", b]).status == 0)
        let re = try CLIHarness.run(["resimulate", b, "-o", dir.appendingPathComponent("x.ctk").path])
        #expect(re.status == 2 && re.stderr.contains("imported call"), "\(re.stderr)")
    }

    /// The transcript knows when the real pipeline ended each turn (`turn_end` on a bot reply): each
    /// reply then follows Crosstalk's turn end by the real pipeline's own latency (here 588, 680 and
    /// 500 ms on the frame grid), not by whatever separated it from Crosstalk's turn end in the import.
    @Test func repliesKeepTheRealPipelinesLatencyWhenItsTurnEndsAreKnown() throws {
        let dir = try CLIHarness.tempDir()
        var json = try JSONParser.parse(try String(contentsOfFile: Self.transcript, encoding: .utf8))
        let realEnds: [Int64] = [3_552_000, 10_577_000, 15_648_000]
        guard case .object(var members) = json, var bot = members["bot"]?.arrayValue else { Issue.record("transcript shape"); return }
        for i in bot.indices {
            guard case .object(var entry) = bot[i] else { continue }
            entry["turn_end"] = .double(Double(realEnds[i]) / 1_000_000)
            bot[i] = .object(entry)
        }
        members["bot"] = .array(bot)
        json = .object(members)
        let transcript = dir.appendingPathComponent("with-turn-ends.json").path
        try json.canonicalText.write(toFile: transcript, atomically: true, encoding: .utf8)
        let a = dir.appendingPathComponent("anchored.ctk").path
        let r = try CLIHarness.run(["import", Self.call, "--caller-channel", "0", "--bot-channel", "1", "--transcript", transcript,
                                    "--set", "pipeline.endpointing.silence_ms=800", "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        let latencies = zip(try Self.recordedReplyStarts(), realEnds).map { $0 - $1 }
        let ends = try Self.events(a, kind: .turnEnd).map(\.t), plays = try Self.events(a, kind: .playStart).map(\.t)
        #expect(plays.count == 3)
        // Playback starts on the next 20 ms frame boundary at or after turn end + latency.
        for (play, latency) in zip(plays, latencies) {
            #expect(ends.contains { (0..<20_000).contains(play - latency - $0) }, "play.start \(play) is \(latency) µs after no turn.end of \(ends)")
        }
        // Anchored to Crosstalk's own probe instead (the old way), the first reply would have followed
        // its turn end by 80 ms (4.140 s − 4.060 s): the real pipeline's 588 ms are what it keeps.
        #expect(plays.first.map { $0 - ends[0] } == 600_000)
        #expect(try CLIHarness.run(["replay", a]).stdout.contains("reproduced exactly"))
        // A turn end after the reply it caused, or on a caller turn, is refused naming the entry.
        for (key, index, value, problem) in [("bot", 0, 5.0, "bot[0].turn_end 5.000 is after the reply's start"), ("caller", 1, 9.0, "caller[1].turn_end: only bot replies")] {
            guard case .object(var bad) = json, var list = bad[key]?.arrayValue, case .object(var entry) = list[index] else { continue }
            entry["turn_end"] = .double(value)
            list[index] = .object(entry)
            bad[key] = .array(list)
            let path = dir.appendingPathComponent("bad-\(key).json").path
            try JSONValue.object(bad).canonicalText.write(toFile: path, atomically: true, encoding: .utf8)
            let refused = try CLIHarness.run(["import", Self.call, "--bot-channel", "1", "--transcript", path, "-o", dir.appendingPathComponent("no.ctk").path])
            #expect(refused.status == 2 && refused.stderr.contains(problem), "\(refused.stderr)")
        }
    }

    @Test func withoutATranscriptPocketsphinxRecognizesTheCall() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("call.ctk").path
        let r = try CLIHarness.run(["import", Self.call, "--bot-channel", "1", "-o", a, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        // Caller turns found in the caller channel, grouped by the bot's replies.
        let starts = try Self.events(a, kind: .callerSpeechStart)
        #expect(starts.count == 3)
        let t = try CallTranscript.read(path: Self.transcript)
        for (found, truth) in zip(starts, t.caller) {
            #expect(abs(found.t - truth.start!.microseconds) <= 100_000, "speech found at \(found.t) µs, transcript says \(truth.start!)")
        }
        #expect(try Self.events(a, kind: .sttPartial).count > 0, "pocketsphinx produced partials")
        #expect(try Self.events(a, kind: .turnEnd).count >= 3)
        #expect(try CLIHarness.run(["replay", a]).stdout.contains("reproduced exactly"))
    }

    @Test func aCallerOnlyRecordingWithTheBotsRepliesAsText() throws {
        let dir = try CLIHarness.tempDir()
        let audio = try WAVReader.read(path: Self.call)
        let mono = dir.appendingPathComponent("caller.wav").path
        try WAVFile.write(mono, rate: audio.sampleRate, channels: [audio.channels[0]])
        let t = try CallTranscript.read(path: Self.transcript)
        let json: JSONValue = [
            "caller": .array(t.caller.map { ["start": .double(Double($0.start!.microseconds) / 1e6), "end": .double(Double($0.end!.microseconds) / 1e6), "text": .string($0.text)] }),
            "bot": .array(t.bot.map { ["text": .string($0.text)] }),
        ]
        let transcript = dir.appendingPathComponent("t.json").path
        try json.canonicalText.write(toFile: transcript, atomically: true, encoding: .utf8)
        let a = dir.appendingPathComponent("mono.ctk").path
        let r = try CLIHarness.run(["import", mono, "--transcript", transcript, "-o", a])
        #expect(r.status == 0, "\(r.stderr)")
        // The simulated bot answers with the given replies.
        let requests = try Self.events(a, kind: .llmRequest)
        #expect(requests.count >= 3)
        let tokens = try Self.events(a, kind: .llmToken).map(\.data)
        #expect(tokens.contains { $0.contains("\"Sure.\"") })
        #expect(try Self.events(a, kind: .playStart).count >= 3)
        #expect(try CLIHarness.run(["replay", a]).stdout.contains("reproduced exactly"))
    }

    @Test func badRecordingsAreOneLineAndExit2() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("x.ctk").path
        func run(_ args: [String]) throws -> CLIHarness.Result {
            let r = try CLIHarness.run(["import"] + args + ["-o", out])
            #expect(r.status == 2, "\(args): \(r.stdout) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "nothing written for \(args)")
            return r
        }
        let tone = (0..<16000).map { Int16(3000 * sin(Double($0) * 0.1)) }
        let mono = dir.appendingPathComponent("mono.wav").path
        try WAVFile.write(mono, rate: 16000, channels: [tone])
        #expect(try run([mono, "--bot-channel", "1"]).stderr.contains("has 1 channel, so --bot-channel 1 does not exist"))
        #expect(try run([mono, "--caller-channel", "3"]).stderr.contains("--caller-channel 3"))
        #expect(try run([mono, "--bot-channel", "0"]).stderr.contains("must differ"))
        let slow = dir.appendingPathComponent("slow.wav").path
        try WAVFile.write(slow, rate: 4000, channels: [tone])
        #expect(try run([slow]).stderr.contains("sample rate 4000 Hz is not supported"))
        let empty = dir.appendingPathComponent("empty.wav").path
        try WAVFile.write(empty, rate: 16000, channels: [[]])
        #expect(try run([empty]).stderr.contains("holds no audio"))
        let silent = dir.appendingPathComponent("silent.wav").path
        try WAVFile.write(silent, rate: 16000, channels: [[Int16](repeating: 0, count: 32000)])
        #expect(try run([silent]).stderr.contains("no caller speech found in channel 0"))
        #expect(try run([silent, "--transcript", "/dev/null/none.json"]).stderr.contains("none.json"))
        // A recording longer than the limit (a sparse file: 2.5 h of 8 kHz silence) is refused
        // from its header, before anything is read.
        let huge = dir.appendingPathComponent("huge.wav").path
        try WAVFile.write(huge, rate: 8000, channels: [[]], declaredFrames: 8000 * 9000)
        #expect(try run([huge]).stderr.contains("imports are limited to 120 minutes"))
        #expect(try run([dir.appendingPathComponent("missing.wav").path]).stderr.contains("missing.wav"))
        let bad = dir.appendingPathComponent("bad.json").path
        try #"{"caller": [{"start": "soon", "end": 1, "text": "hi"}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try run([Self.call, "--bot-channel", "1", "--transcript", bad]).stderr.contains("caller[0].start"))
        let notAudio = dir.appendingPathComponent("notes.wav").path
        try "not audio".write(toFile: notAudio, atomically: true, encoding: .utf8)
        _ = try run([notAudio])
        // An existing output is not overwritten without --force.
        try "keep".write(toFile: out, atomically: true, encoding: .utf8)
        let r = try CLIHarness.run(["import", Self.call, "--bot-channel", "1", "--transcript", Self.transcript, "-o", out])
        #expect(r.status == 2 && r.stderr.contains("exists"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep")
    }
}

/// Writes 16-bit PCM WAV files for tests (RIFF by hand, so a header can also lie about its length).
enum WAVFile {
    static func write(_ path: String, rate: Int, channels: [[Int16]], declaredFrames: Int? = nil) throws {
        let frames = channels.first?.count ?? 0
        let n = channels.count
        let dataBytes = (declaredFrames ?? frames) * n * 2
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(n); u32(rate); u32(rate * n * 2); u16(n * 2); u16(16)
        d.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for i in 0..<frames { for c in channels { withUnsafeBytes(of: c[i].littleEndian) { d.append(contentsOf: $0) } } }
        try d.write(to: URL(fileURLWithPath: path))
        if declaredFrames != nil {
            // Extend to the declared length without writing it (sparse).
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: UInt64(44 + dataBytes))
            try handle.close()
        }
    }
}
