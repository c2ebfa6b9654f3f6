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

    /// Frames decoded and written per step (82 s at 20 ms): bounds memory whatever the session's length.
    var chunkFrames = 4096

    /// Writes `path` (replacing it) with the whole session, or only `from..<to` when given.
    ///
    /// Both streams are decoded from frame 0 (a stateful codec's output depends on every packet
    /// before) and written `chunkFrames` at a time, so the WAV is never held in memory.
    public func export(to path: String, from: SimInstant? = nil, to: SimInstant? = nil) throws {
        let format = archive.format
        let frameUs = Int64(format.frameMs) * 1000
        let left: AudioStream = try archive.frameCount(.caller) > 0 ? .caller : .mic
        let streamEnd = try max(archive.frameCount(left), archive.frameCount(.bot))
        let startSample = from.map { format.sampleIndex(at: max($0, .zero)) } ?? 0
        let endSample = min(to.map { format.sampleIndex(at: $0) } ?? Int.max, streamEnd * format.samplesPerFrame)
        let file = try SndfileHandle.createWAV(path, sampleRate: format.sampleRate, channels: 2)
        do {
            if endSample > startSample {
                // Whole frames covering the range, each chunk trimmed to the exact samples.
                let firstFrame = Int(format.instant(ofSample: startSample).microseconds / frameUs)
                let lastFrame = (endSample + format.samplesPerFrame - 1) / format.samplesPerFrame
                try writeChunks(frames: firstFrame..<lastFrame, samples: startSample..<endSample, left: left, to: file)
            }
            try file.close()
        } catch {
            // A half-written WAV is not an export (the packets past it did not decode, or the disk filled).
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Decodes `frames` of `left` and the bot stream `chunkFrames` at a time and writes the samples
    /// numbered `samples` (which those frames cover) to `file`, interleaved.
    private func writeChunks(frames: Range<Int>, samples: Range<Int>, left: AudioStream, to file: SndfileHandle) throws {
        let perFrame = archive.format.samplesPerFrame
        let callerReader = AudioStreamReader(archive: archive, stream: left)
        let botReader = AudioStreamReader(archive: archive, stream: .bot)
        var chunkStart = frames.lowerBound
        while chunkStart < frames.upperBound {
            let chunk = chunkStart..<min(frames.upperBound, chunkStart + chunkFrames)
            let caller = try callerReader.samples(frames: chunk), bot = try botReader.samples(frames: chunk)
            // Sample number of this chunk's first sample, and the part of the chunk kept.
            let base = chunk.lowerBound * perFrame
            let lower = max(samples.lowerBound, base), upper = min(samples.upperBound, chunk.upperBound * perFrame)
            if upper > lower {
                var interleaved = [Int16](repeating: 0, count: (upper - lower) * 2)
                for (i, sample) in (lower..<upper).enumerated() {
                    interleaved[2 * i] = caller[sample - base]
                    interleaved[2 * i + 1] = bot[sample - base]
                }
                try file.writeInterleaved(interleaved[...])
            }
            chunkStart = chunk.upperBound
        }
    }

    /// The span of user turn `turn`: from its first event to its last (nil when it has none).
    public func timeRange(ofTurn turn: Int) throws -> (from: SimInstant, to: SimInstant)? {
        try archive.timeRange(ofTurn: turn)
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
