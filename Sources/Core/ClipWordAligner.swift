/// Places the words of a recorded clip's text on its audio, for the simulated STT and the
/// ground-truth metrics, when the recording comes without word times.
///
/// The clip's speech is found by level (10 ms blocks within 30 dB of the loudest, 10 dB above the
/// recording's noise floor (its quietest tenth) and above -55 dBFS; pauses under 150 ms joined); the words share that speech time in proportion to their length
/// in characters, so a pause in the recording falls between words, not inside the turn's edges.
public enum ClipWordAligner {
    /// Word timings for `text` spoken in `samples` at `sampleRate`; empty when the clip is silent.
    public static func words(of text: String, in samples: [Int16], sampleRate: Int) -> [WordTiming] {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        let regions = speechRegions(samples, sampleRate: sampleRate)
        guard !words.isEmpty, !regions.isEmpty else { return [] }
        let voiced = regions.reduce(0) { $0 + $1.count }
        let weights = words.map { max(1, $0.count) }
        let total = weights.reduce(0, +)
        // Maps a voiced offset (0...voiced) to a sample index inside the regions.
        func sample(atVoiced offset: Int, end: Bool) -> Int {
            var left = offset
            for r in regions {
                if left < r.count || (end && left == r.count) { return r.lowerBound + left }
                left -= r.count
            }
            return regions.last!.upperBound
        }
        var out: [WordTiming] = []
        var before = 0
        for (word, weight) in zip(words, weights) {
            let a = before * voiced / total, b = (before + weight) * voiced / total
            before += weight
            let start = sample(atVoiced: a, end: false), end = max(start + 1, sample(atVoiced: b, end: true))
            out.append(WordTiming(text: word, startSample: start, endSample: min(end, samples.count)))
        }
        return out
    }

    /// Sample ranges of speech in `samples`.
    static func speechRegions(_ samples: [Int16], sampleRate: Int) -> [Range<Int>] {
        let block = max(1, sampleRate / 100)
        let count = samples.count / block + (samples.count % block == 0 ? 0 : 1)
        guard count > 0 else { return [] }
        var levels: [Double] = []
        levels.reserveCapacity(count)
        for b in 0..<count {
            let lo = b * block, hi = min(samples.count, lo + block)
            levels.append(EnergyVAD.levelDb(Array(samples[lo..<hi])))
        }
        let sorted = levels.sorted()
        let floor = sorted[sorted.count / 10]
        let threshold = max(-55, sorted[sorted.count - 1] - 30, floor + 10)
        let regions = CallSegmentation.regions(levels.map { $0 >= threshold }, mergeGap: 15, minLength: 3)
        return regions.map { r in r.lowerBound * block..<min(samples.count, r.upperBound * block) }
    }
}
