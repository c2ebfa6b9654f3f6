import Core
import Testing

@Suite struct BargeInPolicyTests {
    func policy(minSpeech: Int = 300, minWords: Int = 0) -> BargeInPolicy {
        var s = PipelineSettings.BargeIn()
        s.minSpeechMs = minSpeech
        s.minWords = minWords
        return BargeInPolicy(settings: s)
    }

    @Test func firesAtMinSpeechMs() {
        var p = policy()
        p.playbackStarted()
        p.speechStarted(onset: .milliseconds(1000))
        #expect(p.frameProcessed(at: .milliseconds(1280)) == nil)
        let fired = p.frameProcessed(at: .milliseconds(1300))
        #expect(fired == BargeInPolicy.Interruption(trigger: "vad", speech: .milliseconds(300), onset: .milliseconds(1000)))
        #expect(p.frameProcessed(at: .milliseconds(1320)) == nil, "fires once per playback")
    }

    @Test func aHundredMillisecondCoughDoesNotInterrupt() {
        var p = policy()
        p.playbackStarted()
        p.speechStarted(onset: .milliseconds(1000))
        for t in stride(from: 1020, through: 1100, by: 20) { #expect(p.frameProcessed(at: .milliseconds(Int64(t))) == nil) }
        p.speechStopped()
        for t in stride(from: 1120, through: 2000, by: 20) { #expect(p.frameProcessed(at: .milliseconds(Int64(t))) == nil) }
    }

    @Test func minWordsNeedsTranscribedWords() {
        var p = policy(minSpeech: 100, minWords: 2)
        p.playbackStarted()
        p.speechStarted(onset: .milliseconds(0))
        #expect(p.frameProcessed(at: .milliseconds(500)) == nil)
        p.transcriptReceived("wait a", isFinal: false)
        #expect(p.frameProcessed(at: .milliseconds(520))?.trigger == "words")
    }

    @Test func silentWhileTheBotIsNotSpeakingOrWhenDisabled() {
        var p = policy()
        p.speechStarted(onset: .zero)
        #expect(p.frameProcessed(at: .milliseconds(1000)) == nil)
        var s = PipelineSettings.BargeIn()
        s.mode = "none"
        var off = BargeInPolicy(settings: s)
        off.playbackStarted()
        off.speechStarted(onset: SimInstant.zero)
        #expect(off.frameProcessed(at: SimInstant.milliseconds(1000)) == nil)
    }
}
