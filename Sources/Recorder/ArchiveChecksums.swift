import Core
import Foundation
import GRDB

/// Per-chunk checksums of an archive's rows (format 2): the `checksums` table holds, for each chunk
/// of each part, its row count and an FNV-1a 64 over every column of its rows (type and bytes), so
/// `verify` finds a flipped byte inside a packet, a value stored with another type, or an edited
/// meta row, which the schema and decoding checks alone let through.
///
/// Chunks are fixed ranges of the rows' keys, not commit batches, so the table is the same for the
/// same rows however they were committed. The writer refreshes the chunks each commit touched in
/// the same transaction: an archive cut short by a SIGKILL covers exactly what it holds.
public enum ArchiveChecksums {
    /// Audio and VAD frames per chunk.
    public static let framesPerChunk = 64
    /// Events per chunk (by `seq`).
    public static let eventsPerChunk = 256

    /// The table, created by the format 2 migration.
    static let createTable = """
        CREATE TABLE checksums (part TEXT NOT NULL, chunk INTEGER NOT NULL, rows INTEGER NOT NULL,
                                fnv1a64 TEXT NOT NULL, PRIMARY KEY (part, chunk)) WITHOUT ROWID;
        """

    /// A set of rows the checksums cover: `meta`, `clips`, `events`, `vad` or one audio stream
    /// (`audio.mic`, …).
    public enum Part: Hashable, Sendable, Comparable {
        case meta, clips, events, vad
        case audio(String)

        /// The `part` column's value.
        public var name: String {
            switch self {
            case .meta: "meta"
            case .clips: "clips"
            case .events: "events"
            case .vad: "vad"
            case .audio(let stream): "audio." + stream
            }
        }

        /// The part a `part` column names, if it is one.
        init?(name: String) {
            switch name {
            case "meta": self = .meta
            case "clips": self = .clips
            case "events": self = .events
            case "vad": self = .vad
            default:
                guard name.hasPrefix("audio."), name.count > 6 else { return nil }
                self = .audio(String(name.dropFirst(6)))
            }
        }

        /// Rows per chunk (meta and clips are one chunk each).
        var chunkRows: Int? {
            switch self {
            case .meta, .clips: nil
            case .events: eventsPerChunk
            case .vad, .audio: framesPerChunk
            }
        }

        public static func < (a: Part, b: Part) -> Bool { a.name < b.name }
    }

    /// Chunks touched by a batch of rows: for each part, the first and last chunk.
    struct Touched {
        private(set) var ranges: [Part: ClosedRange<Int64>] = [:]

        /// Marks the chunk holding key `key` (`seq` or `frame`) of `part`.
        mutating func mark(_ part: Part, key: Int64) {
            let chunk = part.chunkRows.map { key / Int64($0) } ?? 0
            if let range = ranges[part] {
                ranges[part] = min(range.lowerBound, chunk)...max(range.upperBound, chunk)
            } else {
                ranges[part] = chunk...chunk
            }
        }

        /// Marks a whole-table part (`meta`, `clips`).
        mutating func mark(_ part: Part) { mark(part, key: 0) }
    }

    /// Recomputes and stores the checksums of the `touched` chunks, inside the writer's transaction.
    /// Does nothing in an archive without the table (a format 1 archive being read by a migration).
    static func refresh(_ touched: Touched, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO checksums (part, chunk, rows, fnv1a64) VALUES (?, ?, ?, ?)")
        for (part, range) in touched.ranges.sorted(by: { $0.key < $1.key }) {
            for chunk in range {
                let sum = try checksum(part, chunk: chunk, in: db)
                try statement.execute(arguments: [part.name, chunk, sum.rows, sum.hash])
            }
        }
    }

    /// Checksums of every chunk that holds rows (the format 2 migration of an older archive).
    static func refreshAll(in db: Database) throws {
        var touched = Touched()
        touched.mark(.meta)
        if try db.tableExists("clips") { touched.mark(.clips) }
        for (part, sql) in try keyQueries(in: db) {
            let keys = try Int64.fetchCursor(db, sql: sql)
            while let key = try keys.next() { touched.mark(part, key: key) }
        }
        try refresh(touched, in: db)
    }

    /// The row count and hash of one chunk, as stored in the table.
    static func checksum(_ part: Part, chunk: Int64, in db: Database) throws -> (rows: Int, hash: String) {
        let rows: RowCursor
        switch part {
        case .meta:
            rows = try Row.fetchCursor(db, sql: "SELECT key, value FROM meta ORDER BY key")
        case .clips:
            rows = try Row.fetchCursor(db, sql: "SELECT name, sample_rate, data FROM clips ORDER BY name")
        case .events:
            let n = Int64(eventsPerChunk)
            rows = try Row.fetchCursor(db, sql: "SELECT seq, t_us, kind, turn, data FROM events WHERE seq >= ? AND seq < ? ORDER BY seq",
                                       arguments: [bounds(chunk, n).lower, bounds(chunk, n).upper])
        case .vad:
            let n = Int64(framesPerChunk)
            rows = try Row.fetchCursor(db, sql: "SELECT frame, t_us, prob, speech FROM vad WHERE frame >= ? AND frame < ? ORDER BY frame",
                                       arguments: [bounds(chunk, n).lower, bounds(chunk, n).upper])
        case .audio(let stream):
            let n = Int64(framesPerChunk)
            rows = try Row.fetchCursor(db, sql: """
                SELECT frame, t_us, codec, data FROM audio WHERE stream = ? AND frame >= ? AND frame < ? ORDER BY frame
                """, arguments: [stream, bounds(chunk, n).lower, bounds(chunk, n).upper])
        }
        var hasher = FNV1a64()
        var count = 0
        while let row = try rows.next() {
            count += 1
            for value in row.databaseValues { combine(value, into: &hasher) }
        }
        return (count, hasher.hex)
    }

