/// The parts of a file path, by text alone (no file system access).
///
/// Foundation's `NSString` path methods trap on a one-character path (`-o b`, `--json -`: an
/// `Illegal instruction` in `_startOfLastPathComponent`), so the commands split paths here.
public enum PathName {
    /// The folder a path names its file in: `a/b/c.ctk` → `a/b`, `c.ctk` → `.`, `/c` → `/`.
    /// Trailing slashes are ignored (`a/b/` → `a`).
    public static func folder(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let folder = trimmingTrailingSlashes(String(trimmed[..<slash]))
        return folder.isEmpty ? "/" : folder
    }

    /// The last component: `a/b/c.ctk` → `c.ctk`, `a/b/` → `b`, `/` → `/`.
    public static func lastComponent(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let last = String(trimmed[trimmed.index(after: slash)...])
        return last.isEmpty ? "/" : last
    }

    /// A file name without its extension: `call.wav` → `call`, `.hidden` → `.hidden`, `a.b.c` → `a.b`.
    public static func deletingExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.last == "/" { text = text.dropLast() }
        return String(text)
    }
}
