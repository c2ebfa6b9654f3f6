import Foundation

/// Checks a path the user gave as an input file (an archive, an audio clip, a noise recording, a
/// transcript) before it is opened.
///
/// Only regular files are read: a directory, a FIFO, a socket or a device is refused at once with
/// one line, because `open()` of a FIFO without a writer (or a tty, or some devices) blocks for
/// ever. Symbolic links are followed (reading through a link is harmless).
public enum InputFile {
    /// What is at a path, as far as an input cares.
    enum Kind: Equatable {
        case regular, directory, missing
        /// A FIFO, socket, character or block device.
        case special(String)
    }

    /// Throws an `ArchiveError` naming `path` unless it is a regular file (see the type).
    /// - Parameter what: what the file should be, for the message ("an archive", "an audio file").
    public static func checkRegular(_ path: String, what: String = "a file") throws {
        switch try kind(of: path) {
        case .regular: return
        case .missing: throw ArchiveError.notFound(path: path)
        case .directory: throw ArchiveError.io(path: path, detail: "is a directory, not \(what)")
        case .special(let name): throw ArchiveError.io(path: path, detail: "is \(name), not \(what); give a regular file")
        }
    }

    /// What is at `path` (following links), from `stat` alone: nothing is opened.
    static func kind(of path: String) throws -> Kind {
        try checkNoNUL(path)
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFIFO: return .special("a pipe (FIFO)")
        case S_IFSOCK: return .special("a socket")
        case S_IFCHR: return .special("a character device")
        case S_IFBLK: return .special("a block device")
        default: return .special("not a regular file")
        }
    }

    /// A path holding a NUL byte cannot name a file (the system would see only what precedes it).
    static func checkNoNUL(_ path: String) throws {
        if path.utf8.contains(0) {
            throw ArchiveError.io(path: path.replacingOccurrences(of: "\0", with: "\\0"), detail: "the path contains a NUL byte")
        }
    }
}
