/// A real call's session: the caller is the recording, and an observed bot replays its recorded
/// replies, each moving with the `turn.end` it is anchored to (see `ObservedCall`).
extension SessionSimulator {
    /// Schedules the replies that keep their recorded time.
    func scheduleObservedCall(_ call: ObservedCall) {
        for (k, segment) in call.botSegments.enumerated() where segment.anchor == nil {
            segmentScheduled[k] = true
            sim.schedule(.observedSegmentDue(k), at: format.instant(ofSample: segment.startFrame * format.samplesPerFrame))
        }
    }

    /// The endpointer ended `turn` on speech that ended at `speechEnd`: every reply anchored at or
    /// before that speech end, and not yet due, becomes due its recorded delay from now.
    func observedTurnEnded(turn: Int, speechEnd: SimInstant) {
        guard let call = observed?.call else { return }
        for (k, segment) in call.botSegments.enumerated() where !segmentScheduled[k] {
            guard let anchor = segment.anchor, anchor.speechEnd <= speechEnd else { continue }
            segmentScheduled[k] = true
            segmentTurns[k] = turn
            sim.schedule(.observedSegmentDue(k), at: sim.now + max(.zero, anchor.delay))
        }
    }

    /// Starts the oldest due reply when nothing else is playing (called before each playout frame).
    func startDueSegment() throws {
        guard !dueSegments.isEmpty, playout.activeTurn == nil, reply?.finished ?? true,
              let observed, let source = observed.botSource else { return }
        let k = dueSegments.removeFirst()
        let segment = observed.call.botSegments[k]
        let samples = try source.samples(segment.startFrame..<(segment.startFrame + segment.frameCount))
        let words = Self.spread(segment.text, over: samples.count)
        // Turn 0: a reply before any turn ended (a greeting); its events carry no turn.
        let turn = segmentTurns[k] ?? (userTurn - 1)
        generation += 1
        var r = Reply(turn: turn, callerTurn: -1, attempt: 0, generation: generation, speech: SynthesizedSpeech(samples: samples, words: words))
        r.llmDone = true
        r.ttsDone = true
        reply = r
        playout.replyBegan(turn: turn, words: words)
        playout.chunkArrived(samples[...])
        playout.synthesisFinished()
    }

    /// Word timings for `text` spread over `count` samples in proportion to each word's length
    /// (a transcript gives a reply's text, not its word times).
    static func spread(_ text: String, over count: Int) -> [WordTiming] {
        let words = text.words
        let total = words.reduce(0) { $0 + $1.count + 1 }
        guard total > 0, count > 0 else { return [] }
        var out: [WordTiming] = []
        var used = 0
        for w in words {
            let start = count * used / total
            used += w.count + 1
            out.append(WordTiming(text: w, startSample: start, endSample: count * used / total))
        }
        return out
    }
}
