import Foundation
import GRDB

/// The session archive's schema (DESIGN.md §3): its migrations, format version and the checks
/// that tell an archive this build can read from anything else.
///
/// Migrations are named and append-only: a new format version adds a migration that upgrades the
/// previous one and bumps `PRAGMA user_version`; shipped migrations are never edited.
public enum ArchiveSchema {
    /// The `format` meta value every archive carries.
    public static let formatName = "crosstalk-session"
    /// The format version this build writes, stored in `PRAGMA user_version` and meta `format_version`.
    public static let formatVersion = 1
    /// The oldest format version this build reads.
    public static let oldestReadableVersion = 1
    /// Tables every archive has.
    public static let requiredTables = ["meta", "events", "audio", "vad"]
    /// Columns of each required table, in declaration order.
    public static let requiredColumns: [String: [String]] = [
        "meta": ["key", "value"],
        "events": ["seq", "t_us", "kind", "turn", "data"],
        "audio": ["stream", "frame", "t_us", "codec", "data"],
        "vad": ["frame", "t_us", "prob", "speech"],
    ]
    /// Meta keys every archive has (the writer adds the format keys and the audio format).
    public static let requiredMetaKeys = [
        "format", "format_version", "created_by", "session_id", "sample_rate", "frame_ms",
    ]
    /// The optional table of recorded audio files a scenario names (caller clips, a noise
    /// recording), created only in archives of scenarios that have some. Readers of format 1 that
    /// do not know it ignore it, so it needs no new format version.
    static let createClipsTable = """
        CREATE TABLE clips (name TEXT PRIMARY KEY, sample_rate INTEGER NOT NULL, data BLOB NOT NULL);
        """
    /// Codec names the `codec` column may hold.
    public static let knownCodecs: Set<String> = ["pcm16", "opus"]

    /// The migrations that create (and later upgrade) an archive.
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-session-archive") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE events (seq INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, kind TEXT NOT NULL,
                                     turn INTEGER, data TEXT NOT NULL);
                CREATE INDEX events_t ON events(t_us);
                CREATE TABLE audio (stream TEXT NOT NULL, frame INTEGER NOT NULL, t_us INTEGER NOT NULL,
                                    codec TEXT NOT NULL, data BLOB NOT NULL,
                                    PRIMARY KEY (stream, frame)) WITHOUT ROWID;
                CREATE TABLE vad (frame INTEGER PRIMARY KEY, t_us INTEGER NOT NULL, prob REAL NOT NULL,
                                  speech INTEGER NOT NULL);
                PRAGMA user_version = 1;
                """)
        }
        return migrator
    }

    /// Checks that `db` is an archive this build reads: a SQLite database with the required tables
    /// and a `format` meta row, at a format version no newer than ours. Throws an `ArchiveError`
    /// naming `path`.
    static func validate(_ db: Database, path: String) throws {
        let version: Int
        do {
            version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        } catch let error as DatabaseError {
            throw ArchiveError.notAnArchive(path: path, reason: error.message ?? "unreadable")
        }
        let tables = try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        guard tables.contains("meta") else {
            throw ArchiveError.notAnArchive(path: path, reason: tables.isEmpty ? "empty database" : "no meta table")
        }
        let format = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'format'")
        guard format == formatName else {
            let found = format.map { "format '\($0)'" } ?? "no format in meta"
            throw ArchiveError.notAnArchive(path: path, reason: found)
        }
        if version > formatVersion {
            throw ArchiveError.newerFormat(path: path, version: version, supported: formatVersion)
        }
        if version < oldestReadableVersion {
            throw ArchiveError.olderFormat(path: path, version: version, supported: oldestReadableVersion)
        }
        for table in requiredTables where !tables.contains(table) {
            throw ArchiveError.notAnArchive(path: path, reason: "missing table \(table)")
        }
    }

    /// The names of `table`'s columns, in order.
    static func columns(of table: String, in db: Database) throws -> [String] {
        try db.columns(in: table).map(\.name)
    }
}
