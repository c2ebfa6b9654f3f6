import RealModule

/// Whisper's log-mel spectrogram of an 8 s window, the input of Smart Turn v3 (`input_features`,
/// 80 mel bins × 800 frames): what the model was trained on, computed here in Swift so the model
/// runs in-process and deterministically.
///
/// The steps, as Whisper's feature extractor defines them for 16 kHz audio: the last 8 s of the
/// turn (128,000 samples; a shorter turn is zero-padded on the left); zero-mean unit-variance
/// normalisation over that padded buffer; reflect padding of 200 samples on each side; a periodic
/// Hann window of 400 samples every 160 samples (801 frames); the power spectrum (201 bins); a
/// Slaney-scale, area-normalised mel filterbank of 80 triangles from 0 to 8 kHz; `log10` floored at
/// 1e-10; values raised to at least the maximum − 8; `(x + 4) / 4`; the last frame dropped.
/// Arithmetic is in `Double` (the normalised samples rounded to `Float`, as the reference has them), in a fixed order, so the same samples give the same features on
/// every run and machine.
public struct WhisperLogMel: Sendable {
    /// The rate the features are defined at.
    public static let sampleRate = 16000
    /// The window the model sees: 8 s.
    public static let windowSamples = 128_000
    /// Mel bins (rows of the output).
    public static let melBins = 80
    /// Frames (columns of the output).
    public static let frames = 800
    /// FFT length (the analysis window).
    public static let fftLength = 400
    /// Samples between frames.
    public static let hop = 160

    private static let bins = fftLength / 2 + 1
    private let window: [Double]
    /// cos and sin of 2πkn/N for bin k (row) and sample n (column).
    private let cosines: [Double]
    private let sines: [Double]
    /// Each mel filter's first nonzero bin and its weights from there.
    private let filters: [(first: Int, weights: [Double])]

    /// Precomputes the window, the transform tables and the filterbank.
    public init() {
        let n = Self.fftLength
        window = (0..<n).map { 0.5 - 0.5 * Double.cos(2 * Double.pi * Double($0) / Double(n)) }
        var cosines = [Double](repeating: 0, count: Self.bins * n), sines = cosines
        for k in 0..<Self.bins {
            for i in 0..<n {
                // Reduce k·i mod N first: the angle stays small and exact.
                let angle = 2 * Double.pi * Double((k * i) % n) / Double(n)
                cosines[k * n + i] = Double.cos(angle)
                sines[k * n + i] = Double.sin(angle)
            }
        }
        self.cosines = cosines
        self.sines = sines
        filters = Self.melFilters()
    }

    /// The features of `samples` (16 kHz, full scale ±1) taken as one user turn: `melBins × frames`
    /// values, row by row (index `mel * frames + frame`).
    public func features(of samples: [Float]) -> [Float] {
        let length = Self.windowSamples
        var audio = [Double](repeating: 0, count: length)
        let kept = samples.suffix(length)
        for (i, sample) in kept.enumerated() { audio[length - kept.count + i] = Double(sample) }
        // Normalise over the padded buffer (population variance). The mean and variance are summed in
        // Double; the normalisation itself is done in Float, as the reference does it: the int8 model is
        // sensitive enough that Double here moves a probability by 0.1 (numbers-cut.wav at 1.6 s).
        var sum = 0.0
        for value in audio { sum += value }
        let mean = sum / Double(length)
        var squares = 0.0
        for value in audio { squares += (value - mean) * (value - mean) }
        let mean32 = Float(mean), scale32 = (Float(squares / Double(length)) + Float(1e-7)).squareRoot()
        for i in audio.indices { audio[i] = Double((Float(audio[i]) - mean32) / scale32) }
        // Reflect padding (the edge sample is not repeated).
        let pad = Self.fftLength / 2
        var padded = [Double](repeating: 0, count: length + 2 * pad)
        for i in 0..<pad { padded[i] = audio[pad - i] }
        for i in 0..<length { padded[pad + i] = audio[i] }
        for i in 0..<pad { padded[pad + length + i] = audio[length - 2 - i] }

        var logMel = [Double](repeating: 0, count: Self.melBins * Self.frames)
        var frame = [Double](repeating: 0, count: Self.fftLength)
        var power = [Double](repeating: 0, count: Self.bins)
        var largest = -Double.infinity
        for t in 0..<Self.frames {  // the 801st frame is dropped, so it is never computed
            let start = t * Self.hop
            for i in 0..<Self.fftLength { frame[i] = padded[start + i] * window[i] }
            spectrum(frame, into: &power)
            for (m, filter) in filters.enumerated() {
                var energy = 0.0
                for (j, weight) in filter.weights.enumerated() { energy += weight * power[filter.first + j] }
                let value = Double.log10(max(energy, 1e-10))
                logMel[m * Self.frames + t] = value
                largest = max(largest, value)
            }
        }
        let floor = largest - 8
        return logMel.map { Float((max($0, floor) + 4) / 4) }
    }

    /// |DFT|² of one windowed frame, bins 0…N/2.
    private func spectrum(_ frame: [Double], into power: inout [Double]) {
        let n = Self.fftLength
        cosines.withUnsafeBufferPointer { c in
            sines.withUnsafeBufferPointer { s in
                frame.withUnsafeBufferPointer { x in
                    for k in 0..<Self.bins {
                        var re = 0.0, im = 0.0
                        let row = k * n
                        for i in 0..<n {
                            re += x[i] * c[row + i]
                            im -= x[i] * s[row + i]
                        }
                        power[k] = re * re + im * im
                    }
                }
            }
        }
    }

    /// Slaney mel scale: linear below 1 kHz (3 mel per 200 Hz), logarithmic above.
    public static func mel(ofHertz hertz: Double) -> Double {
        hertz < 1000 ? 3 * hertz / 200 : 15 + Double.log(hertz / 1000) * 27 / Double.log(6.4)
    }

    /// The inverse of `mel(ofHertz:)`.
    public static func hertz(ofMel mel: Double) -> Double {
        mel < 15 ? 200 * mel / 3 : 1000 * Double.exp(Double.log(6.4) / 27 * (mel - 15))
    }

    /// 80 triangles evenly spaced in mel from 0 Hz to 8 kHz over the 201 FFT bins, each scaled by
    /// 2 / (its width in Hz) so that every filter has the same area.
    public static func melFilters() -> [(first: Int, weights: [Double])] {
        let count = melBins
        let low = mel(ofHertz: 0), high = mel(ofHertz: Double(sampleRate) / 2)
        let edges = (0..<(count + 2)).map { hertz(ofMel: low + (high - low) * Double($0) / Double(count + 1)) }
        let binHertz = (0..<bins).map { Double(sampleRate / 2) * Double($0) / Double(bins - 1) }
        return (0..<count).map { m in
            let left = edges[m], centre = edges[m + 1], right = edges[m + 2]
            let norm = 2 / (right - left)
            let weights = binHertz.map { f in max(0, min((f - left) / (centre - left), (right - f) / (right - centre))) * norm }
            let first = weights.firstIndex { $0 > 0 } ?? 0
            let last = weights.lastIndex { $0 > 0 } ?? first
            return (first, Array(weights[first...last]))
        }
    }
}
