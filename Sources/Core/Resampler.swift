import RealModule

/// Converts mono 16-bit audio between sample rates with a Kaiser-windowed sinc filter.
///
/// The rate ratio is reduced to `up/down` (22050→16000 is 320/441) and the filter is precomputed
/// as one row of integer (Q14) taps per output phase, so resampling is integer arithmetic only:
/// the same input gives the same output on every run and every machine that builds the same
/// table. Build one `Resampler` per rate pair and reuse it; building the table costs about as much
/// as resampling a few seconds of audio.
///
/// Output sample `k` sits at input time `k * inputRate / outputRate`; sample 0 maps to sample 0.
/// The low-pass cutoff is 0.9 of the lower of the two Nyquist frequencies, with 16 zero crossings
/// of the sinc on each side of the centre tap. Samples outside the input count as silence.
public struct Resampler: Sendable {
    /// Samples per second of the input.
    public let inputRate: Int
    /// Samples per second of the output.
    public let outputRate: Int

    /// Interpolation factor of the reduced ratio (`outputRate / gcd`).
    private let up: Int
    /// Decimation factor of the reduced ratio (`inputRate / gcd`).
    private let down: Int
    /// Filter phases in the table: `up`, or `maxPhases` when `up` is larger (nearest phase is used).
    private let phaseCount: Int
    /// Input samples each side of the output position that the filter reads.
    private let halfWidth: Int
    /// Taps per row: `2 * halfWidth` rounded up to a multiple of 8 (zeros) for the SIMD loop.
    private let rowWidth: Int
    /// `phaseCount` rows of `rowWidth` Q14 taps; each row sums to exactly 1.0 (16384).
    ///
    /// Q14 rather than Q15 leaves room for rows whose absolute sum exceeds 2 (sharp upsampling
    /// filters): a dot product with full-scale input then still fits in Int32.
    private let taps: [Int16]

    /// Largest phase table kept exact; beyond it phases are rounded (error ≤ 1/2048 input sample).
    private static let maxPhases = 1024
    /// Zero crossings of the sinc on each side of the centre tap.
    private static let zeroCrossings = 16
    /// Cutoff as a fraction of the lower Nyquist frequency.
    private static let cutoffFraction = 0.9
    /// Fractional bits of the integer taps.
    private static let fractionBits = 14
    /// Kaiser window shape (about 70 dB stop-band attenuation).
    private static let kaiserBeta = 7.0

    /// Creates a resampler from `inputRate` to `outputRate` (both in Hz, positive).
    public init(from inputRate: Int, to outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive (\(inputRate) → \(outputRate))")
        self.inputRate = inputRate
        self.outputRate = outputRate
        let divisor = Self.gcd(inputRate, outputRate)
        up = outputRate / divisor
        down = inputRate / divisor
        if inputRate == outputRate {
            phaseCount = 1
            halfWidth = 0
            rowWidth = 0
            taps = []
            return
        }
        phaseCount = min(up, Self.maxPhases)
        // Cutoff relative to the input rate: 1.0 would be the input's Nyquist frequency.
        let cutoff = Self.cutoffFraction * Double(min(inputRate, outputRate)) / Double(inputRate)
        halfWidth = Int((Double(Self.zeroCrossings) / cutoff).rounded(.up))
        rowWidth = (2 * halfWidth + 7) / 8 * 8
        taps = Self.makeTable(phases: phaseCount, halfWidth: halfWidth, rowWidth: rowWidth, cutoff: cutoff)
    }

    /// Resamples `samples` from `from` Hz to `to` Hz (builds a table each call; reuse a
    /// `Resampler` for many clips).
    public static func resample(_ samples: [Int16], from: Int, to: Int) -> [Int16] {
        if from == to { return samples }
        return Resampler(from: from, to: to).resample(samples)
    }

    /// The number of output samples for `count` input samples: `count * to / from`, rounded.
    public static func outputCount(forInputCount count: Int, from: Int, to: Int) -> Int {
        precondition(count >= 0 && from > 0 && to > 0, "bad resampling request (\(count) samples, \(from) → \(to))")
        return (count * to + from / 2) / from
    }

    /// The sample index at rate `to` nearest to sample `index` at rate `from`.
    public static func mapIndex(_ index: Int, from: Int, to: Int) -> Int {
        precondition(index >= 0 && from > 0 && to > 0, "bad index mapping (\(index), \(from) → \(to))")
        return (index * to + from / 2) / from
    }

    /// The output sample index nearest to input sample `index`.
    public func outputIndex(ofInputIndex index: Int) -> Int {
        Self.mapIndex(index, from: inputRate, to: outputRate)
    }

    /// The input sample index nearest to output sample `index`.
    public func inputIndex(ofOutputIndex index: Int) -> Int {
        Self.mapIndex(index, from: outputRate, to: inputRate)
    }

