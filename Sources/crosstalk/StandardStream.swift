#if canImport(Glibc)
import Glibc
#endif

/// Standard output or error, written unbuffered with `write(2)`.
///
/// Foundation's `FileHandle.write` traps when the other end has gone (`crosstalk record … | head -1`:
/// a broken pipe). A closed terminal or pipe is not a reason to lose a recording: what cannot be
/// written is dropped, and the command goes on.
enum StandardStream: Int32 {
    /// File descriptor 1.
    case output = 1
    /// File descriptor 2.
    case error = 2

    /// Writes `text` whole, retrying short writes and interruptions; gives up silently on any other error.
    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
