/// Resamples one live stream chunk by chunk (linear interpolation in integer arithmetic), so a
/// stream that arrives at 24 kHz is written at the archive's 16 kHz with bounded memory.
///
/// Core's `Resampler` filters a whole buffer at once; a live stream arrives in pieces of any
/// length and must be cut into frames as it comes, so this keeps only the two input samples an
/// output sample reads. Output sample `k` sits at input position `k × inputRate / outputRate`;
/// the same chunks give the same samples in every run.
struct LiveStreamResampler {
    /// Samples per second of the input.
    let inputRate: Int
    /// Samples per second of the output.
    let outputRate: Int
    /// Input samples consumed since the last reset.
    private var inputCount = 0
    /// Output samples produced since the last reset.
    private var outputCount = 0
    /// The input samples from index `inputCount - history.count` on that later outputs still read.
    private var history: [Int16] = []

    /// A resampler from `inputRate` to `outputRate` (both positive).
    init(from inputRate: Int, to outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "sample rates must be positive")
        self.inputRate = inputRate
        self.outputRate = outputRate
    }

    /// Takes `chunk` and appends to `output` every output sample whose inputs have arrived.
    mutating func resample(_ chunk: [Int16], into output: inout [Int16]) {
        guard inputRate != outputRate else {
            output.append(contentsOf: chunk)
            return
        }
        history.append(contentsOf: chunk)
        inputCount += chunk.count
        produce(into: &output, flushing: false)
    }

    /// Ends the stream (or a stretch before a gap): writes the last outputs (the missing next
    /// input read as the last one) and starts over.
    mutating func flush(into output: inout [Int16]) {
        guard inputRate != outputRate else { return }
        produce(into: &output, flushing: true)
        inputCount = 0
        outputCount = 0
        history.removeAll()
    }

    private mutating func produce(into output: inout [Int16], flushing: Bool) {
        let base = inputCount - history.count
        while true {
            let position = outputCount * inputRate
            let index = position / outputRate
            let fraction = position % outputRate
            guard index < inputCount, flushing || index + 1 < inputCount else { break }
            let first = Int(history[index - base])
            let second = index + 1 < inputCount ? Int(history[index + 1 - base]) : first
            let value = first + ((second - first) * fraction) / outputRate
            output.append(Int16(clamping: value))
            outputCount += 1
        }
        // Keep from the input the next output starts at.
        let next = (outputCount * inputRate) / outputRate
        let drop = min(max(0, next - base), history.count)
        if drop > 0 { history.removeFirst(drop) }
        // Keep the counters small: rebase both when a whole rate period has passed.
        if outputCount >= outputRate, inputCount - history.count >= inputRate {
            let periods = min(outputCount / outputRate, (inputCount - history.count) / inputRate)
            outputCount -= periods * outputRate
            inputCount -= periods * inputRate
        }
    }
}
