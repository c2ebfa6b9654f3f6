import Core
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
    public static let formatVersion = 2
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
    /// Sample rates an archive's audio may have (meta `sample_rate`): every rate a writer produces.
    /// Readers size buffers from it, so an edited value must be refused before anything is allocated.
    public static let sampleRateRange = 8000...48_000
    /// Frame lengths an archive's audio may have (meta `frame_ms`).
    public static let frameMsRange = 10...60
    /// Rates a clip in the `clips` table may have (those of the files a scenario may name).
    public static let clipRateRange = 8000...192_000
    /// Longest clip a `clips` row may hold (scenario audio files are at most ten minutes).
    public static let maxClipSeconds = 600

    /// Longest session an archive holds (`max_duration_ms` allows 24 h), in frames of `format`:
    /// readers refuse frame numbers beyond it instead of sizing buffers from them.
    public static func maxFrames(_ format: AudioFormat) -> Int { 24 * 3600 * 1000 / max(1, format.frameMs) }

    /// The audio format meta `sample_rate`/`frame_ms` (as stored, text) give, or what is wrong with
    /// them: integers in range, whole samples per frame.
    public static func audioFormat(sampleRate: String?, frameMs: String?) -> Result<AudioFormat, FormatProblem> {
        guard let rateText = sampleRate, let rate = Int(rateText) else {
            return .failure(FormatProblem("meta sample_rate is \(sampleRate.map { "'\($0.clippedForMessage)'" } ?? "missing"), not an integer"))
        }
        guard let msText = frameMs, let ms = Int(msText) else {
            return .failure(FormatProblem("meta frame_ms is \(frameMs.map { "'\($0.clippedForMessage)'" } ?? "missing"), not an integer"))
        }
        guard sampleRateRange.contains(rate) else {
            return .failure(FormatProblem("meta sample_rate \(rate) is outside \(sampleRateRange.lowerBound)–\(sampleRateRange.upperBound) Hz"))
        }
        guard frameMsRange.contains(ms) else {
            return .failure(FormatProblem("meta frame_ms \(ms) is outside \(frameMsRange.lowerBound)–\(frameMsRange.upperBound) ms"))
        }
        guard rate * ms % 1000 == 0 else {
            return .failure(FormatProblem("meta sample_rate \(rate) and frame_ms \(ms) give no whole number of samples per frame"))
        }
        return .success(AudioFormat(sampleRate: rate, frameMs: ms))
    }

    /// Why meta `sample_rate`/`frame_ms` are no audio format this build reads.
    public struct FormatProblem: Error, Equatable {
        /// One line naming the key and the value.
        public var message: String
        init(_ message: String) { self.message = message }
    }

    /// What is wrong with a `clips` row of `bytes` bytes at `sampleRate`, or nil when it is 16-bit
    /// PCM at a rate and length a scenario file may have.
    public static func clipProblem(sampleRate: Int, bytes: Int) -> String? {
        guard clipRateRange.contains(sampleRate) else {
            return "sample_rate \(sampleRate) is outside \(clipRateRange.lowerBound)–\(clipRateRange.upperBound) Hz"
        }
        guard bytes % 2 == 0, bytes > 0 else { return "\(bytes) bytes is not 16-bit PCM" }
        guard bytes / 2 <= maxClipSeconds * sampleRate else {
            return "\(bytes / 2) samples at \(sampleRate) Hz is longer than \(maxClipSeconds / 60) minutes"
        }
        return nil
    }

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
        // Format 2: per-chunk checksums of every row (`ArchiveChecksums`), so verify finds damaged
        // payloads. A format 1 archive upgraded by this migration gets them for the rows it holds.
        migrator.registerMigration("v2-checksums") { db in
            try db.execute(sql: ArchiveChecksums.createTable)
            try db.execute(sql: "UPDATE meta SET value = '2' WHERE key = 'format_version'")
            try ArchiveChecksums.refreshAll(in: db)
            try db.execute(sql: "PRAGMA user_version = 2")
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
