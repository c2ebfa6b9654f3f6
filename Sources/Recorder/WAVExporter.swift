import CSndfile
import Core
import Foundation

/// Exports an archive's audio as a stereo 16-bit WAV: the caller stream on the left (the mic
/// stream when the archive has no caller stream, as a live recording may not), the bot's playback
/// on the right, both decoded exactly as a replay would see them.
public struct WAVExporter {
    /// The archive to export from.
    public let archive: SessionArchive

    /// Creates an exporter for `archive`.
    public init(archive: SessionArchive) {
        self.archive = archive
    }

    /// Writes `path` (replacing it) with the whole session, or only `from..<to` when given.
    public func export(to path: String, from: SimInstant? = nil, to: SimInstant? = nil) throws {
        let format = archive.format
        let frameUs = Int64(format.frameMs) * 1000
        let left: AudioStream = try archive.frameCount(.caller) > 0 ? .caller : .mic
        let streamEnd = try max(archive.frameCount(left), archive.frameCount(.bot))
        let startSample = from.map { format.sampleIndex(at: max($0, .zero)) } ?? 0
        let endSample = min(to.map { format.sampleIndex(at: $0) } ?? Int.max, streamEnd * format.samplesPerFrame)
        guard endSample > startSample else {
            try Self.writeStereo(left: [], right: [], sampleRate: format.sampleRate, to: path)
            return
        }
        // Whole frames covering the range, then trimmed to the exact samples.
        let firstFrame = Int(format.instant(ofSample: startSample).microseconds / frameUs)
        let lastFrame = (endSample + format.samplesPerFrame - 1) / format.samplesPerFrame
        let frames = firstFrame..<lastFrame
        let offset = startSample - firstFrame * format.samplesPerFrame
        let count = endSample - startSample
        let caller = try archive.decodedAudio(left, frames: frames)
        let bot = try archive.decodedAudio(.bot, frames: frames)
        func slice(_ samples: [Int16]) -> [Int16] {
            var out = [Int16](repeating: 0, count: count)
            for i in 0..<count where offset + i < samples.count { out[i] = samples[offset + i] }
            return out
        }
        try Self.writeStereo(left: slice(caller), right: slice(bot), sampleRate: format.sampleRate, to: path)
    }

    /// The span of user turn `turn`: from its first event to its last (nil when it has none).
    public func timeRange(ofTurn turn: Int) throws -> (from: SimInstant, to: SimInstant)? {
        let times = try archive.events().filter { $0.turn == turn }.map(\.time)
        guard let first = times.min(), let last = times.max() else { return nil }
        return (first, last)
    }

    /// Writes `left` and `right` as a stereo 16-bit WAV; the shorter side is padded with silence.
    public static func writeStereo(left: [Int16], right: [Int16], sampleRate: Int, to path: String) throws {
        let file = try SndfileHandle.createWAV(path, sampleRate: sampleRate, channels: 2)
        let frames = max(left.count, right.count)
        let chunkFrames = 65_536
        var interleaved = [Int16](repeating: 0, count: min(frames, chunkFrames) * 2)
        var start = 0
        while start < frames {
            let n = min(chunkFrames, frames - start)
            for i in 0..<n {
                let j = start + i
                interleaved[2 * i] = j < left.count ? left[j] : 0
                interleaved[2 * i + 1] = j < right.count ? right[j] : 0
            }
            try file.writeInterleaved(interleaved[0..<(2 * n)])
            start += n
        }
        try file.close()
    }
}
