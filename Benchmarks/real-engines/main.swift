// Release-build speed of the real engines (speex AEC, WebRTC VAD, Silero VAD, pocketsphinx) on one
// core, as multiples of real time. Built and run by Benchmarks/real-engines/run.sh; not part of the package.
import Core
import Engines
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func line(_ format: String, _ args: CVarArg...) { print(String(format: format, arguments: args)) }

let rate = 16000, frame = 320
let texts = [
    "Hi, I'd like to book a table in Bangalore.",
    "Sure. For how many people, and when?",
    "A table for four people, tomorrow at eight.",
    "Great, a table for four tomorrow at eight. Anything else?",
    "Could you also tell me whether the restaurant has vegetarian options and parking nearby?",
]
let synthesizer = EspeakSynthesizer()
var speech: [Int16] = []
for text in texts { speech += try synthesizer.synthesize(text, voice: "en-us", sampleRate: rate).samples + [Int16](repeating: 0, count: rate / 2) }
// One minute of conversation-like audio: speech with half-second pauses.
var minute: [Int16] = []
while minute.count < rate * 60 { minute += speech }
minute = Array(minute[0..<(rate * 60)])
let frames = stride(from: 0, to: minute.count, by: frame).map { Array(minute[$0..<($0 + frame)]) }
let audioSeconds = Double(minute.count) / Double(rate)
line("audio: %.0f s of espeak-ng speech with pauses, 20 ms frames, 16 kHz", audioSeconds)

func best(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<runs { fastest = min(fastest, try seconds(body)) }
    return fastest
}

// MARK: speex: the mic hears the playback 120 ms later at -12 dB.
let delay = 120 * rate / 1000
let echoMic = (0..<minute.count).map { i in i < delay ? Int16(0) : Int16(Double(minute[i - delay]) * 0.25) }
let echoFrames = stride(from: 0, to: echoMic.count, by: frame).map { Array(echoMic[$0..<($0 + frame)]) }
let speexTime = try best {
    let aec = try SpeexEchoCanceller(samplesPerFrame: frame, sampleRate: rate, settings: .forEchoDelay(ms: 120))
    for (m, p) in zip(echoFrames, frames) { _ = try aec.cancel(mic: m, playback: p) }
}
line("speex echo canceller (80 ms filter, preprocessor, post-filter): %.0fx real time", audioSeconds / speexTime)
var bare = SpeexEchoCanceller.Settings.forEchoDelay(ms: 120)
bare.residualSuppression = false
let speexBare = try best {
    let aec = try SpeexEchoCanceller(samplesPerFrame: frame, sampleRate: rate, settings: bare)
    for (m, p) in zip(echoFrames, frames) { _ = try aec.cancel(mic: m, playback: p) }
}
line("speex echo canceller without the preprocessor: %.0fx real time", audioSeconds / speexBare)

// MARK: VADs
let webrtcTime = try best {
    let vad = try WebRTCVAD()
    for f in frames { _ = try vad.probability(of: f) }
}
line("webrtc VAD: %.0fx real time", audioSeconds / webrtcTime)
let sileroInit = try best { _ = try SileroVAD() }
let sileroTime = try best {
    let vad = try SileroVAD()
    for f in frames { _ = try vad.probability(of: f) }
}
line("silero VAD (sherpa-onnx, 1 thread): %.0fx real time; load %.0f ms", audioSeconds / sileroTime, sileroInit * 1000)

// MARK: pocketsphinx: espeak-ng speech, and pocketsphinx-testdata's recorded voice.
let psInit = try best { _ = try PocketsphinxRecognizer() }
func decode(_ samples: [Int16]) throws -> Double {
    let fs = stride(from: 0, to: samples.count - frame + 1, by: frame).map { Array(samples[$0..<($0 + frame)]) }
    return try best(2) {
        let recognizer = try PocketsphinxRecognizer()
        for (i, f) in fs.enumerated() { _ = try recognizer.accept(f, end: SimInstant(microseconds: Int64(i + 1) * 20_000)) }
    } - psInit
}
let psEspeak = try decode(minute)
line("pocketsphinx (en-us, VAD on) on espeak-ng speech: %.1fx real time; decoder load %.0f ms", audioSeconds / psEspeak, psInit * 1000)
let raw = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/pocketsphinx/test/data/goforward.raw"))
let recorded = raw.withUnsafeBytes { b in (0..<(raw.count / 2)).map { Int16(littleEndian: b.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) } }
var recordedMinute: [Int16] = []
while recordedMinute.count < rate * 60 { recordedMinute += recorded }
let psRecorded = try decode(recordedMinute)
line("pocketsphinx on a recorded voice (goforward.raw looped): %.1fx real time", Double(recordedMinute.count) / Double(rate) / psRecorded)