    /// Resamples one whole clip; the output has `outputCount(forInputCount:)` samples.
    public func resample(_ samples: [Int16]) -> [Int16] {
        if inputRate == outputRate { return samples }
        let count = Self.outputCount(forInputCount: samples.count, from: inputRate, to: outputRate)
        if count == 0 { return [] }
        let width = rowWidth
        // Zero padding on both sides so the inner loop never checks bounds.
        var padded = [Int16](repeating: 0, count: samples.count + 2 * width + 2)
        padded.replaceSubrange(width..<(width + samples.count), with: samples)
        var output = [Int16](repeating: 0, count: count)
        padded.withUnsafeBufferPointer { input in
            taps.withUnsafeBufferPointer { table in
                output.withUnsafeMutableBufferPointer { out in
                    filter(input: input, table: table, into: out, width: width)
                }
            }
        }
        return output
    }

    /// The polyphase inner loop: one dot product of `width` taps per output sample, 8 at a time.
    ///
    /// Integer products and sums are exact (the table is checked against overflow), so the result
    /// does not depend on the order of the additions.
    private func filter(
        input: UnsafeBufferPointer<Int16>, table: UnsafeBufferPointer<Int16>,
        into out: UnsafeMutableBufferPointer<Int16>, width: Int
    ) {
        let exactPhases = phaseCount == up
        let samples = UnsafeRawPointer(input.baseAddress!)
        let coefficients = UnsafeRawPointer(table.baseAddress!)
        let half = Int32(1) << (Self.fractionBits - 1)
        for k in 0..<out.count {
            let position = k * down
            var base = position / up
            var phase = position - base * up
            if !exactPhases {
                phase = (phase * phaseCount + up / 2) / up
                if phase == phaseCount { phase = 0; base += 1 }
            }
            // Taps cover input samples base - halfWidth + 1 ... ; the input is padded by `width`.
            let first = (base - halfWidth + 1 + width) * 2
            let row = phase * width * 2
            var sum = SIMD8<Int32>()
            var j = 0
            while j < width {
                let x = samples.loadUnaligned(fromByteOffset: first + 2 * j, as: SIMD8<Int16>.self)
                let h = coefficients.loadUnaligned(fromByteOffset: row + 2 * j, as: SIMD8<Int16>.self)
                sum &+= SIMD8<Int32>(truncatingIfNeeded: x) &* SIMD8<Int32>(truncatingIfNeeded: h)
                j += 8
            }
            out[k] = Int16(clamping: (sum.wrappedSum() &+ half) >> Self.fractionBits)
        }
    }

    /// Builds the Q14 tap table; each row is normalized to a DC gain of exactly 1.
    private static func makeTable(phases: Int, halfWidth: Int, rowWidth: Int, cutoff: Double) -> [Int16] {
        let width = 2 * halfWidth
        var table = [Int16](repeating: 0, count: phases * rowWidth)
        let windowNorm = besselI0(kaiserBeta)
        let unity = 1 << fractionBits
        var row = [Double](repeating: 0, count: width)
        for phase in 0..<phases {
            let fraction = Double(phase) / Double(phases)
            var total = 0.0
            for j in 0..<width {
                // Distance in input samples from the output position to tap j's input sample.
                let t = Double(halfWidth - 1 - j) + fraction
                let ratio = t / Double(halfWidth)
                let window = ratio * ratio >= 1 ? 0 : besselI0(kaiserBeta * (1 - ratio * ratio).squareRoot()) / windowNorm
                row[j] = cutoff * sinc(cutoff * t) * window
                total += row[j]
            }
            var quantizedSum = 0
            var largest = 0
            for j in 0..<width {
                let q = Int((row[j] / total * Double(unity)).rounded())
                table[phase * rowWidth + j] = Int16(clamping: q)
                quantizedSum += q
                if abs(row[j]) > abs(row[largest]) { largest = j }
            }
            // Put the rounding remainder on the largest tap so DC passes unchanged.
            table[phase * rowWidth + largest] = Int16(clamping: Int(table[phase * rowWidth + largest]) + unity - quantizedSum)
            let absoluteSum = (0..<width).reduce(0) { $0 + abs(Int(table[phase * rowWidth + $1])) }
            // Full-scale input times these taps must fit in Int32.
            precondition(absoluteSum < 65536, "resampler taps would overflow Int32 (sum of |taps| = \(absoluteSum))")
        }
        return table
    }

    /// sin(πx)/(πx), 1 at 0.
    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let angle = Double.pi * x
        return Double.sin(angle) / angle
    }

    /// The modified Bessel function of the first kind, order 0 (power series).
    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        let half = x / 2
        var k = 1.0
        while term > 1e-15 * sum {
            term *= (half / k) * (half / k)
            sum += term
            k += 1
        }
        return sum
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
