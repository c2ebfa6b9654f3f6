import Foundation

/// A private folder for the files one target writes per input (archives, transcripts), made once
/// per process so parallel fuzzers never share a file.
public enum FuzzScratch {
    /// The folder (created on first use).
    public static let directory: String = {
        let path = NSTemporaryDirectory() + "crosstalk-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A path in the folder with nothing at it (an earlier input's file and its WAL are removed).
    public static func freshPath(_ name: String) -> String {
        let path = directory + "/" + name
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
        return path
    }
}
