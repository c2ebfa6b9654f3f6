import Core
import Foundation

/// The recorded audio files a scenario names (caller clips `say: { wav: … }`, a `babble-file`
/// noise recording), read with libsndfile relative to the scenario file's folder, mixed to mono
/// and resampled to the session's rate.
///
/// Errors name the scenario file, the key that names the audio file, and what is wrong with it.
public final class ScenarioAudioFiles: AudioClipSource {
    /// Longest recording accepted (all of it is held in memory, and kept in the archive).
    public static let maxDurationSeconds = 600
    /// Rates accepted: those of imported calls.
    public static let rateRange = CallImporter.rateRange

    private let directory: String
    private let source: String
    private let keys: [String: String]

    /// Files of `scenario`, loaded from `scenarioPath`'s folder; `source` names the scenario in messages.
    public init(scenario: Scenario, scenarioPath: String) {
        directory = PathName.folder(of: scenarioPath)
        source = scenarioPath
        var keys: [String: String] = [:]
        for (i, turn) in scenario.caller.turns.enumerated() {
            for case .clip(let path, _) in turn.segments where keys[path] == nil { keys[path] = "caller.turns.\(i).say.wav" }
        }
        if scenario.pipeline.noise.kind == "babble-file" { keys[scenario.pipeline.noise.file] = keys[scenario.pipeline.noise.file] ?? "pipeline.noise.file" }
        self.keys = keys
    }

    /// Where `path` (as written in the scenario) is on disk.
    public func location(of path: String) -> String {
        path.hasPrefix("/") || directory == "." ? path : (directory == "/" ? "/" + path : directory + "/" + path)
    }

    public func samples(of path: String, sampleRate: Int) throws -> [Int16] {
        let file = location(of: path)
        func fail(_ detail: String) -> ScenarioError {
            ScenarioError(message: "\(source): \(keys[path] ?? "audio file"): \(path): \(detail)")
        }
        guard !file.utf8.contains(0) else { throw fail("the path contains a NUL byte") }
        switch try InputFile.kind(of: file) {
        case .regular: break
        case .missing: throw fail("no such file")
        case .directory: throw fail("is a directory, not an audio file")
        case .special(let name): throw fail("is \(name), not an audio file; give a regular file")
        }
        let handle: SndfileHandle
        do { handle = try SndfileHandle.openForReading(file) } catch { throw fail("not an audio file libsndfile reads") }
        let channels = Int(handle.info.channels), rate = Int(handle.info.samplerate), frames = Int64(handle.info.frames)
        guard Self.rateRange.contains(rate) else {
            throw fail("sample rate \(rate) Hz is not supported (\(Self.rateRange.lowerBound)–\(Self.rateRange.upperBound) Hz)")
        }
        guard channels >= 1, channels <= 16 else { throw fail("has \(channels) channels") }
        guard frames > 0 else { throw fail("holds no audio") }
        guard frames <= Int64(Self.maxDurationSeconds) * Int64(rate) else {
            throw fail("is longer than \(Self.maxDurationSeconds / 60) minutes")
        }
        let interleaved: [Int16]
        do { interleaved = try handle.readAllInterleaved() } catch { throw fail("cannot be read (\(error))") }
        let count = interleaved.count / channels
        guard count > 0 else { throw fail("holds no audio") }
        var mono = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            var sum = 0
            for c in 0..<channels { sum += Int(interleaved[i * channels + c]) }
            mono[i] = Int16(clamping: sum / channels)
        }
        return Resampler.resample(mono, from: rate, to: sampleRate)
    }
}

/// The recorded audio files kept in an archive's `clips` table: what replays and re-simulations
/// use instead of the files the scenario named.
public final class ArchivedAudioFiles: AudioClipSource {
    private let archivePath: String
    private let recordings: [String: (sampleRate: Int, samples: [Int16])]

    /// The recordings of `archive`.
    public init(archive: SessionArchive) throws {
        archivePath = archive.path
        recordings = try archive.recordings()
    }

    public func samples(of path: String, sampleRate: Int) throws -> [Int16] {
        guard let recording = recordings[path] else {
            throw ArchiveError.corrupt(path: archivePath, detail: "the scenario names the audio file '\(path)' but the archive does not hold it")
        }
        return Resampler.resample(recording.samples, from: recording.sampleRate, to: sampleRate)
    }
}
