import DequeModule
import RealModule

/// The baseline voice activity model: frame energy against a tracked noise floor.
///
/// The floor is the minimum frame level over the last three seconds, so steady noise raises the
/// threshold while short speech does not. The probability is a logistic of the level's distance
/// above the threshold (3 dB per e-fold).
public struct EnergyVAD: VoiceActivityModel, Sendable {
    private let marginDb: Double
    private let absoluteFloorDb: Double
    private let windowFrames: Int
    private var levels: Deque<(index: Int, db: Double)> = []
    private var frameIndex = 0

    /// Creates the model from the VAD settings and the frame length.
    public init(settings: PipelineSettings.VAD, frameMs: Int) {
        marginDb = settings.marginDb
        absoluteFloorDb = settings.floorDb
        windowFrames = max(1, 3000 / frameMs)
    }

    /// The level of a frame in dBFS (RMS), −120 for digital silence.
    public static func levelDb(_ frame: [Int16]) -> Double {
        guard !frame.isEmpty else { return -120 }
        var sum: Int64 = 0
        for s in frame { let v = Int64(s); sum += v * v }
        let meanSquare = Double(sum) / Double(frame.count) / (32768.0 * 32768.0)
        return meanSquare > 1e-12 ? 10 * Double.log10(meanSquare) : -120
    }

    /// Speech probability of the next frame, updating the noise floor.
    public mutating func probability(of frame: [Int16]) -> Double {
        let db = Self.levelDb(frame)
        // Monotonic deque: the front is always the window's minimum.
        while let last = levels.last, last.db >= db { levels.removeLast() }
        levels.append((frameIndex, db))
        while let first = levels.first, first.index <= frameIndex - windowFrames { levels.removeFirst() }
        frameIndex += 1
        let noiseFloor = levels.first!.db
        let threshold = max(absoluteFloorDb, noiseFloor + marginDb)
        return 1 / (1 + Double.exp(-(db - threshold) / 3))
    }
}
