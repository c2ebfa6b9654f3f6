import Core
import Testing

@Suite struct EndpointerStateMachineTests {
    func settings(_ mode: String, silence: Int = 500, maxDelay: Int = 3000) -> PipelineSettings.Endpointing {
        var s = PipelineSettings.Endpointing()
        s.mode = mode
        s.silenceMs = silence
        s.maxDelayMs = maxDelay
        return s
    }

    @Test func silenceModeEndsTheTurnSilenceMsAfterSpeech() {
        var ep = EndpointerStateMachine(settings: settings("silence"))
        ep.speechStarted()
        _ = ep.transcriptReceived("book a table for", isFinal: false, segment: 0, at: .milliseconds(900))
        let actions = ep.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000))
        #expect(actions == [.scheduleTimer(id: 1, at: .milliseconds(1500))])
        let end = ep.timerFired(id: 1, at: .milliseconds(1500))
        #expect(end == [.endTurn(reason: "silence", waited: .milliseconds(500), transcript: "book a table for")])
    }

    @Test func speechResumingCancelsThePendingEnd() {
        var ep = EndpointerStateMachine(settings: settings("silence"))
        ep.speechStarted()
        _ = ep.transcriptReceived("a table for", isFinal: true, segment: 0, at: .milliseconds(900))
        _ = ep.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000))
        ep.speechStarted()
        #expect(ep.timerFired(id: 1, at: .milliseconds(1500)).isEmpty, "a stale timer does nothing")
    }

    @Test func smartModeWaitsMaxDelayOnAnUnfinishedSentenceAndSilenceOnAFinishedOne() {
        var ep = EndpointerStateMachine(settings: settings("smart", silence: 300, maxDelay: 2000))
        ep.speechStarted()
        _ = ep.transcriptReceived("a table for", isFinal: true, segment: 0, at: .milliseconds(900))
        #expect(ep.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000)) == [.scheduleTimer(id: 1, at: .milliseconds(3000))])
        let end = ep.timerFired(id: 1, at: .milliseconds(3000))
        #expect(end.first.map { if case .endTurn(let r, _, _) = $0 { return r == "max_delay" }; return false } == true)

        var done = EndpointerStateMachine(settings: settings("smart", silence: 300, maxDelay: 2000))
        done.speechStarted()
        _ = done.transcriptReceived("four people, tomorrow at eight.", isFinal: true, segment: 0, at: .milliseconds(900))
        #expect(done.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000)) == [.scheduleTimer(id: 1, at: .milliseconds(1300))])
    }

    @Test func waitsForALateTranscriptAndDropsSpeechThatNeverGetsOne() {
        var ep = EndpointerStateMachine(settings: settings("silence", silence: 500, maxDelay: 1500))
        ep.speechStarted()
        #expect(ep.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000)) == [.scheduleTimer(id: 1, at: .milliseconds(2500))])
        let late = ep.transcriptReceived("hello.", isFinal: true, segment: 0, at: .milliseconds(1800))
        #expect(late == [.endTurn(reason: "late_transcript", waited: .milliseconds(800), transcript: "hello.")])

        var noise = EndpointerStateMachine(settings: settings("silence", silence: 500, maxDelay: 1500))
        noise.speechStarted()
        _ = noise.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000))
        #expect(noise.timerFired(id: 1, at: .milliseconds(2500)) == [.discardSpeech])
    }

    @Test func outputForAnEndedTurnDoesNotLeakIntoTheNext() {
        var ep = EndpointerStateMachine(settings: settings("silence"))
        ep.speechStarted()
        _ = ep.transcriptReceived("a table for", isFinal: false, segment: 0, at: .milliseconds(900))
        _ = ep.speechStopped(at: .milliseconds(1200), lastSpeechEnd: .milliseconds(1000))
        _ = ep.timerFired(id: 1, at: .milliseconds(1500))
        // The same segment grows after the cut: only the new words count for the next turn.
        _ = ep.transcriptReceived("a table for four", isFinal: true, segment: 0, at: .milliseconds(2000))
        #expect(ep.transcript == "four")
    }

    @Test func completenessHeuristic() {
        #expect(EndpointerStateMachine.looksComplete("Four people, tomorrow at eight."))
        #expect(!EndpointerStateMachine.looksComplete("A table for"))
        #expect(!EndpointerStateMachine.looksComplete("I want the, um."))
        #expect(!EndpointerStateMachine.looksComplete("and then..."))
    }
}
