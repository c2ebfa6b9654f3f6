import Core
import Foundation
import Recorder

/// A recorder that, instead of writing, checks every frame and VAD row of a replay against the
/// archive: caller and bot frames are encoded with fresh codecs (as the original recorder did) and
/// compared byte for byte with the stored packets; mic packets come encoded from the loop.
/// The stored packets are read a page at a time as the replay reaches them, not held whole.
final class AudioComparison: SessionRecording {
    private var stored: [AudioStream: AudioStreamReader] = [:]
    private var storedCounts: [AudioStream: Int] = [:]
    private var codecs: [AudioStream: any FrameCodec] = [:]
    private let recordedVAD: [VADFrame]
    private let makeCodec: () throws -> any FrameCodec
    private var firstMismatch: String?

    init(archive: SessionArchive, makeCodec: @escaping () throws -> any FrameCodec) throws {
        for stream in AudioStream.allCases {
            stored[stream] = AudioStreamReader(archive: archive, stream: stream)
            storedCounts[stream] = try archive.frameCount(stream)
        }
        recordedVAD = try archive.vadFrames()
        self.makeCodec = makeCodec
    }

    private func mismatch(_ text: String) { if firstMismatch == nil { firstMismatch = text } }

    func record(event: PipelineEvent) {}

    func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?) {
        guard firstMismatch == nil else { return }
        do {
            let bytes: [UInt8]
            if let packet {
                bytes = packet
            } else {
                if codecs[stream] == nil { codecs[stream] = try makeCodec() }
                bytes = try codecs[stream]!.encode(samples)
            }
            guard frame < storedCounts[stream] ?? 0, let recorded = try stored[stream]?.packet(at: frame) else {
                return mismatch("\(stream.rawValue) frame \(frame): not in the recording")
            }
            if recorded.bytes != bytes { mismatch("\(stream.rawValue) frame \(frame) (t=\(time)): audio differs") }
        } catch {
            mismatch("\(stream.rawValue) frame \(frame): \(error)")
        }
    }

    func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool) {
        guard firstMismatch == nil else { return }
        guard frame < recordedVAD.count else { return mismatch("vad frame \(frame): not in the recording") }
        let r = recordedVAD[frame]
        if r.probability != probability || r.speech != speech { mismatch("vad frame \(frame) (t=\(time)): probability differs") }
    }

    func checkpoint(at time: SimInstant) throws {}

    /// The first mismatch, including a different frame count.
    func finish(frames: Int) -> String? {
        if firstMismatch == nil, let n = storedCounts[.mic], n != frames {
            mismatch("the recording has \(n) frames, the replay \(frames)")
        }
        return firstMismatch
    }
}
