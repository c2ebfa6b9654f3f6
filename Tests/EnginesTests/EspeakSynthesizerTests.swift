import Core
import Engines
import Testing

@Suite struct EspeakSynthesizerTests {
    static let bangalore = "Hi, I'd like to book a table in Bangalore."
    static let reply = "Sure. For how many people, and when?"

    @Test func samplesDoNotDependOnWhatCameBefore() throws {
        // espeak-ng alone gives different samples for the first and second A (DESIGN.md §1).
        let synthesizer = EspeakSynthesizer(usesCache: false)
        let first = try synthesizer.synthesize(Self.bangalore, voice: "en-us", sampleRate: 16000)
        let other = try synthesizer.synthesize(Self.reply, voice: "en-us", sampleRate: 16000)
        let again = try synthesizer.synthesize(Self.bangalore, voice: "en-us", sampleRate: 16000)
        let fresh = try EspeakSynthesizer(usesCache: false).synthesize(Self.bangalore, voice: "en-us", sampleRate: 16000)
        #expect(synthesizer.synthesisCount == 3)
        #expect(other.samples != first.samples)
        #expect(again.samples == first.samples)
        #expect(again.words == first.words)
        #expect(fresh == first)
    }

    @Test func oneTimingPerWordInOrderInsideTheClip() throws {
        let speech = try EspeakSynthesizer().synthesize(Self.bangalore, voice: "en-us", sampleRate: 16000)
        #expect(speech.words.map(\.text) == ["Hi,", "I'd", "like", "to", "book", "a", "table", "in", "Bangalore."])
        try checkWellFormed(speech, sampleRate: 16000)
        for word in speech.words { #expect(word.endSample > word.startSample, "\(word.text) is empty") }
        // About 2.5 s of speech; the clip ends near the last word's end (trimmed to a few ms).
        #expect((35_000...45_000).contains(speech.samples.count), "\(speech.samples.count) samples")
        #expect(speech.samples.count - speech.words.last!.endSample <= 16 * 20)
    }

    @Test func commaPauseBelongsToNoWord() throws {
        let speech = try EspeakSynthesizer().synthesize(Self.bangalore, voice: "en-us", sampleRate: 16000)
        let hi = speech.words[0], next = speech.words[1]
        #expect(next.startSample - hi.endSample > 16 * 100, "pause of \(next.startSample - hi.endSample) samples")
        let peak = speech.samples.map { abs(Int($0)) }.max()!
        let pause = speech.samples[(hi.endSample + 16 * 5)..<(next.startSample - 16 * 5)]
        #expect(pause.allSatisfy { abs(Int($0)) < peak / 100 })
        // ...while each word holds its sound.
        let hiPeak = speech.samples[hi.startSample..<hi.endSample].map { abs(Int($0)) }.max()!
        #expect(hiPeak > peak / 4)
    }

    @Test func wordsKeepPunctuationAndUnspokenTokensAreEmpty() throws {
        let text = "A table for  four people, tomorrow at 8:30 — café 2024 re-book."
        let speech = try EspeakSynthesizer().synthesize(text, voice: "en-us", sampleRate: 16000)
        #expect(speech.words.map(\.text) == text.split(whereSeparator: { $0.isWhitespace }).map(String.init))
        try checkWellFormed(speech, sampleRate: 16000)
        for word in speech.words where word.text != "—" {
            #expect(word.endSample > word.startSample, "\(word.text) is empty")
        }
        let dash = try #require(speech.words.first { $0.text == "—" })
        #expect(dash.startSample == dash.endSample)
    }

    @Test func nativeAndOtherRatesAgree() throws {
        let synthesizer = EspeakSynthesizer()
        let native = try synthesizer.synthesize(Self.reply, voice: "en-us", sampleRate: 22050)
        let wide = try synthesizer.synthesize(Self.reply, voice: "en-us", sampleRate: 16000)
        let narrow = try synthesizer.synthesize(Self.reply, voice: "en-us", sampleRate: 8000)
        try checkWellFormed(native, sampleRate: 22050)
        try checkWellFormed(narrow, sampleRate: 8000)
        #expect(abs(wide.samples.count - native.samples.count * 16000 / 22050) <= 1)
        for (n, w) in zip(native.words, wide.words) {
            #expect(abs(n.startSample * 16000 / 22050 - w.startSample) <= 1)
        }
    }

    @Test func repeatedTextsAreSynthesizedOnce() throws {
        let synthesizer = EspeakSynthesizer()
        let text = "The cache test says this sentence only here."
        let first = try synthesizer.synthesize(text, voice: "en-us", sampleRate: 16000)
        let second = try synthesizer.synthesize(text, voice: "en-us", sampleRate: 16000)
        #expect(first == second)
        #expect(synthesizer.synthesisCount == 1)
        _ = try synthesizer.synthesize(text, voice: "en-us", sampleRate: 8000)
        #expect(synthesizer.synthesisCount == 2)
        // Another instance shares the process-wide cache.
        let other = EspeakSynthesizer()
        #expect(try other.synthesize(text, voice: "en-us", sampleRate: 16000) == first)
        #expect(other.synthesisCount == 0)
    }

    @Test func unknownVoiceIsAnActionableError() {
        #expect(throws: EngineError.voiceNotFound("xx-nope")) {
            try EspeakSynthesizer().synthesize("hello", voice: "xx-nope", sampleRate: 16000)
        }
        #expect(EngineError.voiceNotFound("xx-nope").description.contains("espeak-ng has no voice or language 'xx-nope'"))
    }

    @Test func aLanguageTagPicksAVoiceThatSpeaksIt() throws {
        // en-gb is no voice file's name in espeak-ng 1.51 but a language of gmw/en.
        let british = try EspeakSynthesizer().synthesize("Hello there.", voice: "en-gb", sampleRate: 16000)
        #expect(british.words.map(\.text) == ["Hello", "there."])
        #expect(british.samples.count > 8000)
    }

    @Test func otherVoicesWork() throws {
        let speech = try EspeakSynthesizer().synthesize("Guten Tag, wie geht es?", voice: "de", sampleRate: 16000)
        #expect(speech.words.count == 5)
        try checkWellFormed(speech, sampleRate: 16000)
    }

    @Test func blankTextIsSilence() throws {
        let speech = try EspeakSynthesizer().synthesize("  \n ", voice: "en-us", sampleRate: 16000)
        #expect(speech.samples.isEmpty && speech.words.isEmpty)
    }

    /// Words increase, do not overlap, lie inside the clip, and the first starts near sample 0.
    private func checkWellFormed(_ speech: SynthesizedSpeech, sampleRate: Int) throws {
        var previousEnd = 0
        for word in speech.words {
            #expect(word.startSample >= previousEnd, "\(word.text) overlaps the word before")
            #expect(word.endSample >= word.startSample, "\(word.text) ends before it starts")
            #expect(word.endSample <= speech.samples.count, "\(word.text) ends after the clip")
            previousEnd = word.endSample
        }
        let first = try #require(speech.words.first)
        #expect(first.startSample <= sampleRate * 50 / 1000, "first word starts at sample \(first.startSample)")
    }
}
