import Core

/// One audio stream of a live session on its way into archive frames: chunks of any length at the
/// stream's own rate are resampled to the archive rate, placed (by `t_us`, or at the stream's end)
/// and cut into `frame_ms` frames; gaps become silence.
///
/// Memory stays bounded: at most one partial frame is kept, and a gap of any length is one
/// `silence` row, not its frames.
struct LiveStreamCutter {
    /// The stream.
    let stream: AudioStream
    /// The archive's audio format.
    let format: AudioFormat
    /// The rate the stream arrives at.
    let inputRate: Int
    /// Whole frames written so far.
    private(set) var framesWritten = 0
    /// The samples of a frame not yet complete (fewer than a frame).
    private var partial: [Int16] = []
    private var resampler: LiveStreamResampler

    /// A cutter for `stream` arriving at `inputRate` into archive frames of `format`.
    init(stream: AudioStream, format: AudioFormat, inputRate: Int) {
        self.stream = stream
        self.format = format
        self.inputRate = inputRate
        resampler = LiveStreamResampler(from: inputRate, to: format.sampleRate)
    }

    /// Whether samples of an incomplete frame are buffered.
    var hasPartial: Bool { !partial.isEmpty }
    /// Samples at the archive rate the stream holds (written and buffered).
    var endSample: Int64 { Int64(framesWritten * format.samplesPerFrame + partial.count) }
    /// The time the stream reaches, in microseconds.
    var endUs: Int64 { endSample * 1_000_000 / Int64(format.sampleRate) }
    /// The time the written frames reach, in microseconds.
    var writtenUs: Int64 { Int64(framesWritten) * Int64(format.frameMs) * 1000 }

    /// One whole frame given by index (the strict form); the caller checked index and length.
    mutating func frameReceived(_ samples: [Int16], rows: inout [LiveSessionDecoder.Row]) {
        rows.append(.frame(stream: stream, frame: framesWritten, time: time(ofFrame: framesWritten), samples: samples))
        framesWritten += 1
    }

    /// A chunk that starts at archive sample `startSample` (nil: at the stream's end); the caller
    /// checked that the start is not before the stream's end. A gap before it becomes silence.
    mutating func chunkReceived(_ samples: [Int16], startSample: Int64?, rows: inout [LiveSessionDecoder.Row]) {
        var output: [Int16] = []
        if let startSample, startSample > endSample {
            resampler.flush(into: &output)
            append(output, rows: &rows)
            output.removeAll(keepingCapacity: true)
            appendSilence(upTo: startSample, rows: &rows)
        }
        resampler.resample(samples, into: &output)
        append(output, rows: &rows)
    }

    /// Silence up to `frames` whole frames (the stream is finished and shorter than the session).
    mutating func pad(toFrames frames: Int, rows: inout [LiveSessionDecoder.Row]) {
        precondition(partial.isEmpty, "padding a stream that still holds a partial frame")
        appendSilence(upTo: Int64(frames * format.samplesPerFrame), rows: &rows)
    }

    /// The stream ends: the resampler's last samples are written and a partial frame is padded
    /// with silence.
    mutating func finish(rows: inout [LiveSessionDecoder.Row]) {
        var output: [Int16] = []
        resampler.flush(into: &output)
        append(output, rows: &rows)
        guard !partial.isEmpty else { return }
        partial.append(contentsOf: repeatElement(0, count: format.samplesPerFrame - partial.count))
        emitPartial(rows: &rows)
    }

    private func time(ofFrame frame: Int) -> SimInstant {
        SimInstant(microseconds: Int64(frame) * Int64(format.frameMs) * 1000)
    }

    private mutating func append(_ samples: [Int16], rows: inout [LiveSessionDecoder.Row]) {
        var rest = samples[...]
        while !rest.isEmpty {
            let take = min(rest.count, format.samplesPerFrame - partial.count)
            partial.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if partial.count == format.samplesPerFrame { emitPartial(rows: &rows) }
        }
    }

    private mutating func emitPartial(rows: inout [LiveSessionDecoder.Row]) {
        rows.append(.frame(stream: stream, frame: framesWritten, time: time(ofFrame: framesWritten), samples: partial))
        framesWritten += 1
        partial.removeAll(keepingCapacity: true)
    }

    /// Silence from the stream's end up to sample `end`.
    private mutating func appendSilence(upTo end: Int64, rows: inout [LiveSessionDecoder.Row]) {
        let perFrame = Int64(format.samplesPerFrame)
        var remaining = end - endSample
        guard remaining > 0 else { return }
        if !partial.isEmpty {
            let fill = min(remaining, perFrame - Int64(partial.count))
            append([Int16](repeating: 0, count: Int(fill)), rows: &rows)
            remaining -= fill
        }
        let whole = Int(remaining / perFrame)
        if whole > 0 {
            rows.append(.silence(stream: stream, firstFrame: framesWritten, count: whole))
            framesWritten += whole
        }
        let tail = Int(remaining % perFrame)
        if tail > 0 { partial.append(contentsOf: repeatElement(0, count: tail)) }
    }
}
