import Core
import Foundation
import GRDB
import Testing

/// Sessions whose bot is a language model server (`pipeline.llm.engine: openai`).
@Suite(.serialized) struct LanguageModelCommandTests {
    static let scenario = CLIHarness.root.appendingPathComponent("sessions/live/llama-local.yaml").path
    static let server = ProcessInfo.processInfo.environment["CROSSTALK_LLM_BASE_URL"]

    static func events(_ archive: String, _ kind: EventKind) throws -> [(turn: Int?, data: JSONValue)] {
        let db = try DatabaseQueue(path: archive)
        defer { try? db.close() }
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT turn, data FROM events WHERE kind = ? ORDER BY seq", arguments: [kind.rawValue])
                .map { ($0["turn"], try JSONParser.parse($0["data"])) }
        }
    }

    @Test func aServerThatIsNotRunningIsOneLineAndExit2AndTheSessionIsKept() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("down.ctk").path
        let r = try CLIHarness.run(["simulate", Self.scenario, "--set", "pipeline.llm.base_url=http://127.0.0.1:9/v1", "-o", out])
        #expect(r.status == 2)
        #expect(r.stderr.contains("every language model request failed") && r.stderr.contains("cannot connect"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        // What happened is recorded: each request ended in an error, and the archive verifies.
        let failures = try Self.events(out, .llmCancel)
        #expect(failures.count == 3 && failures.allSatisfy { $0.data["reason"]?.stringValue == "error" })
        #expect(try CLIHarness.run(["verify", out]).status == 0)
    }

    @Test func badServerSettingsAreScenarioErrors() throws {
        let r = try CLIHarness.run(["simulate", Self.scenario, "--set", "pipeline.llm.base_url=localhost:8080"])
        #expect(r.status == 2 && r.stderr.contains("pipeline.llm.base_url"), "\(r.stderr)")
        let m = try CLIHarness.run(["simulate", Self.scenario, "--set", "pipeline.llm.model="])
        #expect(m.status == 2 && m.stderr.contains("pipeline.llm.model"), "\(m.stderr)")
    }

    @Test(.enabled(if: server != nil, "set CROSSTALK_LLM_BASE_URL (make test starts a local server)"))
    func aSessionAgainstARealServerReplaysWithoutIt() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("live.ctk").path
        let r = try CLIHarness.run(["simulate", Self.scenario, "--set", "pipeline.llm.base_url=\(Self.server!)", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        // The bot says what the server streamed: every reply has tokens, and TTS speaks their text.
        let tokens = try Self.events(out, .llmToken)
        let turns = Set(tokens.compactMap(\.turn))
        #expect(turns.count == 3, "every turn got tokens from the server")
        for turn in turns.sorted() {
            let streamed = tokens.filter { $0.turn == turn }.compactMap { $0.data["text"]?.stringValue }.joined()
            let spoken = try Self.events(out, .ttsRequest).filter { $0.turn == turn }.compactMap { $0.data["text"]?.stringValue }
            #expect(!spoken.isEmpty)
            let squash = { (s: String) in s.filter { !$0.isWhitespace } }
            #expect(squash(streamed).hasPrefix(squash(spoken.joined())), "turn \(turn): TTS text comes from the tokens")
        }
        #expect(!r.stdout.contains("NO-REPLY"), "\(r.stdout)")
        // Replays need no server: the recorded tokens come back at their recorded offsets.
        let replay = try CLIHarness.run(["replay", out])
        #expect(replay.status == 0 && replay.stdout.contains("reproduced exactly"), "\(replay.stdout)")
    }
}
