import Core
import Foundation
import GRDB

/// Reads one audio stream of an archive from its start, a page of rows at a time, so a whole
/// session's audio is never in memory: packets by position (for byte-exact comparisons) or
/// samples of consecutive frame ranges, decoded exactly as `SessionArchive.decodedAudio` decodes
/// them (one decoder per codec fed every packet from frame 0, a missing frame left silent).
///
/// Reads go forward: each call continues where the last one stopped. Asking for an earlier
/// position starts again from frame 0 (correct, only slower). A reader serves packets or samples,
/// not both.
public final class AudioStreamReader {
    /// The archive read.
    public let archive: SessionArchive
    /// The stream read.
    public let stream: AudioStream
    private let pageFrames: Int
    private var page: [ArchiveAudioRow] = []
    private var index = 0
    /// Position (0-based row number in frame order) of `page[0]`.
    private var pageStart = 0
    private var exhausted = false
    private var decoders: [String: any FrameCodec] = [:]
    /// Frames below this went through the decoders (by the `frame` column).
    private var decodedEnd = 0

    /// A reader of `stream` that fetches `pageFrames` rows per query.
    public init(archive: SessionArchive, stream: AudioStream, pageFrames: Int = 2048) {
        precondition(pageFrames > 0, "a page holds at least one frame")
        self.archive = archive
        self.stream = stream
        self.pageFrames = pageFrames
    }

    /// The row at the current position, fetching the next page when needed; nil after the last.
    private func peek() throws -> ArchiveAudioRow? {
        if index < page.count { return page[index] }
        guard !exhausted else { return nil }
        let after = page.last?.frame ?? -1
        pageStart += page.count
        index = 0
        page = try archive.read { db in
            try ArchiveAudioRow
                .filter(Column("stream") == stream.rawValue && Column("frame") > after)
                .order(Column("frame"))
                .limit(pageFrames)
                .fetchAll(db)
        }
        if page.count < pageFrames { exhausted = true }
        return page.first
    }

    private func rewind() {
        page = []
        index = 0
        pageStart = 0
        exhausted = false
        decoders = [:]
        decodedEnd = 0
    }

    /// The stored packet at `position` (the position-th frame in frame order), or nil past the end.
    public func packet(at position: Int) throws -> (codec: String, bytes: [UInt8])? {
        precondition(position >= 0, "positions start at 0")
        if position < pageStart + index { rewind() }
        while let row = try peek() {
            if pageStart + index == position { return (row.codec, [UInt8](row.data)) }
            index += 1
        }
        return nil
    }

    /// The samples of `frames` (`frames.count * samplesPerFrame` of them, silence where a frame is
    /// missing), decoding every packet from the last call's end (or frame 0) up to `frames.upperBound`.
    public func samples(frames: Range<Int>) throws -> [Int16] {
        precondition(frames.lowerBound >= 0, "frames start at 0")
        if frames.lowerBound < decodedEnd { rewind() }
        let perFrame = archive.format.samplesPerFrame
        var samples = [Int16](repeating: 0, count: frames.count * perFrame)
        while let row = try peek(), row.frame < frames.upperBound {
            index += 1
            try archive.decode(row, stream: stream, decoders: &decoders, into: &samples, from: frames.lowerBound)
        }
        decodedEnd = frames.upperBound
        return samples
    }
}
