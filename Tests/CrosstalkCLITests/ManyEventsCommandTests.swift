import Core
import Foundation
import GRDB
import Testing

/// The readers on an archive with many events (the committed sample plus 60,000 partials without a
/// turn, spread over the session): what they print follows from the sample's own output. Memory
/// and time are measured by Benchmarks/readers.sh, not here.
@Suite(.serialized) struct ManyEventsCommandTests {
    static let added = 60_000

    /// The sample with `added` `stt.partial` events between its own (none at or after its last
    /// event, so `session.end` stays last), seq renumbered; the first added event is event 0.
    static func manyEventsArchive(in dir: URL) throws -> (sample: String, big: String) {
        let sample = CLIHarness.root.appendingPathComponent("sessions/samples/hesitation-pcm16.ctk").path
        let big = dir.appendingPathComponent("many.ctk").path
        try FileManager.default.copyItem(atPath: sample, toPath: big)
        let db = try DatabaseQueue(path: big)
        try db.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT t_us, kind, turn, data FROM events ORDER BY seq")
            let spanUs: Int64 = try #require(rows.last?["t_us"])
            try db.execute(sql: "DELETE FROM events")
            var seq: Int64 = 0, next = 0
            func insert(_ t: Int64, _ kind: String, _ turn: DatabaseValue, _ data: String) throws {
                try db.execute(sql: "INSERT INTO events (seq, t_us, kind, turn, data) VALUES (?, ?, ?, ?, ?)",
                               arguments: [seq, t, kind, turn, data])
                seq += 1
            }
            for row in rows {
                let t: Int64 = row["t_us"]
                while next < added, Int64(next) * spanUs / Int64(added) < t {
                    try insert(Int64(next) * spanUs / Int64(added), "stt.partial", .null, #"{"text":"p\#(next)"}"#)
                    next += 1
                }
                try insert(t, row["kind"], row["turn"], row["data"])
            }
        }
        try db.close()
        return (sample, big)
    }

    @Test func verifyReportReplayAndExportReadAnArchiveWithManyEvents() throws {
        let dir = try CLIHarness.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (sample, big) = try Self.manyEventsArchive(in: dir)
        let sampleEvents = try DatabaseQueue(path: sample).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") } ?? 0

        let verify = try CLIHarness.run(["verify", big])
        #expect(verify.status == 0 && verify.stdout == "\(big): ok\n", "\(verify.stdout) \(verify.stderr)")

        // Partials change no metric: the same table and JSON, a title with more events.
        let report = try CLIHarness.run(["report", big]), sampleReport = try CLIHarness.run(["report", sample])
        #expect(report.status == 0, "\(report.stderr)")
        let lines = report.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.dropFirst() == sampleReport.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst())
        #expect(lines.first?.contains("(events \(sampleEvents + Self.added), hash ") == true, "\(lines.first ?? "")")
        let json = try CLIHarness.run(["report", big, "--json"])
        let sampleJSON = try CLIHarness.run(["report", sample, "--json"])
        #expect(json.status == 0 && json.stdout == sampleJSON.stdout)

        // An exact replay makes the sample's events: it diverges at the first added one, and the
        // recorded hash it prints is the one report prints.
        let replay = try CLIHarness.run(["replay", big])
        #expect(replay.status == 1, "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("DIVERGED: first difference at event 0: expected t=0.000000 stt.partial turn - {\"text\":\"p0\"}"),
                "\(replay.stdout)")
        let hash = try #require(lines.first?.split(separator: " ").last?.dropLast())
        #expect(replay.stdout.contains("(recorded \(hash))"), "\(replay.stdout) vs \(hash)")

        let trace = dir.appendingPathComponent("t.json").path
        let export = try CLIHarness.run(["export", big, "--trace", trace])
        #expect(export.status == 0, "\(export.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [String: Any]
        let items = try #require(object?["traceEvents"] as? [[String: Any]])
        func isAdded(_ name: String) -> Bool {
            name.hasPrefix("partial \"p") && name.hasSuffix("\"") && name.dropFirst(10).dropLast().allSatisfy(\.isNumber)
        }
        #expect(items.filter { isAdded($0["name"] as? String ?? "") }.count == Self.added)
    }
}
