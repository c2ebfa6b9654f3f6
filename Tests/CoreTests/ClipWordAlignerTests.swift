import Core
import RealModule
import Testing

@Suite struct ClipWordAlignerTests {
    let rate = 16000

    /// `ms` of a 300 Hz tone at about -16 dBFS.
    func tone(_ ms: Int) -> [Int16] {
        let n = rate * ms / 1000
        return (0..<n).map { Int16(6000 * Double.sin(2 * Double.pi * 300 * Double($0) / Double(rate))) }
    }

    func silence(_ ms: Int) -> [Int16] { [Int16](repeating: 0, count: rate * ms / 1000) }

    @Test func wordsCoverTheSpeechAndSkipTheRecordingsSilences() {
        // 200 ms lead-in, 600 ms speech, 500 ms pause, 600 ms speech, 300 ms tail.
        let clip = silence(200) + tone(600) + silence(500) + tone(600) + silence(300)
        let words = ClipWordAligner.words(of: "one two three four", in: clip, sampleRate: rate)
        #expect(words.map(\.text) == ["one", "two", "three", "four"])
        // The turn's edges are the speech's edges (within one 10 ms block), not the file's.
        #expect(abs(words.first!.startSample - rate * 200 / 1000) <= rate / 100)
        #expect(abs(words.last!.endSample - rate * 1900 / 1000) <= rate / 100)
        // In order, not overlapping; "one two" in the first burst, "four" in the second.
        for (a, b) in zip(words, words.dropFirst()) { #expect(a.endSample <= b.startSample + 1 && a.startSample < b.startSample) }
        #expect(words[1].endSample <= rate * 800 / 1000 + rate / 100)
        #expect(words[3].startSample >= rate * 1300 / 1000 - rate / 100)
        // Longer words get more time: "three" (5 letters) outlasts "one" (3).
        #expect(words[2].endSample - words[2].startSample > words[0].endSample - words[0].startSample)
    }

    @Test func aSilentClipHasNoWords() {
        #expect(ClipWordAligner.words(of: "hello there", in: silence(500), sampleRate: rate).isEmpty)
        #expect(ClipWordAligner.words(of: "hello", in: [], sampleRate: rate).isEmpty)
    }
}
