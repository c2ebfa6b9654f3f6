import Core
import Foundation
import Recorder

/// Decodes a span of one audio stream for the level meters, on its own connection to the archive.
///
/// Decoding starts `AudioLevels.warmupFrames` before the span (enough for the codec to settle for a
/// meter), so the cost and memory of a draw do not grow with how far into the session it is.
final class LevelReader {
    private let archive: SessionArchive

    /// A second connection to the archive at `path`.
    init(path: String, frameCounts: [AudioStream: Int]) throws {
        archive = try SessionArchive(path: path, makeDecoder: ArchiveCodecs.decoder(codec:format:))
    }

    /// The samples of `frames` of `stream`.
    func samples(_ stream: AudioStream, frames: Range<Int>) throws -> [Int16] {
        try archive.decodedAudio(stream, frames: frames, warmupFrames: AudioLevels.warmupFrames)
    }
}
