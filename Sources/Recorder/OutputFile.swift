import Foundation

/// Checks a path the user asked us to write (an archive, a WAV, a trace) before any work is done.
///
/// An existing file is replaced only with `--force`, and never when it is not a regular file
/// (`-o /dev/null --force` run as root must not turn the device into an archive), when it is one
/// of the command's inputs, or when two outputs of one command are the same file.
public enum OutputFile {
    /// Throws an `ArchiveError` naming `path` when writing it would be refused (see the type).
    /// - Parameters:
    ///   - inputs: files the command reads (an output may not be one of them).
    ///   - otherOutputs: files the same command writes besides `path`.
    public static func check(_ path: String, overwrite: Bool, inputs: [String] = [], otherOutputs: [String] = []) throws {
        let target = resolved(path)
        for other in inputs where resolved(other) == target {
            throw ArchiveError.io(path: path, detail: "is also an input of this command; choose another file name")
        }
        for other in otherOutputs where resolved(other) == target {
            throw ArchiveError.io(path: path, detail: "is given for two outputs; choose two file names")
        }
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { throw ArchiveError.io(path: path, detail: "is a directory; choose a file name") }
            guard overwrite else { throw ArchiveError.exists(path: path) }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw ArchiveError.io(path: path, detail: "is not a regular file (a device, pipe or socket); choose a file name")
            }
        }
        let directory = (target as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.isEmpty ? "." : directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArchiveError.io(path: path, detail: "directory \(directory) does not exist")
        }
    }

    /// `path` made absolute with its symbolic links resolved (as far as they exist).
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
