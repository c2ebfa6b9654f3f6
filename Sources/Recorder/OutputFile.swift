import Core
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks and writes a path the user asked us to write (an archive, a WAV, a trace, a sweep result).
///
/// One rule for every output (README "Output files"):
/// - An existing file is replaced only with `--force`, and never when it is a directory or not a
///   regular file (`-o /dev/null --force` run as root must not turn the device into an archive),
///   when it is one of the command's inputs, or when two outputs of one command are the same file.
/// - A symbolic link is an existing file: refused without `--force` (a dangling one too), and with
///   it the link itself is replaced; nothing is ever written through a link into its target.
/// - The output is written to a temporary file beside it (`NAME.partial`, or `NAME.partial-2`, … when
///   that is taken) and renamed into place only once it is complete, so a failure (a full disk, an
///   error, Ctrl-C before the end) never leaves a 0-byte or partial file under the name, and an
///   existing file is untouched until the rename. The temporary file is removed on failure; only a
///   process killed outright (SIGKILL, a crash, power loss) leaves it behind.
public enum OutputFile {
    /// Throws an `ArchiveError` naming `path` when writing it would be refused (see the type).
    /// - Parameters:
    ///   - inputs: files the command reads (an output may not be one of them).
    ///   - otherOutputs: files the same command writes besides `path`.
    public static func check(_ path: String, overwrite: Bool, inputs: [String] = [], otherOutputs: [String] = []) throws {
        try InputFile.checkNoNUL(path)
        let target = resolved(path)
        for other in inputs where resolved(other) == target {
            throw ArchiveError.io(path: path, detail: "is also an input of this command; choose another file name")
        }
        for other in otherOutputs where resolved(other) == target {
            throw ArchiveError.io(path: path, detail: "is given for two outputs; choose two file names")
        }
        // lstat, not stat: a link is judged as the link (it is what gets replaced), so a dangling
        // one is an existing file too.
        var info = stat()
        if lstat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { throw ArchiveError.io(path: path, detail: "is a directory; choose a file name") }
            guard overwrite else {
                guard type == S_IFLNK else { throw ArchiveError.exists(path: path) }
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw ArchiveError.io(path: path, detail: "exists (a symbolic link to \(target)); use --force to replace the link (its target is never written)")
            }
            guard type == S_IFREG || type == S_IFLNK else {
                throw ArchiveError.io(path: path, detail: "is not a regular file (a device, pipe or socket); choose a file name")
            }
        }
        try checkFolder(of: path)
    }

    /// Writes `path` through a temporary file beside it: `body` writes the temporary path it is
    /// given, then the file is renamed to `path` (replacing it only when `overwrite`). When `body`
    /// or the rename throws, the temporary file is removed and `path` is untouched.
    @discardableResult
    public static func write<T>(_ path: String, overwrite: Bool, _ body: (_ temporary: String) throws -> T) throws -> T {
        let temporary = try claimTemporary(for: path)
        do {
            let result = try body(temporary)
            try commit(temporary, to: path, overwrite: overwrite)
            return result
        } catch let error as ArchiveError {
            unlink(temporary)
            throw error.naming(path, for: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `data` to `path` through a temporary file (see `write(_:overwrite:_:)`), flushed to
    /// disk before the rename.
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws {
        try write(path, overwrite: overwrite) { temporary in
            let fd = open(temporary, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { throw failure(path, "cannot write", errno) }
            var status: Int32 = 0
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        status = errno
                        return
                    }
                    offset += n
                }
            }
            if status == 0, fsync(fd) != 0 { status = errno }
            if close(fd) != 0, status == 0 { status = errno }
            if status != 0 { throw failure(path, "cannot write", status) }
        }
    }

    /// Claims the temporary file a write of `path` goes to: `path.partial`, or `path.partial-2`,
    /// -3, … when that name (or a SQLite journal of it) is taken, e.g. left by a killed run or
    /// being written by another one. It is created empty with `O_EXCL`, so two writers never share one.
    public static func claimTemporary(for path: String) throws -> String {
        let files = FileManager.default
        for n in 1...1000 {
            let candidate = n == 1 ? path + ".partial" : path + ".partial-\(n)"
            if ArchiveCompanion.suffixes.contains(where: { files.fileExists(atPath: candidate + $0) }) { continue }
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 {
                close(fd)
                return candidate
            }
            if errno == EEXIST { continue }
            throw failure(path, "cannot create \(candidate)", errno)
        }
        throw ArchiveError.io(path: path, detail: "\(path).partial … \(path).partial-1000 all exist; remove the ones left by killed runs")
    }

    /// Renames the finished `temporary` to `path`: over an existing file (or link) when
    /// `overwrite`, else only if `path` still does not exist (checked atomically). `companions`
    /// (SQLite's `-wal`, `-shm`, `-journal`) of the old `path` are removed, and those of
    /// `temporary` move with it, so a stale journal is never applied to the new file.
    public static func commit(_ temporary: String, to path: String, overwrite: Bool, companions: [String] = []) throws {
        if overwrite {
            for suffix in companions { unlink(path + suffix) }
            try moveCompanions(companions, from: temporary, to: path)
            guard rename(temporary, path) == 0 else { throw failure(path, "cannot rename \(temporary) to it", errno) }
            return
        }
        if link(temporary, path) == 0 {
            unlink(temporary)
        } else if errno == EEXIST {
            throw ArchiveError.exists(path: path)
        } else {
            // A file system without hard links: check, then rename (not atomic, but the best it allows).
            guard access(path, F_OK) != 0, errno == ENOENT else { throw ArchiveError.exists(path: path) }
            guard rename(temporary, path) == 0 else { throw failure(path, "cannot rename \(temporary) to it", errno) }
        }
        // `path` did not exist, so journal files under its name were orphans.
        for suffix in companions { unlink(path + suffix) }
        try moveCompanions(companions, from: temporary, to: path)
    }

    private static func moveCompanions(_ suffixes: [String], from temporary: String, to path: String) throws {
        for suffix in suffixes where access(temporary + suffix, F_OK) == 0 {
            guard rename(temporary + suffix, path + suffix) == 0 else {
                throw failure(path + suffix, "cannot rename \(temporary + suffix) to it", errno)
            }
        }
    }

    /// The folder `path` is written in (where its temporary file goes) must exist and be writable.
    private static func checkFolder(of path: String) throws {
        let folder = Self.folder(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArchiveError.io(path: path, detail: "directory \(folder) does not exist")
        }
        if access(folder, W_OK | X_OK) != 0 {
            let reason = errno == EROFS ? "read-only file system" : "permission denied"
            throw ArchiveError.io(path: path, detail: "cannot write in folder \(folder): \(reason)")
        }
    }

    /// The folder of `path` as given (not through links: a link is replaced where it is).
    static func folder(of path: String) -> String {
        PathName.folder(of: path)
    }

    /// An `ArchiveError` for a failed system call on `path`.
    static func failure(_ path: String, _ action: String, _ code: Int32) -> ArchiveError {
        let reason: String
        switch code {
        case EACCES, EPERM: reason = "permission denied (cannot write in folder \(folder(of: path)))"
        case ENOSPC, EDQUOT: reason = "no space left on the device"
        case EFBIG: reason = "file too large (a file size limit was reached)"
        case EROFS: reason = "read-only file system"
        default: reason = String(cString: strerror(code))
        }
        return ArchiveError.io(path: path, detail: "\(action): \(reason)")
    }

    /// `path` made absolute with its symbolic links resolved (as far as they exist).
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The files SQLite keeps beside a database, named after it.
enum ArchiveCompanion {
    /// `-wal`, `-shm` and `-journal`.
    static let suffixes = ["-wal", "-shm", "-journal"]
}

extension ArchiveError {
    /// The same error with `temporary` replaced by `path` where it names the file: the user asked
    /// for `path` and never heard of its temporary name.
    fileprivate func naming(_ path: String, for temporary: String) -> ArchiveError {
        func name(_ p: String) -> String { p == temporary ? path : p }
        switch self {
        case .exists(let p): return .exists(path: name(p))
        case .notFound(let p): return .notFound(path: name(p))
        case .database(let p, let detail): return .database(path: name(p), detail: detail)
        case .audioFile(let p, let detail): return .audioFile(path: name(p), detail: detail)
        case .io(let p, let detail): return .io(path: name(p), detail: detail)
        default: return self
        }
    }
}
