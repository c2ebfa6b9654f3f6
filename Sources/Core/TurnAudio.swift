/// The mic audio the pipeline heard, kept for the last `keep` samples, and where the user turn
/// in progress started.
struct TurnAudio {
    let format: AudioFormat
    /// Samples kept: the model's 8 s window at the archive rate, and a second more.
    let keep: Int
    private(set) var samples: [Int16] = []
    /// Samples heard before `samples[0]`.
    private(set) var dropped = 0
    /// Samples the pipeline has heard so far (on the fast path, more than `samples` holds
    /// until `catchUp(from:)` decodes them).
    private(set) var heard = 0
    /// The sample the turn in progress started at (nil between turns).
    private(set) var turnStart: Int?

    init(format: AudioFormat) {
        self.format = format
        keep = (WhisperLogMel.windowSamples / WhisperLogMel.sampleRate + 1) * format.sampleRate
    }

    /// The pipeline heard `frame`.
    mutating func append(_ frame: [Int16]) {
        heard += frame.count
        keep(frame)
    }

    /// The pipeline heard a frame of `count` samples that is not decoded (the fast path).
    mutating func heardUndecoded(_ count: Int) { heard += count }

    /// The pipeline has heard `total` samples in all, not decoded (a recorded session's replay).
    mutating func heardUndecoded(upTo total: Int) { heard = max(heard, total) }

    /// Decodes the frames heard but not yet held, in order, from `mic`.
    mutating func catchUp(from mic: any RecordedFrames) throws {
        let spf = format.samplesPerFrame
        while dropped + samples.count < heard {
            keep(try mic.frame((dropped + samples.count) / spf).samples)
        }
    }

    private mutating func keep(_ frame: [Int16]) {
        samples += frame
        if samples.count > 2 * keep {
            let cut = samples.count - keep
            samples.removeFirst(cut)
            dropped += cut
        }
    }

    mutating func turnSpeechStarted(onset: SimInstant) {
        guard turnStart == nil else { return }
        turnStart = max(0, format.sampleIndex(at: onset))
    }

    mutating func turnEnded() { turnStart = nil }

    /// Where the turn in progress started (the audio's end when none is).
    var turnStartSample: Int { min(turnStart ?? heard, heard) }

    /// The turn's audio so far at 16 kHz in ±1 (its last 8 s and a second).
    var turn: [Float] {
        let start = max(0, turnStartSample - dropped)
        var heard = Array(samples[min(start, samples.count)...])
        if format.sampleRate != WhisperLogMel.sampleRate {
            heard = Resampler.resample(heard, from: format.sampleRate, to: WhisperLogMel.sampleRate)
        }
        return heard.map { Float($0) / 32768 }
    }
}
