import Core

/// VAD rows of a live session given by time (`t_us` instead of `frame`, e.g. Silero's 32 ms
/// windows): each value holds from its instant until the next; one row is written per archive mic
/// frame, with the value in force at the frame's start (prob 0, silence before the first row).
///
/// A frame's row is written once no later row can change it (a row with a later time arrived, or
/// the session ended), as spans of equal value, so memory holds only rows not yet in force.
struct LiveVADTimeline {
    /// The most rows waiting for their mic frames.
    static let maxPending = 10_000

    private struct Change {
        var timeUs: Int64
        var probability: Double
        var speech: Bool
    }

    /// Rows (frames) written so far.
    private(set) var rowsWritten = 0
    /// The latest row time received (-1 before the first).
    private(set) var lastTimeUs: Int64 = -1
    private var probability = 0.0
    private var speech = false
    private var pending: [Change] = []

    /// A row arrived; the caller then drains.
    mutating func rowReceived(timeUs: Int64, probability: Double, speech: Bool) throws(LiveProtocolError) {
        guard timeUs >= lastTimeUs else {
            throw LiveProtocolError("vad: t_us \(timeUs) is earlier than the previous vad row's \(lastTimeUs) (vad rows come in time order)")
        }
        guard pending.count < Self.maxPending else {
            throw LiveProtocolError("vad: \(Self.maxPending) vad rows are waiting for mic audio; send the mic audio first")
        }
        pending.append(Change(timeUs: timeUs, probability: probability, speech: speech))
        lastTimeUs = timeUs
    }

    /// Writes the rows of mic frames below `micFrames` whose value is settled (all of them when `final`).
    mutating func drain(micFrames: Int, frameUs: Int64, final: Bool, rows: inout [LiveSessionDecoder.Row]) {
        while rowsWritten < micFrames {
            let start = Int64(rowsWritten) * frameUs
            guard final || lastTimeUs > start else { return }
            while let first = pending.first, first.timeUs <= start {
                probability = first.probability
                speech = first.speech
                pending.removeFirst()
            }
            var limit = pending.first?.timeUs ?? Int64.max
            if !final { limit = min(limit, lastTimeUs) }
            let endFrame = limit == Int64.max ? micFrames : min(micFrames, Int((limit + frameUs - 1) / frameUs))
            guard endFrame > rowsWritten else { return }
            rows.append(.vadSpan(firstFrame: rowsWritten, count: endFrame - rowsWritten, frameUs: frameUs,
                                 probability: probability, speech: speech))
            rowsWritten = endFrame
        }
    }
}
