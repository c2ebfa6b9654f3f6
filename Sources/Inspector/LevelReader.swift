import Core
import Foundation
import Recorder

/// Decodes a span of one audio stream without decoding the whole session before it.
///
/// `SessionArchive.decodedAudio(_:frames:)` feeds every packet from frame 0 through one decoder,
/// since a stateful codec's output depends on what came before. For a level meter a decoder that
/// starts `AudioLevels.warmupFrames` before the span has settled, so this reader hands the archive a
/// decoder that passes over earlier packets without decoding them. That is only sound when packet
/// order matches frame numbers (every frame stored, as simulated and replayed sessions write them);
/// otherwise it decodes from the start.
final class LevelReader {
    /// Which packet the next decode starts at; read by the decoders the archive makes.
    final class SkipPlan {
        var skipPackets = 0
    }

    /// A decoder that returns no samples for the first `skip` packets, then decodes normally.
    final class SkippingDecoder: FrameCodec {
        let inner: any FrameCodec
        var remaining: Int
        init(inner: any FrameCodec, skip: Int) {
            self.inner = inner
            remaining = skip
        }
        var name: String { inner.name }
        func encode(_ frame: [Int16]) throws -> [UInt8] { try inner.encode(frame) }
        func decode(_ packet: [UInt8]) throws -> [Int16] {
            if remaining > 0 {
                remaining -= 1
                return []
            }
            return try inner.decode(packet)
        }
    }

    private let archive: SessionArchive
    private let plan: SkipPlan
    /// Whether every stream has the same number of frames (so packet index = frame index).
    private let dense: Bool

    /// A second connection to the archive at `path`.
    init(path: String, frameCounts: [AudioStream: Int]) throws {
        let plan = SkipPlan()
        self.plan = plan
        archive = try SessionArchive(path: path) { codec, format in
            guard let inner = try ArchiveCodecs.decoder(codec: codec, format: format) else { return nil }
            return SkippingDecoder(inner: inner, skip: plan.skipPackets)
        }
        dense = Set(frameCounts.values.filter { $0 > 0 }).count == 1
    }

    /// The samples of `frames` of `stream`.
    func samples(_ stream: AudioStream, frames: Range<Int>) throws -> [Int16] {
        plan.skipPackets = dense ? max(0, frames.lowerBound - AudioLevels.warmupFrames) : 0
        defer { plan.skipPackets = 0 }
        return try archive.decodedAudio(stream, frames: frames)
    }
}
