import Core
import Foundation

extension ScenarioLoader {
    /// The bytes of the scenario file `path` (at most `maxFileBytes` + 1, so a larger file is
    /// told apart).
    ///
    /// A pipe works, so `simulate <(generate-scenario)` does; it is opened with `O_NONBLOCK`, so a
    /// FIFO nobody writes to is an error at once instead of an `open()` that never returns.
    /// Directories, sockets and devices are refused.
    static func readScenarioFile(_ path: String) throws -> Data {
        func fail(_ reason: String) -> ScenarioError { ScenarioError(message: "\(path): \(reason)") }
        guard !path.utf8.contains(0) else {
            throw ScenarioError(message: "\(path.replacingOccurrences(of: "\0", with: "\\0")): the path contains a NUL byte")
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw fail("no such file")
            case EACCES: throw fail("cannot read the file (permission denied)")
            default: throw fail("cannot read the file (\(String(cString: strerror(errno))))")
            }
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("cannot read the file") }
        let type = info.st_mode & S_IFMT
        switch type {
        case S_IFREG: break
        case S_IFIFO:
            // Blocking reads from here on: the writer may be slow to produce the text.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        case S_IFDIR: throw fail("is a directory, not a scenario file")
        default: throw fail("is not a regular file or a pipe (a socket or device); give a scenario file")
        }
        var data = Data()
        do {
            while data.count <= maxFileBytes, let chunk = try handle.read(upToCount: maxFileBytes + 1 - data.count), !chunk.isEmpty {
                data.append(chunk)
            }
        } catch {
            throw fail("cannot read the file")
        }
        if type == S_IFIFO, data.isEmpty {
            throw fail("is a pipe (FIFO) and nothing was written to it; give a scenario file")
        }
        return data
    }
}
