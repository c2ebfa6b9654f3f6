import Core
import Engines
import Foundation
import Testing

@Suite struct SpeexEchoCancellerTests {
    static let botText = "We open at nine in the morning and close at ten in the evening, every day except Sunday. On Sunday we open at eleven."
    static let callerText = "Actually, make it five people."

    /// The bot's playback and the mic hearing it 120 ms later at −12 dB, as the echo scenario has it.
    static func echoPath() throws -> (playback: [Int16], mic: [Int16]) {
        let bot = try EngineTestAudio.speech(botText).samples
        let playback = EngineTestAudio.silence(8000) + bot + EngineTestAudio.silence(8000)
        return (playback, EngineTestAudio.echo(of: playback, delay: 120 * 16, gainDb: -12))
    }

    static func run(_ canceller: SpeexEchoCanceller, mic: [Int16], playback: [Int16]) throws -> [Int16] {
        let m = EngineTestAudio.frames(mic), p = EngineTestAudio.frames(playback)
        return try zip(m, p).flatMap { try canceller.cancel(mic: $0, playback: $1) }
    }

    static func canceller(echoDelayMs: Int = 120) throws -> SpeexEchoCanceller {
        try SpeexEchoCanceller(samplesPerFrame: 320, sampleRate: 16000, settings: .forEchoDelay(ms: echoDelayMs))
    }

    @Test func removesMostOfTheEchoOfRealSpeech() throws {
        let (playback, mic) = try Self.echoPath()
        let out = try Self.run(try Self.canceller(), mic: mic, playback: playback)
        let echoPower = EngineTestAudio.power(mic), residualPower = EngineTestAudio.power(out[0..<mic.count])
        let erleDb = 10 * log10(echoPower / max(residualPower, 1e-3))
        #expect(erleDb > 25, "echo return loss enhancement \(erleDb) dB over the whole reply")
        // After the warm-up gate retires (2 s), speex's filter alone still keeps it down.
        let late = (16000 * 3)..<mic.count
        let lateErle = 10 * log10(EngineTestAudio.power(mic[late]) / max(EngineTestAudio.power(out[late]), 1e-3))
        #expect(lateErle > 15, "echo return loss enhancement \(lateErle) dB after 3 s")
    }

    @Test func theCallerTalkingOverTheBotGetsThrough() throws {
        let (playback, echo) = try Self.echoPath()
        let caller = try EngineTestAudio.speech(Self.callerText).samples
        // The caller starts 3 s in (after warm-up), while the bot is still talking.
        let start = 16000 * 3
        let callerTrack = EngineTestAudio.silence(start) + caller
        let mic = EngineTestAudio.mix(echo, callerTrack)
        let out = try Self.run(try Self.canceller(), mic: mic, playback: playback + EngineTestAudio.silence(max(0, mic.count - playback.count)))
        let span = start..<(start + caller.count)
        let kept = 10 * log10(EngineTestAudio.power(out[span]) / EngineTestAudio.power(caller))
        #expect(kept > -6, "the caller's speech came out \(kept) dB down during double talk")
        // ...and what comes out is mostly the caller, not the echo.
        let echoOnly = 10 * log10(EngineTestAudio.power(echo[span]) / EngineTestAudio.power(caller))
        #expect(echoOnly > -15, "test premise: the echo is audible under the caller (\(echoOnly) dB)")
    }

    @Test func sameInputSameOutput() throws {
        let (playback, mic) = try Self.echoPath()
        let first = try Self.run(try Self.canceller(), mic: mic, playback: playback)
        let second = try Self.run(try Self.canceller(), mic: mic, playback: playback)
        #expect(first == second)
    }

    @Test func silenceStaysSilent() throws {
        let canceller = try Self.canceller()
        for _ in 0..<50 {
            let out = try canceller.cancel(mic: EngineTestAudio.silence(320), playback: EngineTestAudio.silence(320))
            #expect(out.allSatisfy { $0 == 0 })
        }
    }

    @Test func missingLibraryIsOneClearError() {
        #expect(throws: EngineError.engineUnavailable(SpeexEchoCanceller.missingMessage)) {
            _ = try SpeexEchoCanceller(samplesPerFrame: 320, sampleRate: 16000, settings: .forEchoDelay(ms: 120), library: "/nonexistent/libspeexdsp.so.1")
        }
        #expect(SpeexEchoCanceller.missingMessage.contains("run `make engines`"))
    }
}