    /// The keys `lower..<upper` of chunk `chunk` of `n` rows each, saturating at Int64's limits: a
    /// tampered key near them (a frame number of 2^63 − 1) is a finding, never an overflow trap.
    static func bounds(_ chunk: Int64, _ n: Int64) -> (lower: Int64, upper: Int64) {
        let lower = chunk.multipliedReportingOverflow(by: n)
        let upper = (chunk &+ 1).multipliedReportingOverflow(by: n)
        let low = lower.overflow ? (chunk < 0 ? Int64.min : Int64.max) : lower.partialValue
        let high = upper.overflow || chunk == Int64.max ? Int64.max : upper.partialValue
        return (low, high)
    }

    /// Mixes one column value in: a type tag, then its bytes (text and blobs with their length), so
    /// the same bytes stored as text instead of a blob hash differently.
    private static func combine(_ value: DatabaseValue, into hasher: inout FNV1a64) {
        switch value.storage {
        case .null:
            hasher.combine(byte: 0)
        case .int64(let v):
            hasher.combine(byte: 1)
            hasher.combine(v)
        case .double(let v):
            hasher.combine(byte: 2)
            hasher.combine(Int64(bitPattern: v.bitPattern))
        case .string(let s):
            hasher.combine(byte: 3)
            hasher.combine(Int64(s.utf8.count))
            for byte in s.utf8 { hasher.combine(byte: byte) }
        case .blob(let data):
            hasher.combine(byte: 4)
            hasher.combine(Int64(data.count))
            data.withUnsafeBytes { for byte in $0 { hasher.combine(byte: byte) } }
        }
    }

    /// For each chunked part, a query of the keys of its rows (one per row, in order).
    private static func keyQueries(in db: Database) throws -> [(Part, String)] {
        var out: [(Part, String)] = [
            (.events, "SELECT seq FROM events ORDER BY seq"),
            (.vad, "SELECT frame FROM vad ORDER BY frame"),
        ]
        for stream in try String.fetchAll(db, sql: "SELECT DISTINCT stream FROM audio ORDER BY stream") {
            let quoted = "'" + stream.replacingOccurrences(of: "'", with: "''") + "'"
            out.append((.audio(stream), "SELECT frame FROM audio WHERE stream = \(quoted) ORDER BY frame"))
        }
        return out
    }

    /// What `verify` finds: chunks whose rows do not match their checksum, chunks with rows and no
    /// checksum, checksums of chunks that hold no rows. Empty for a format 1 archive, which has none.
    static func problems(in db: Database) throws -> [String] {
        guard try db.tableExists("checksums") else {
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            return version >= 2 ? ["the checksums table is missing (format \(version) has one)"] : []
        }
        var stored: [Part: [Int64: (rows: Int, hash: String)]] = [:]
        var problems: [String] = []
        let storedRows = try Row.fetchCursor(db, sql: "SELECT part, chunk, rows, fnv1a64 FROM checksums ORDER BY part, chunk")
        while let row = try storedRows.next() {
            guard let name = String.fromDatabaseValue(row[0] as DatabaseValue), let part = Part(name: name),
                  case .int64(let chunk) = (row[1] as DatabaseValue).storage,
                  case .int64(let rows) = (row[2] as DatabaseValue).storage,
                  let hash = String.fromDatabaseValue(row[3] as DatabaseValue)
            else {
                problems.append("a checksums row is malformed (\((row[0] as DatabaseValue).description.clippedForMessage))")
                continue
            }
            stored[part, default: [:]][chunk] = (Int(clamping: rows), hash)
        }
        var seen: [Part: Set<Int64>] = [:]
        func check(_ part: Part, _ chunk: Int64) throws {
            seen[part, default: []].insert(chunk)
            let actual = try checksum(part, chunk: chunk, in: db)
            let place = part.chunkRows.map { "\(part.name) rows \(bounds(chunk, Int64($0)).lower)–\(bounds(chunk, Int64($0)).upper &- 1)" } ?? part.name
            guard let expected = stored[part]?[chunk] else {
                problems.append("\(place) have no checksum")
                return
            }
            if expected.rows != actual.rows {
                problems.append("\(place): \(actual.rows) rows, the checksum covers \(expected.rows)")
            } else if expected.hash != actual.hash {
                problems.append("\(place) do not match their checksum (a byte or a value's type changed)")
            }
        }
        try check(.meta, 0)
        if try db.tableExists("clips"), try Int.fetchOne(db, sql: "SELECT count(*) FROM clips") ?? 0 > 0 { try check(.clips, 0) }
        for (part, sql) in try keyQueries(in: db) {
            guard let rowsPerChunk = part.chunkRows else { continue }
            var last: Int64?
            let keys = try Int64.fetchCursor(db, sql: sql)
            while let key = try keys.next() {
                let chunk = key / Int64(rowsPerChunk)
                if chunk != last { try check(part, chunk) }
                last = chunk
            }
        }
        for (part, chunks) in stored.sorted(by: { $0.key < $1.key }) {
            for chunk in chunks.keys.sorted() where !(seen[part]?.contains(chunk) ?? false) {
                problems.append("checksum of \(part.name) chunk \(chunk) covers rows that are not there")
            }
        }
        return problems
    }
}
