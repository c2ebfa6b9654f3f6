/// Loads the recorded audio files a scenario names (caller clips, a noise recording), as mono
/// 16-bit samples at the session's rate.
///
/// Core does no I/O: the Recorder reads files from disk for `simulate` and reads the copies kept
/// in an archive for replays, so a replay needs none of the original files.
public protocol AudioClipSource: AnyObject {
    /// The samples of `path` (as written in the scenario) at `sampleRate`, mono.
    func samples(of path: String, sampleRate: Int) throws -> [Int16]
}
