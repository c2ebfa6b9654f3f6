import Core
import Testing

@Suite struct VADStateMachineTests {
    /// Feeds a pattern of speech (true) / silence (false) frames; returns (frame index, action).
    func run(_ pattern: [Bool], startMs: Int = 60, stopMs: Int = 200) -> [(Int, VADStateMachine.Action)] {
        var vad = VADStateMachine(startMs: startMs, stopMs: stopMs, frameMs: 20)
        var out: [(Int, VADStateMachine.Action)] = []
        for (i, speech) in pattern.enumerated() {
            if let a = vad.frameClassified(end: .milliseconds(Int64(i + 1) * 20), isSpeech: speech) { out.append((i, a)) }
        }
        return out
    }

    @Test func startsOnlyAfterStartMsOfContinuousSpeech() {
        // Two speech frames (40 ms) are not enough for start_ms 60; three are.
        #expect(run([true, true, false, false]).isEmpty)
        let actions = run([false, true, true, true, true])
        #expect(actions.count == 1)
        #expect(actions[0].0 == 3)
        #expect(actions[0].1 == .speechStarted(onset: .milliseconds(20)))
    }

    @Test func stopsOnlyAfterStopMsOfSilenceAndReportsLastSpeechEnd() {
        // Speech, a 100 ms gap (kept), more speech, then 200 ms silence (stop).
        let pattern = [Bool](repeating: true, count: 5) + [Bool](repeating: false, count: 5)
            + [Bool](repeating: true, count: 3) + [Bool](repeating: false, count: 12)
        let actions = run(pattern)
        #expect(actions.count == 2)
        #expect(actions[1].1 == .speechStopped(lastSpeechEnd: .milliseconds(13 * 20)))
        #expect(actions[1].0 == 13 + 9, "stop is confirmed on the 10th silent frame (200 ms)")
    }
}

@Suite struct EnergyVADTests {
    @Test func speechAboveNoiseFloorIsLikelyAndNoiseIsNot() {
        var vad = EnergyVAD(settings: PipelineSettings.VAD(), frameMs: 20)
        var rng = Xoshiro256StarStar(seed: 9)
        func noise(_ amp: Double) -> [Int16] { (0..<320).map { _ in Int16(rng.nextGaussian() * amp) } }
        // Three seconds of -45 dBFS noise: the floor adapts, noise stays below the threshold.
        var last = 1.0
        for _ in 0..<150 { last = vad.probability(of: noise(32768 * 0.0056)) }
        #expect(last < 0.2)
        // A loud frame (about -20 dBFS) is speech.
        #expect(vad.probability(of: noise(32768 * 0.1)) > 0.9)
        #expect(EnergyVAD.levelDb([Int16](repeating: 0, count: 320)) == -120)
    }
}
