import Core

/// A stored stream's packets, decoded on demand (the recorded audio of an imported call).
public final class PacketFrames: RecordedFrames {
    /// The packets, one per frame.
    public let packets: [[UInt8]]
    private let makeDecoder: () throws -> any FrameCodec
    private let samplesPerFrame: Int
    private var decoder: (any FrameCodec)?
    private var next = 0

    /// Frames decoded and dropped before a stretch read by `samples(_:)`, so its first frames
    /// decode as they would in sequence (Opus carries state from frame to frame).
    static let warmupFrames = 10

    /// Wraps `packets` of frames of `samplesPerFrame`, decoded by codecs from `makeDecoder`.
    public init(packets: [[UInt8]], samplesPerFrame: Int, makeDecoder: @escaping () throws -> any FrameCodec) {
        self.packets = packets
        self.samplesPerFrame = samplesPerFrame
        self.makeDecoder = makeDecoder
    }

    /// Number of frames.
    public var count: Int { packets.count }

    public func frame(_ index: Int) throws -> (samples: [Int16], packet: [UInt8]) {
        precondition(index == next, "frames are read in order (asked for \(index), next is \(next))")
        guard index < packets.count else {
            // Past the end of the recording: silence (a stream can be shorter than the session).
            next += 1
            return ([Int16](repeating: 0, count: samplesPerFrame), [])
        }
        if decoder == nil { decoder = try makeDecoder() }
        next += 1
        return (try decoder!.decode(packets[index]), packets[index])
    }

    public func samples(_ frames: Range<Int>) throws -> [Int16] {
        let codec = try makeDecoder()
        var out: [Int16] = []
        out.reserveCapacity(frames.count * samplesPerFrame)
        for f in max(0, frames.lowerBound - Self.warmupFrames)..<frames.upperBound {
            let samples = f < packets.count ? try codec.decode(packets[f]) : [Int16](repeating: 0, count: samplesPerFrame)
            if f >= frames.lowerBound { out.append(contentsOf: samples) }
        }
        return out
    }
}
