import Core
import Foundation
import GRDB
import Recorder
import Testing

@Suite(.serialized) struct SimulateCommandTests {
    /// Every event row and every stored audio packet, in a canonical order.
    func rows(_ path: String) throws -> (events: [String], audio: [String]) {
        let db = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try db.read { db in
            let events = try Row.fetchAll(db, sql: "SELECT seq, t_us, kind, turn, data FROM events ORDER BY seq").map { "\($0)" }
            let audio = try Row.fetchAll(db, sql: "SELECT stream, frame, t_us, codec, hex(data) FROM audio ORDER BY stream, frame").map { "\($0)" }
            return (events, audio)
        }
    }

    @Test func twoProcessesRecordByteIdenticalEventsAndAudio() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("a.ctk").path, b = dir.appendingPathComponent("b.ctk").path
        let ra = try CLIHarness.run(["simulate", CLIHarness.scenario("barge-in"), "-o", a])
        let rb = try CLIHarness.run(["simulate", CLIHarness.scenario("barge-in"), "-o", b])
        #expect(ra.status == 0, "\(ra.stderr)")
        #expect(rb.status == 0, "\(rb.stderr)")
        let (ea, aa) = try rows(a), (eb, ab) = try rows(b)
        #expect(ea.count > 50)
        #expect(ea == eb)
        #expect(aa.count > 300)
        #expect(aa == ab)
        // Same table (the last line names the output file, which differs).
        #expect(ra.stdout.split(separator: "\n").dropLast() == rb.stdout.split(separator: "\n").dropLast())
    }

    @Test func hesitationIsCutOffAt500msAndNotAt800ms() throws {
        let dir = try CLIHarness.tempDir()
        let cut = dir.appendingPathComponent("cut.ctk").path, ok = dir.appendingPathComponent("ok.ctk").path
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("hesitation"), "-o", cut]).status == 0)
        #expect(try CLIHarness.run(["simulate", CLIHarness.scenario("hesitation"), "-o", ok, "--set", "pipeline.endpointing.silence_ms=800"]).status == 0)
        let cutReport = try CLIHarness.run(["report", cut, "--json"])
        let okReport = try CLIHarness.run(["report", ok, "--json"])
        let cutJSON = try JSONParser.parse(cutReport.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let okJSON = try JSONParser.parse(okReport.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(cutJSON["summary"]?["cut_offs"]?.intValue == 1)
        #expect(okJSON["summary"]?["cut_offs"]?.intValue == 0)
        // The cut-off turn is the one with the pause, and the bot did answer the whole sentence later.
        let turns = cutJSON["turns"]?.arrayValue ?? []
        #expect(turns.contains { $0["cut_off"]?.boolValue == true && $0["caller_turn"]?.intValue == 2 })
        #expect(okJSON["summary"]?["unanswered_caller_turns"]?.intValue == 0)
    }

    @Test func bundledScenariosShowTheirProblem() throws {
        let dir = try CLIHarness.tempDir()
        func summary(_ name: String) throws -> JSONValue {
            let r = try CLIHarness.run(["simulate", CLIHarness.scenario(name), "--json"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            return try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        _ = dir
        let echo = try summary("echo")
        #expect((echo["summary"]?["self_interruptions"]?.intValue ?? 0) >= 1, "echo without AEC: the bot interrupts itself")
        let barge = try summary("barge-in")
        #expect(barge["summary"]?["barge_ins"]?.intValue == 1)
        let slow = try summary("slow-cloud")
        #expect((slow["summary"]?["voice_to_voice_p50_ms"]?.intValue ?? 0) > 1000, "India→US round trips push voice-to-voice past 1 s")
        let happy = try summary("happy-path")
        let p90 = happy["summary"]?["voice_to_voice_p90_ms"]?.intValue ?? 0
        #expect(p90 > 0 && p90 < 1000)
        #expect(happy["summary"]?["cut_offs"]?.intValue == 0 && happy["summary"]?["barge_ins"]?.intValue == 0)
        let noisy = try summary("noisy-line")
        #expect(noisy["summary"]?["unanswered_caller_turns"]?.intValue == 0)
    }

    @Test func aBargeInDuringGenerationCancelsTheLanguageModelAndSpeech() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("slow.ctk").path
        let r = try CLIHarness.run(["simulate", CLIHarness.scenario("barge-in"), "--set", "pipeline.llm.tokens_per_second=6", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try DatabaseQueue(path: out).read { db in
            try Row.fetchAll(db, sql: "SELECT t_us, kind, turn FROM events ORDER BY seq").map { (t: $0[0] as Int64, kind: $0[1] as String, turn: $0[2] as Int?) }
        }
        let barge = rows.first { $0.kind == "bargein" }
        let cancels = rows.filter { $0.kind == "llm.cancel" || $0.kind == "tts.cancel" }
        #expect(barge != nil && cancels.count == 2, "\(cancels)")
        #expect(cancels.allSatisfy { $0.t == barge?.t && $0.turn == barge?.turn })
        // Nothing of the cancelled turn is generated afterwards.
        let after = rows.filter { ($0.kind == "llm.token" || $0.kind == "tts.chunk") && $0.turn == barge?.turn && $0.t > (barge?.t ?? 0) }
        #expect(after.isEmpty, "\(after)")
    }
}
