import Core
import RealModule
import Testing

@Suite struct ResamplerTests {
    /// `seconds` of a sine at `frequency` Hz and peak `amplitude`, sampled at `rate`.
    private func sine(_ frequency: Double, rate: Int, seconds: Double = 1, amplitude: Double = 10000) -> [Int16] {
        let count = Int(Double(rate) * seconds)
        return (0..<count).map { i in
            Int16((amplitude * Double.sin(2 * Double.pi * frequency * Double(i) / Double(rate))).rounded())
        }
    }

    /// Sign changes (ignoring exact zeros) in `samples`.
    private func zeroCrossings(_ samples: ArraySlice<Int16>) -> Int {
        var count = 0
        var previous: Int16 = 0
        for s in samples where s != 0 {
            if previous != 0 && (s > 0) != (previous > 0) { count += 1 }
            previous = s
        }
        return count
    }

    private func rms(_ samples: ArraySlice<Int16>) -> Double {
        let energy = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (energy / Double(max(samples.count, 1))).squareRoot()
    }

    @Test(arguments: [22050, 8000, 44100, 48000, 11025])
    func sineKeepsFrequencyAndAmplitude(inputRate: Int) {
        let input = sine(440, rate: inputRate)
        let output = Resampler.resample(input, from: inputRate, to: 16000)
        let expectedCount = (Double(input.count) * 16000 / Double(inputRate)).rounded()
        #expect(abs(Double(output.count) - expectedCount) <= 1, "\(inputRate) Hz: \(output.count) samples")
        // Skip the filter's edge (first and last 50 ms).
        let middle = output[800..<(output.count - 800)]
        let seconds = Double(middle.count) / 16000
        let crossings = Double(zeroCrossings(middle))
        #expect(abs(crossings - 2 * 440 * seconds) <= 2, "\(inputRate) Hz: \(crossings) zero crossings")
        let expectedRMS = 10000 / 2.0.squareRoot()
        #expect(abs(rms(middle) / expectedRMS - 1) < 0.02, "\(inputRate) Hz: rms \(rms(middle))")
        #expect(middle.map { abs(Int($0)) }.max()! <= 10100)
    }

    @Test func lengthIsRoundedRatio() {
        for n in [0, 1, 2, 441, 1000, 22049, 22050, 73614] {
            let output = Resampler.resample([Int16](repeating: 0, count: n), from: 22050, to: 16000)
            #expect(output.count == Resampler.outputCount(forInputCount: n, from: 22050, to: 16000))
            #expect(abs(Double(output.count) - (Double(n) * 16000 / 22050).rounded()) <= 1, "n=\(n)")
        }
    }

    @Test func constantPassesExactly() {
        let output = Resampler.resample([Int16](repeating: 1234, count: 22050), from: 22050, to: 16000)
        #expect(output[100..<(output.count - 100)].allSatisfy { $0 == 1234 })
    }

    @Test func toneAboveOutputNyquistIsRemoved() {
        // 10 kHz cannot exist at 16 kHz; it must be filtered, not aliased to 6 kHz.
        let output = Resampler.resample(sine(10000, rate: 22050), from: 22050, to: 16000)
        #expect(rms(output[800..<(output.count - 800)]) < 0.01 * 10000 / 2.0.squareRoot())
    }

    @Test func identityReturnsInput() {
        let input = sine(440, rate: 16000, seconds: 0.1)
        #expect(Resampler.resample(input, from: 16000, to: 16000) == input)
        #expect(Resampler(from: 16000, to: 16000).resample(input) == input)
    }

    @Test func sameInputSameOutput() {
        var generator = SplitMix64(seed: 11)
        let noise = (0..<22050).map { _ in Int16(truncatingIfNeeded: generator.next()) }
        let resampler = Resampler(from: 22050, to: 16000)
        let first = resampler.resample(noise)
        #expect(resampler.resample(noise) == first)
        #expect(Resampler.resample(noise, from: 22050, to: 16000) == first)
        #expect(first.count == 16000)
    }

    @Test func fullScaleDoesNotWrap() {
        // A full-scale square wave overshoots (Gibbs); the output must clamp, not wrap around.
        let square = (0..<4410).map { ($0 / 50) % 2 == 0 ? Int16.max : Int16.min }
        let output = Resampler.resample(square, from: 22050, to: 16000)
        for k in 100..<3100 {
            let phase = (k * 22050 / 16000) % 100
            if (10..<40).contains(phase) { #expect(output[k] > 16000, "sample \(k)") }
            if (60..<90).contains(phase) { #expect(output[k] < -16000, "sample \(k)") }
        }
    }

    @Test func mapsIndicesBetweenRates() {
        #expect(Resampler.mapIndex(0, from: 22050, to: 16000) == 0)
        #expect(Resampler.mapIndex(22050, from: 22050, to: 16000) == 16000)
        #expect(Resampler.mapIndex(441, from: 22050, to: 16000) == 320)
        let resampler = Resampler(from: 22050, to: 16000)
        for i in stride(from: 0, to: 100_000, by: 997) {
            let there = resampler.outputIndex(ofInputIndex: i)
            #expect(abs(resampler.inputIndex(ofOutputIndex: there) - i) <= 1)
        }
    }
}
