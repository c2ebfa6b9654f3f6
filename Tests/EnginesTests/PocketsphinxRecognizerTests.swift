import Core
import Engines
import Foundation
import Testing

@Suite struct PocketsphinxRecognizerTests {
    /// Feeds `samples` frame by frame (20 ms, the first frame ending at 20 ms) and collects the results.
    static func recognize(_ samples: [Int16], settings: PocketsphinxRecognizer.Settings = .init()) throws -> [RecognizerResult] {
        let recognizer = try PocketsphinxRecognizer(settings: settings)
        var results: [RecognizerResult] = []
        for (i, frame) in EngineTestAudio.frames(samples).enumerated() {
            let end = SimInstant(microseconds: Int64(i + 1) * 20_000)
            let out = try recognizer.accept(frame, end: end)
            for r in out {
                // A partial covers the audio so far; a final ends where the detector heard speech end.
                #expect(r.isFinal ? r.audioEnd <= end : r.audioEnd == end, "result \(r) for the frame ending \(end)")
                #expect(r.at >= end, "result \(r) for the frame ending \(end)")
            }
            results += out
        }
        return results
    }

    static func words(_ text: String) -> [String] { text.lowercased().split(separator: " ").map(String.init) }

    /// goforward.raw with a second of silence after it, so the recognizer's end of speech comes.
    static func goForward() throws -> [Int16] {
        try EngineTestAudio.raw(EngineTestAudio.goForwardPath) + EngineTestAudio.silence(16000)
    }

    @Test func recognizesARecordedSentence() throws {
        let results = try Self.recognize(try Self.goForward())
        let finals = results.filter(\.isFinal)
        try #require(finals.count == 1, "finals: \(finals.map(\.text))")
        let reference = ["go", "forward", "ten", "meters"]
        let heard = Self.words(finals[0].text)
        let found = reference.filter(heard.contains)
        #expect(found.count >= 3, "final \"\(finals[0].text)\" has \(found.count) of \(reference)")
        #expect(finals[0].segment == 0)
        // The final closes the utterance after the recognizer's own end of speech (400 ms of
        // silence) and after its partials.
        let partials = results.filter { !$0.isFinal }
        #expect(partials.count >= 3)
        #expect(partials.allSatisfy { $0.at < finals[0].at && $0.segment == 0 })
    }

    @Test func partialsMoveForwardInTimeAndFollowTheDeclaredComputeTime() throws {
        var settings = PocketsphinxRecognizer.Settings()
        settings.rtf = 0.5
        let results = try Self.recognize(try Self.goForward(), settings: settings)
        for (a, b) in zip(results, results.dropFirst()) {
            #expect(a.audioEnd <= b.audioEnd && a.at < b.at, "\(a) then \(b)")
        }
        // A partial arrives at audioEnd + rtf × (audio since the utterance started): the delay
        // grows with the audio.
        let partials = results.filter { !$0.isFinal }
        for (a, b) in zip(partials, partials.dropFirst()) { #expect(a.audioEnd < b.audioEnd, "\(a) then \(b)") }
        let delays = partials.map { ($0.at - $0.audioEnd).microseconds }
        #expect(delays == delays.sorted() && delays.first! > 0)
        let last = partials.last!, first = partials.first!
        let grown = Double(delays.last! - delays.first!), audio = Double((last.audioEnd - first.audioEnd).microseconds)
        #expect(abs(grown - 0.5 * audio) <= 1, "compute time grew \(grown) µs over \(audio) µs of audio")
        // The final: decided when the detector closes the utterance (400 ms of silence after the
        // speech), covering the audio up to where the speech ended.
        let final = try #require(results.last)
        #expect(final.isFinal)
        let speech = final.audioEnd - first.audioEnd, decided = final.audioEnd + .milliseconds(400)
        #expect(final.at > decided + .milliseconds(500), "final \(final): compute time on top of the close")
        #expect(speech > .milliseconds(1000), "the words span \(speech)")
        // rtf 0: partials arrive with their audio, the final when the utterance closes.
        settings.rtf = 0
        let instant = try Self.recognize(try Self.goForward(), settings: settings)
        #expect(instant.filter { !$0.isFinal }.allSatisfy { $0.at == $0.audioEnd })
        #expect(instant.filter(\.isFinal).allSatisfy { $0.at == $0.audioEnd + .milliseconds(400) })
    }

    @Test func sameAudioSameResults() throws {
        let audio = try Self.goForward()
        #expect(try Self.recognize(audio) == (try Self.recognize(audio)))
    }

    @Test func segmentsCountUpOverUtterances() throws {
        let once = try Self.goForward()
        let results = try Self.recognize(once + once)
        let finals = results.filter(\.isFinal)
        #expect(finals.map(\.segment) == [0, 1], "finals: \(finals)")
        #expect(results.map(\.segment) == results.map(\.segment).sorted())
    }

    @Test func silenceAndSpeechSynthesis() throws {
        // Silence produces nothing; espeak-ng's voice is recognized poorly by the en-us model,
        // but it is speech: an utterance with a final comes out, in time order.
        #expect(try Self.recognize(EngineTestAudio.silence(16000 * 2)).isEmpty)
        let speech = try EngineTestAudio.speech("Go forward ten meters.").samples
        let results = try Self.recognize(EngineTestAudio.silence(8000) + speech + EngineTestAudio.silence(16000))
        #expect(results.filter(\.isFinal).count == 1, "\(results.map(\.text))")
        #expect(results.map(\.at) == results.map(\.at).sorted())
    }

    @Test func missingModelOrLibraryIsOneClearError() {
        var settings = PocketsphinxRecognizer.Settings()
        settings.modelDirectory = "/nonexistent/en-us"
        #expect(throws: EngineError.engineUnavailable(PocketsphinxRecognizer.missingMessage)) {
            _ = try PocketsphinxRecognizer(settings: settings)
        }
        settings = .init()
        settings.library = "/nonexistent/libpocketsphinx.so.3"
        #expect(throws: EngineError.engineUnavailable(PocketsphinxRecognizer.missingMessage)) {
            _ = try PocketsphinxRecognizer(settings: settings)
        }
        #expect(PocketsphinxRecognizer.missingMessage == "pocketsphinx is not installed: run `make engines`")
        #expect(throws: EngineError.self) { _ = try PocketsphinxRecognizer(sampleRate: 8000) }
    }
}
