import Core
import Engines
import Testing

@Suite struct EngineFactoryTests {
    static func scenario(vad: String = "energy", aec: String = "none", stt: String = "simulated") -> Scenario {
        var s = Scenario()
        s.pipeline.vad.engine = vad
        s.pipeline.echo.aec = aec
        s.pipeline.stt.engine = stt
        return s
    }

    @Test func builtInNamesGiveCoreStages() throws {
        let engines = try EngineFactory.engines(for: Self.scenario())
        #expect(engines.vad == nil && engines.echoCanceller == nil && engines.recognizer == nil)
    }

    @Test func realNamesGiveRealEngines() throws {
        var s = Self.scenario(vad: "webrtc", aec: "speex", stt: "pocketsphinx")
        s.pipeline.echo.delayMs = 200
        s.pipeline.stt.rtf = 0.7
        s.pipeline.stt.segmentPauseMs = 300
        let engines = try EngineFactory.engines(for: s)
        #expect(engines.vad is WebRTCVAD)
        let aec = try #require(engines.echoCanceller as? SpeexEchoCanceller)
        #expect(aec.settings.referenceDelayMs == 180 && aec.samplesPerFrame == 320)
        let stt = try #require(engines.recognizer as? PocketsphinxRecognizer)
        #expect(stt.settings.rtf == 0.7 && stt.settings.endSilenceMs == 300)
        #expect(try EngineFactory.engines(for: Self.scenario(vad: "silero")).vad is SileroVAD)
    }

    @Test func eachCallMakesFreshEngines() throws {
        let s = Self.scenario(vad: "webrtc", aec: "speex", stt: "pocketsphinx")
        let a = try EngineFactory.engines(for: s), b = try EngineFactory.engines(for: s)
        #expect(a.echoCanceller !== b.echoCanceller)
        #expect(a.recognizer !== b.recognizer)
    }

    @Test func unsupportedRateIsAClearError() {
        var s = Self.scenario(stt: "pocketsphinx")
        s.audio.sampleRate = 48000
        #expect(throws: EngineError.self) { _ = try EngineFactory.engines(for: s) }
    }
}
