import Foundation

/// Where the real engines' files are: the project-local folder `make engines` fills (Silero's model,
/// sherpa-onnx's libraries) and the Debian packages' paths (pocketsphinx's model).
public enum EngineInstall {
    /// The name of the project-local folder `make engines` fills.
    public static let folderName = ".engines"
    /// Environment variable naming the engines folder explicitly (e.g. for an installed binary).
    public static let environmentVariable = "CROSSTALK_ENGINES_DIR"
    /// pocketsphinx-en-us's US English model (acoustic model, language model, dictionary).
    public static let pocketsphinxModel = "/usr/share/pocketsphinx/model/en-us"

    /// The engines folder: `$CROSSTALK_ENGINES_DIR`, else the first `.engines` found walking up
    /// from the executable's folder (`.build/debug/crosstalk` finds the package's), else from the
    /// working directory. Nil when none exists (the engine that needs it says to run `make engines`).
    public static var directory: String? {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment[environmentVariable], !explicit.isEmpty {
            return explicit
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        for start in starts {
            var dir = start
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent(folderName)
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return candidate.path
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }
}
