import CSndfile
import Foundation

/// Reads any audio file libsndfile reads (WAV, FLAC, AIFF, Ogg, …) as 16-bit samples, for imports,
/// noise files and checking exports. No resampling: the file's own rate is reported.
public enum WAVReader {
    /// A file's samples, per channel.
    public struct Audio: Hashable, Sendable {
        /// Samples per second.
        public var sampleRate: Int
        /// One array per channel, all the same length.
        public var channels: [[Int16]]

        /// Creates audio from per-channel samples.
        public init(sampleRate: Int, channels: [[Int16]]) {
            self.sampleRate = sampleRate
            self.channels = channels
        }

        /// Samples per channel.
        public var frameCount: Int { channels.first?.count ?? 0 }

        /// The channels averaged into one (rounded to nearest); the only channel when mono.
        public var mono: [Int16] {
            guard channels.count > 1 else { return channels.first ?? [] }
            var out = [Int16](repeating: 0, count: frameCount)
            let count = Double(channels.count)
            for i in 0..<frameCount {
                var sum = 0
                for channel in channels { sum += Int(channel[i]) }
                out[i] = Int16((Double(sum) / count).rounded())
            }
            return out
        }
    }

    /// Reads the whole file at `path`. Throws `ArchiveError` naming the file when it is missing, not
    /// audio libsndfile understands, or (with `maxSeconds`) longer than that by its header, before
    /// anything is read.
    public static func read(path: String, maxSeconds: Double? = nil) throws -> Audio {
        let file = try SndfileHandle.openForReading(path)
        let channelCount = Int(file.info.channels)
        guard channelCount > 0, file.info.samplerate > 0 else {
            throw ArchiveError.audioFile(path: path, detail: "no audio channels")
        }
        if let maxSeconds, Double(file.info.frames) > maxSeconds * Double(file.info.samplerate) {
            try? file.close()
            throw ArchiveError.audioFile(path: path, detail: "longer than \(Int(maxSeconds)) s (\(file.info.frames) frames at \(file.info.samplerate) Hz)")
        }
        let interleaved = try file.readAllInterleaved()
        try file.close()
        let frames = interleaved.count / channelCount
        var channels = [[Int16]](repeating: [Int16](repeating: 0, count: frames), count: channelCount)
        for c in 0..<channelCount {
            channels[c].withUnsafeMutableBufferPointer { out in
                for i in 0..<frames { out[i] = interleaved[i * channelCount + c] }
            }
        }
        return Audio(sampleRate: Int(file.info.samplerate), channels: channels)
    }
}
