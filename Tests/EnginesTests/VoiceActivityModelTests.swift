import Core
import Engines
import Foundation
import Testing

/// WebRTC's and Silero's VADs on real speech, silence and noise.
@Suite struct VoiceActivityModelTests {
    static let sentence = "Hi, I'd like to book a table for four people tomorrow evening at eight."

    /// The probabilities a fresh model gives `samples`, frame by frame.
    static func probabilities(_ model: any VoiceActivityModel, _ samples: [Int16]) throws -> [Double] {
        var model = model
        return try EngineTestAudio.frames(samples).map { try model.probability(of: $0) }
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// Speech between two half-seconds of silence, and which frames are inside words / outside any.
    static func paddedSpeech() throws -> (samples: [Int16], inside: [Int], outside: [Int]) {
        let speech = try EngineTestAudio.speech(sentence)
        let pad = 8000
        let (inside, outside) = EngineTestAudio.wordFrames(speech)
        let shift = pad / EngineTestAudio.frame
        let total = (2 * pad + speech.samples.count + 319) / 320
        let lead = Array(0..<shift), tail = Array((shift + (speech.samples.count + 319) / 320)..<total)
        return (EngineTestAudio.silence(pad) + speech.samples + EngineTestAudio.silence(pad),
                inside.map { $0 + shift }.sorted(), lead + outside.map { $0 + shift }.sorted() + tail)
    }

    static func check(_ make: () throws -> any VoiceActivityModel, name: String) throws {
        let (samples, inside, _) = try paddedSpeech()
        let p = try probabilities(try make(), samples)
        // Some decision lag is expected (Silero decides per 32 ms window, both smooth onsets):
        // compare words, a frame in from their edges, with the leading silence.
        let words = inside.filter { inside.contains($0 - 2) && inside.contains($0 + 2) }
        #expect(mean(words.map { p[$0] }) > 0.8, "\(name): mean speech probability inside words \(mean(words.map { p[$0] }))")
        #expect(mean(Array(p[0..<20])) < 0.05, "\(name): probability in the leading silence")
        #expect(p == (try probabilities(try make(), samples)), "\(name): same audio, same probabilities")
        let noise = EngineTestAudio.whiteNoise(count: 16000 * 3, levelDb: -30, seed: 7)
        let onNoise = mean(try probabilities(try make(), noise))
        #expect(onNoise < 0.1, "\(name): mean probability on white noise at -30 dBFS \(onNoise)")
    }

    @Test func webrtcHearsSpeechNotSilenceOrNoise() throws {
        try Self.check({ try WebRTCVAD() }, name: "webrtc")
    }

    @Test func sileroHearsSpeechNotSilenceOrNoise() throws {
        try Self.check({ try SileroVAD() }, name: "silero")
    }

    @Test func bothHearARecordedVoice() throws {
        // goforward.raw: a man saying "go forward ten meters", 0.5 s in, about 1.5 s long.
        let audio = try EngineTestAudio.raw(EngineTestAudio.goForwardPath)
        for (name, model) in [("webrtc", try WebRTCVAD() as any VoiceActivityModel), ("silero", try SileroVAD())] {
            let p = try Self.probabilities(model, audio)
            let speechFrames = p[35..<100].filter { $0 >= 0.5 }.count
            #expect(speechFrames > 45, "\(name): \(speechFrames) of 65 frames in the utterance called speech")
        }
    }

    @Test func webrtcMissingLibraryOrBadRateIsOneClearError() {
        #expect(throws: EngineError.engineUnavailable(WebRTCVAD.missingMessage)) {
            _ = try WebRTCVAD(library: "/nonexistent/libwebrtc_audio_processing.so.1")
        }
        #expect(throws: EngineError.self) { _ = try WebRTCVAD(sampleRate: 24000) }
    }

    @Test func sileroMissingFilesOrBadRateIsOneClearError() {
        #expect(throws: EngineError.engineUnavailable(SileroVAD.missingMessage)) {
            _ = try SileroVAD(directory: "/nonexistent/.engines")
        }
        #expect(SileroVAD.missingMessage.contains("run `make engines`"))
        #expect(throws: EngineError.self) { _ = try SileroVAD(sampleRate: 8000) }
    }

    @Test func sileroRunsOneWindowPer512Samples() throws {
        let vad = try SileroVAD()
        for _ in 0..<100 { _ = try vad.probability(of: EngineTestAudio.silence(320)) }
        // 32,000 samples: the first window needs 576 (512 + 64 of context), then one per 512.
        #expect(vad.windowCount == 1 + (32_000 - 576) / 512)
    }
}
