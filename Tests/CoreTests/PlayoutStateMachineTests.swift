import Core
import Testing

@Suite struct PlayoutStateMachineTests {
    let words = [
        WordTiming(text: "Sure,", startSample: 0, endSample: 300),
        WordTiming(text: "a", startSample: 320, endSample: 500),
        WordTiming(text: "table", startSample: 700, endSample: 1000),
    ]

    @Test func playsFramesInOrderAndStopsWhenDrained() {
        var p = PlayoutStateMachine(samplesPerFrame: 320, fadeSamples: 160)
        p.replyBegan(turn: 1, words: words)
        let audio = (0..<1000).map { Int16($0 % 100 + 1) }
        p.chunkArrived(audio[...])
        p.synthesisFinished()
        var played: [Int16] = []
        var actions: [PlayoutStateMachine.Action] = []
        for _ in 0..<5 {
            let (frame, a) = p.nextFrame()
            played += frame
            actions += a
        }
        #expect(Array(played.prefix(1000)) == audio)
        #expect(actions.first == .started(turn: 1))
        #expect(actions.last == .stopped(turn: 1, interrupted: false, heard: "Sure, a table"))
    }

    @Test func interruptionFadesOutAndReportsOnlyHeardWords() {
        var p = PlayoutStateMachine(samplesPerFrame: 320, fadeSamples: 160)
        p.replyBegan(turn: 2, words: words)
        p.chunkArrived([Int16](repeating: 1000, count: 1000)[...])
        _ = p.nextFrame()
        _ = p.nextFrame()  // 640 samples played: "Sure," and "a" are complete, "table" is not
        #expect(p.stopRequested().isEmpty)
        let (fade, actions) = p.nextFrame()
        #expect(actions == [.stopped(turn: 2, interrupted: true, heard: "Sure, a")])
        #expect(fade[0] > fade[100] && fade[100] > fade[159] && fade[160] == 0, "a linear fade over 160 samples, then silence")
        #expect(!p.isPlaying)
    }
}
