import Core
import Foundation
import GRDB

/// Reads that visit rows one at a time through an SQLite cursor, so what they hold does not grow
/// with the number of events or the session's length (`events()` and `vadFrames()` build arrays).
extension SessionArchive {
    /// Calls `body` with every event in `seq` order, or only those of `kinds` when given; the same
    /// events `events()` returns, read through a cursor. An error `body` throws ends the read and
    /// is rethrown as it is.
    public func forEachEvent(kinds: [EventKind]? = nil, _ body: (PipelineEvent) throws -> Void) throws {
        var filter = ""
        var arguments: StatementArguments = []
        if let kinds {
            guard !kinds.isEmpty else { return }
            filter = "WHERE kind IN (" + Array(repeating: "?", count: kinds.count).joined(separator: ",") + ")"
            arguments = StatementArguments(kinds.map(\.rawValue))
        }
        try eachRow(sql: "SELECT seq, t_us, kind, turn, data FROM events \(filter) ORDER BY seq", arguments: arguments) { row in
            let event = try ArchiveEventRow(
                seq: row.decode(atIndex: 0), tUs: row.decode(atIndex: 1), kind: row.decode(atIndex: 2),
                turn: row.decode(atIndex: 3), data: row.decode(atIndex: 4)
            ).event(path: path)
            try body(event)
        }
    }

    /// Calls `body` with every VAD row in frame order (the rows `vadFrames()` returns), through a cursor.
    public func forEachVADFrame(_ body: (VADFrame) throws -> Void) throws {
        try eachRow(sql: "SELECT frame, t_us, prob, speech FROM vad ORDER BY frame", arguments: []) { row in
            let frame = try VADFrame(
                frame: row.decode(atIndex: 0), time: SimInstant(microseconds: row.decode(atIndex: 1)),
                probability: row.decode(atIndex: 2), speech: row.decode(atIndex: 3))
            try body(frame)
        }
    }

    /// The last event (highest `seq`), or nil when there is none.
    public func lastEvent() throws -> PipelineEvent? {
        try read { db in
            try ArchiveEventRow.fetchOne(db, sql: "SELECT * FROM events ORDER BY seq DESC LIMIT 1")?.event(path: path)
        }
    }

    /// The time of the latest event (found through the `events_t` index), or nil when there is none.
    public func latestEventTime() throws -> SimInstant? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT max(t_us) FROM events").map(SimInstant.init(microseconds:))
        }
    }

    /// The earliest and latest time of the events of user turn `turn`, or nil when it has none.
    public func timeRange(ofTurn turn: Int) throws -> (from: SimInstant, to: SimInstant)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT min(t_us), max(t_us) FROM events WHERE turn = ?", arguments: [turn]),
                  let first = try row.decode(Int64?.self, atIndex: 0), let last = try row.decode(Int64?.self, atIndex: 1)
            else { return nil }
            return (SimInstant(microseconds: first), SimInstant(microseconds: last))
        }
    }

    /// Steps a cursor over `sql`'s rows inside one read transaction. Errors of `body` that are not
    /// the archive's own pass through untouched (a caller's error must not turn into "corrupt").
    private func eachRow(sql: String, arguments: StatementArguments, _ body: (Row) throws -> Void) throws {
        var bodyError: Error?
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                do {
                    try body(row)
                } catch let error as ArchiveError {
                    throw error
                } catch let error as RowDecodingError {
                    throw ArchiveError.corrupt(path: path, detail: "\(error)")
                } catch {
                    bodyError = error
                    return
                }
            }
        }
        if let bodyError { throw bodyError }
    }
}
