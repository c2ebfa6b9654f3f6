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
    /// The transform is a 400-point DFT split as 16 × 25 (Cooley–Tukey): 25 DFTs of 16 real samples,
    /// twiddles, then 16 DFTs of 25, of which only the bins up to N/2 are kept. Fixed order, so the
    /// same frame gives the same spectrum on every run.
    private static let (rows, columns) = (16, 25)
    private let window: [Double]
    /// cos/sin of 2π·a·b/16 (index a·16 + b), 2π·a·b/25 (a·25 + b) and 2π·n2·k1/400 (n2·16 + k1).
    private let cos16: [Double], sin16: [Double], cos25: [Double], sin25: [Double], cosTwiddle: [Double], sinTwiddle: [Double]
    /// Each mel filter's first nonzero bin and its weights from there.
    private let filters: [(first: Int, weights: [Double])]

    /// Precomputes the window, the transform tables and the filterbank.
    public init() {
        let n = Self.fftLength
        window = (0..<n).map { 0.5 - 0.5 * Double.cos(2 * Double.pi * Double($0) / Double(n)) }
        func table(_ size: Int, _ count: Int, _ period: Int, _ f: (Double) -> Double) -> [Double] {
            (0..<(size * count)).map { i in f(2 * Double.pi * Double(((i / count) * (i % count)) % period) / Double(period)) }
        }
        cos16 = table(16, 16, 16, Double.cos)
        sin16 = table(16, 16, 16, Double.sin)
        cos25 = table(25, 25, 25, Double.cos)
        sin25 = table(25, 25, 25, Double.sin)
        cosTwiddle = table(25, 16, n, Double.cos)
        sinTwiddle = table(25, 16, n, Double.sin)
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
        let (r, c) = (Self.rows, Self.columns)
        // Stage 1: for each n2, the 16-point DFT of x[25·n1 + n2], times the twiddle W400^(n2·k1).
        var re = [Double](repeating: 0, count: r * c), im = re  // index n2·16 + k1
        for n2 in 0..<c {
            for k1 in 0..<r {
                var sr = 0.0, si = 0.0
                for n1 in 0..<r {
                    let x = frame[c * n1 + n2], t = n1 * r + k1
                    sr += x * cos16[t]
                    si -= x * sin16[t]
                }
                let w = n2 * r + k1, tc = cosTwiddle[w], ts = sinTwiddle[w]
                re[w] = sr * tc + si * ts
                im[w] = si * tc - sr * ts
            }
        }
        // Stage 2: for each k1, the 25-point DFT over n2, bin k = k1 + 16·k2 (only k ≤ N/2).
        for k1 in 0..<r {
            for k2 in 0..<c {
                let k = k1 + r * k2
                guard k < Self.bins else { break }
                var sr = 0.0, si = 0.0
                for n2 in 0..<c {
                    let a = re[n2 * r + k1], b = im[n2 * r + k1], t = n2 * c + k2
                    let wc = cos25[t], ws = sin25[t]
                    sr += a * wc + b * ws
                    si += b * wc - a * ws
                }
                power[k] = sr * sr + si * si
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
