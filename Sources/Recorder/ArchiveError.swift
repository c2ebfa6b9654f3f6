import Foundation
import GRDB

/// The Recorder module's one operating error: a session archive or audio file that cannot be
/// created, opened, read or written. Its description is one line that names the file and says
/// what to do; the CLI prints it and exits 2.
public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    /// The output path exists and overwriting was not asked for.
    case exists(path: String)
    /// No file at the path.
    case notFound(path: String)
    /// The file is not a session archive (not SQLite, truncated, tables or meta missing).
    case notAnArchive(path: String, reason: String)
    /// The archive was written by a newer crosstalk whose format this build does not know.
    case newerFormat(path: String, version: Int, supported: Int)
    /// The archive's format version is older than any this build can read.
    case olderFormat(path: String, version: Int, supported: Int)
    /// The archive opened but its content is inconsistent (bad row, unknown codec, bad JSON).
    case corrupt(path: String, detail: String)
    /// SQLite reported an error while reading or writing.
    case database(path: String, detail: String)
    /// An audio frame could not be encoded or decoded.
    case codec(path: String, stream: String, frame: Int, detail: String)
    /// An audio encoder or decoder could not be created (e.g. libopus refused the settings).
    case codecUnavailable(path: String, detail: String)
    /// An audio file (WAV import/export, noise file) could not be read or written.
    case audioFile(path: String, detail: String)
    /// Any other I/O failure (creating a directory, removing an old file).
    case io(path: String, detail: String)
    /// A network address that is malformed or cannot be listened on (`record --listen`).
    case network(address: String, detail: String)

    /// One line naming the file and what went wrong.
    public var description: String {
        switch self {
        case .exists(let path):
            return "\(path) exists; use --force to overwrite"
        case .notFound(let path):
            return "\(path): no such file"
        case .notAnArchive(let path, let reason):
            return "\(path): not a Crosstalk archive (\(reason))"
        case .newerFormat(let path, let version, let supported):
            return "\(path): archive format version \(version) is newer than this crosstalk reads "
                + "(up to \(supported)); upgrade crosstalk"
        case .olderFormat(let path, let version, let supported):
            return "\(path): archive format version \(version) is older than this crosstalk reads "
                + "(\(supported)); re-record or import it again"
        case .corrupt(let path, let detail):
            return "\(path): corrupt archive: \(detail)"
        case .database(let path, let detail):
            return "\(path): \(detail)"
        case .codec(let path, let stream, let frame, let detail):
            return "\(path): \(stream) frame \(frame): \(detail)"
        case .codecUnavailable(let path, let detail):
            return "\(path): cannot create the audio codec: \(detail)"
        case .audioFile(let path, let detail):
            return "\(path): \(detail)"
        case .io(let path, let detail):
            return "\(path): \(detail)"
        case .network(let address, let detail):
            return "\(address): \(detail)"
        }
    }

    /// Wraps any error thrown while working on the archive at `path`, keeping ArchiveErrors as they are.
    static func wrapping(_ error: any Error, path: String) -> ArchiveError {
        if let archiveError = error as? ArchiveError { return archiveError }
        if let dbError = error as? DatabaseError { return .database(path: path, detail: describe(dbError)) }
        return .io(path: path, detail: String(describing: error))
    }

    /// SQLite error code and message on one line (GRDB's own description spans the SQL and arguments).
    static func describe(_ error: DatabaseError) -> String {
        let message = error.message ?? "unknown error"
        var line = "SQLite error \(error.extendedResultCode.rawValue): \(message)"
        if let sql = error.sql {
            let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
            line += " (in `\(oneLine.prefix(120))`)"
        }
        return line
    }
}
