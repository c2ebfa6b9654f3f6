/// The caller's speech laid out on the sample timeline: each started turn's audio at its start sample.
public struct CallerTape: Sendable {
    private var clips: [(start: Int, samples: [Int16])] = []

    /// An empty tape.
    public init() {}

    /// Places `samples` so that they start at sample `start`.
    public mutating func place(_ samples: [Int16], at start: Int) {
        clips.append((start, samples))
    }

    /// The caller's samples for `[start, start + count)` (silence where nothing is placed);
    /// clips that end before `start` are dropped, so memory stays bounded.
    public mutating func samples(from start: Int, count: Int) -> [Int16] {
        var out = [Int32](repeating: 0, count: count)
        for clip in clips {
            let lo = max(start, clip.start), hi = min(start + count, clip.start + clip.samples.count)
            guard lo < hi else { continue }
            for i in lo..<hi { out[i - start] += Int32(clip.samples[i - clip.start]) }
        }
        clips.removeAll { $0.start + $0.samples.count <= start }
        return out.map { Int16(clamping: $0) }
    }
}
