import Foundation
import GRDB

/// A small language of edits to a base archive, so the fuzzer changes values inside a valid archive
/// (meta keys, event rows, packets, clips) instead of mostly breaking SQLite's page format.
///
/// The input's first line is `ctk-edit live-opus`, `ctk-edit live-pcm16` or `ctk-edit sample`;
/// each further line is one edit (unknown lines are skipped):
/// ```
/// meta KEY VALUE          insert or replace a meta row        meta- KEY       delete it
/// set TABLE KEY COL VALUE update one row's column             del TABLE KEY   delete a row
/// copy TABLE KEY NEWKEY   copy a row under a new key          drop TABLE      drop a table
/// clip NAME RATE VALUE    add a clip (creates the table)      version N       PRAGMA user_version
/// ```
/// Tables are `events` (KEY = seq), `audio` (KEY = stream:frame), `vad` (KEY = frame), `clips`
/// (KEY = name). VALUE is `i:INT`, `f:REAL`, `x:HEX` (a blob), `null`, or text. Only listed
/// tables and columns are touched and every value is bound, so no edit runs SQL of its own.
struct ArchiveEditScript {
    /// The base archive named on the first line.
    var base: String
    /// The edit lines.
    var edits: [[Substring]]

    static let header = "ctk-edit "

    /// Parses `text`, or nil when it does not start with the header.
    init?(_ text: String) {
        guard text.hasPrefix(Self.header) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        base = String(lines.removeFirst().dropFirst(Self.header.count)).trimmingCharacters(in: .whitespaces)
        edits = lines.prefix(64).map { $0.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true) }
    }

    private static let columns: [String: [String]] = [
        "events": ["seq", "t_us", "kind", "turn", "data"],
        "audio": ["stream", "frame", "t_us", "codec", "data"],
        "vad": ["frame", "t_us", "prob", "speech"],
        "clips": ["name", "sample_rate", "data"],
        "meta": ["key", "value"],
    ]

    /// The WHERE clause and its arguments for `key` in `table`.
    private static func row(_ table: String, _ key: Substring) -> (String, StatementArguments)? {
        switch table {
        case "events": return Int64(key).map { ("seq = ?", [$0]) }
        case "vad": return Int64(key).map { ("frame = ?", [$0]) }
        case "clips": return ("name = ?", [String(key)])
        case "audio":
            let parts = key.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let frame = Int64(parts[1]) else { return nil }
            return ("stream = ? AND frame = ?", [String(parts[0]), frame])
        default: return nil
        }
    }

    private static func value(_ text: Substring) -> DatabaseValue {
        if text == "null" { return .null }
        if text.hasPrefix("i:"), let n = Int64(text.dropFirst(2)) { return n.databaseValue }
        if text.hasPrefix("f:"), let x = Double(text.dropFirst(2)) { return x.databaseValue }
        if text.hasPrefix("x:") {
            var bytes: [UInt8] = []
            var digits = text.dropFirst(2).makeIterator()
            while let a = digits.next(), let b = digits.next(), let byte = UInt8(String([a, b]), radix: 16) { bytes.append(byte) }
            return Data(bytes).databaseValue
        }
        return String(text).databaseValue
    }

    /// Applies the edits to the archive at `path`; an edit SQLite refuses (a constraint) is skipped.
    func apply(to path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            for edit in edits {
                try? apply(edit, db)
            }
        }
        try queue.close()
    }

    private func apply(_ edit: [Substring], _ db: Database) throws {
        guard let verb = edit.first else { return }
        let args = Array(edit.dropFirst())
        switch (verb, args.count) {
        case ("meta", 2...):
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                           arguments: [String(args[0]), Self.value(args[1...].joined(separator: " ")[...])])
        case ("meta-", 1...):
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [String(args[0])])
        case ("set", 4...):
            let table = String(args[0]), column = String(args[2])
            guard Self.columns[table]?.contains(column) == true, let (clause, key) = Self.row(table, args[1]) else { return }
            var arguments: StatementArguments = [Self.value(args[3])]
            arguments += key
            try db.execute(sql: "UPDATE \(table) SET \(column) = ? WHERE \(clause)", arguments: arguments)
        case ("del", 2...):
            let table = String(args[0])
            guard let (clause, key) = Self.row(table, args[1]) else { return }
            try db.execute(sql: "DELETE FROM \(table) WHERE \(clause)", arguments: key)
        case ("copy", 3...):
            let table = String(args[0])
            guard let columns = Self.columns[table], let (clause, key) = Self.row(table, args[1]),
                  let (_, newKey) = Self.row(table, args[2]) else { return }
            // The new key's values first, then the copied row's other columns.
            let keyColumns = table == "audio" ? ["stream", "frame"] : [columns[0]]
            let rest = columns.filter { !keyColumns.contains($0) }
            let placeholders = keyColumns.map { _ in "?" } + rest
            var arguments = newKey
            arguments += key
            try db.execute(
                sql: "INSERT OR REPLACE INTO \(table) (\((keyColumns + rest).joined(separator: ", "))) "
                    + "SELECT \(placeholders.joined(separator: ", ")) FROM \(table) WHERE \(clause)",
                arguments: arguments)
        case ("drop", 1...):
            let table = String(args[0])
            guard Self.columns[table] != nil else { return }
            try db.execute(sql: "DROP TABLE IF EXISTS \(table)")
        case ("clip", 3...):
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS clips (name TEXT PRIMARY KEY, sample_rate INTEGER NOT NULL, data BLOB NOT NULL)")
            try db.execute(sql: "INSERT OR REPLACE INTO clips (name, sample_rate, data) VALUES (?, ?, ?)",
                           arguments: [String(args[0]), Self.value(args[1]), Self.value(args[2])])
        case ("version", 1...):
            guard let n = Int32(args[0]) else { return }
            try db.execute(sql: "PRAGMA user_version = \(n)")
        default:
            return
        }
    }
}
