import Foundation

/// Writes a text file piece by piece through a buffer of about `bufferBytes`, so an output larger
/// than memory (a trace of millions of events) is never held whole. Failures are `ArchiveError.io`
/// naming the file.
final class TextFileWriter {
    /// The file written.
    let path: String
    /// What failed writes say before the system's reason ("cannot write trace").
    private let what: String
    private let handle: FileHandle
    private var buffer = Data()
    private let bufferBytes: Int

    /// Creates (or truncates) `path`.
    init(path: String, what: String, bufferBytes: Int = 1 << 20) throws {
        self.path = path
        self.what = what
        self.bufferBytes = bufferBytes
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ArchiveError.io(path: path, detail: "\(what): \(String(cString: strerror(errno)))")
        }
        self.handle = handle
        buffer.reserveCapacity(bufferBytes)
    }

    deinit { try? handle.close() }

    /// Appends `text`.
    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= bufferBytes { try flush() }
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ArchiveError.io(path: path, detail: "\(what): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file.
    func close() throws {
        try flush()
        do {
            try handle.close()
        } catch {
            throw ArchiveError.io(path: path, detail: "\(what): \(error.localizedDescription)")
        }
    }
}
