import CSndfile
import Core

/// The audio of a LiveKit recording (`audio.ogg` from RecorderIO): Ogg Opus with two channels, the
/// user's and the agent's, decoded by libsndfile and resampled to the archive's rate.
public struct LiveKitAudio: Sendable {
    /// The user's channel at the archive rate.
    public var user: [Int16]
    /// The agent's channel at the archive rate.
    public var agent: [Int16]
    /// The file's own rate.
    public var fileRate: Int

    /// The longest recording imported (both channels are held in memory).
    public static let maxSeconds = 2 * 3600

    /// Reads `path`; `userChannel` (0 or 1) is the user's, the other the agent's.
    public static func read(path: String, userChannel: Int, rate: Int) throws -> LiveKitAudio {
        func fail(_ detail: String) -> ArchiveError { .audioFile(path: path, detail: detail) }
        let file = try SndfileHandle.openForReading(path)
        let format = Int(file.info.format)
        let container = format & Int(SF_FORMAT_TYPEMASK), codec = format & Int(SF_FORMAT_SUBMASK)
        guard container == Int(SF_FORMAT_OGG) else {
            throw fail("is not an Ogg file (libsndfile format 0x\(String(container, radix: 16))); LiveKit's RecorderIO writes Ogg Opus")
        }
        guard codec == Int(SF_FORMAT_OPUS) else {
            let name = codec == Int(SF_FORMAT_VORBIS) ? "Vorbis" : "codec 0x\(String(codec, radix: 16))"
            throw fail("is Ogg \(name), not Ogg Opus (LiveKit's RecorderIO writes Opus)")
        }
        let channels = Int(file.info.channels), fileRate = Int(file.info.samplerate)
        guard channels == 2 else {
            throw fail("has \(channels) channel\(channels == 1 ? "" : "s"); a LiveKit recording has 2 (the user's and the agent's)")
        }
        guard ArchiveSchema.sampleRateRange.contains(fileRate) else {
            throw fail("sample rate \(fileRate) Hz is outside \(ArchiveSchema.sampleRateRange.lowerBound)–\(ArchiveSchema.sampleRateRange.upperBound) Hz")
        }
        let frames = Int64(file.info.frames)
        guard frames > 0 else { throw fail("holds no audio (0 samples)") }
        guard frames <= Int64(maxSeconds) * Int64(fileRate) else {
            throw fail("is \(frames / Int64(fileRate) / 60) minutes long; imports are limited to \(maxSeconds / 60) minutes")
        }
        let raw = try file.readChannels([userChannel, 1 - userChannel])
        try file.close()
        let resampler = Resampler(from: fileRate, to: rate)
        return LiveKitAudio(user: resampler.resample(raw[0]), agent: resampler.resample(raw[1]), fileRate: fileRate)
    }
}
