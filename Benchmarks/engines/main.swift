// Release-build measurements of the Engines module (espeak-ng, Resampler, Opus) on one core.
// Built and run by Benchmarks/engines/run.sh; not part of the package.
import Core
import Engines
import Foundation

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func line(_ format: String, _ args: CVarArg...) { print(String(format: format, arguments: args)) }

let texts = [
    "Hi, I'd like to book a table in Bangalore.",
    "Sure. For how many people, and when?",
    "A table for four people, tomorrow at eight.",
    "Great, a table for four tomorrow at eight. Anything else?",
    "Actually, make it five.",
    "Done, five people.",
    "Could you also tell me whether the restaurant has vegetarian options and parking nearby?",
    "Yes, there is a large vegetarian menu, and a parking garage two minutes away on foot.",
]

// MARK: espeak-ng: every uncached call forks a fresh child (see Sources/CEspeak/shim.h).
let uncached = EspeakSynthesizer(usesCache: false)
_ = try uncached.synthesize("warm up", voice: "en-us", sampleRate: 16000)
var speech: [Int16] = []
var native: [Int16] = []
for text in texts {
    speech += try uncached.synthesize(text, voice: "en-us", sampleRate: 16000).samples
    native += try uncached.synthesize(text, voice: "en-us", sampleRate: 22050).samples
}
let rounds = 5
let speechSeconds = Double(speech.count) / 16000
let at16k = try seconds { for _ in 0..<rounds { for t in texts { _ = try uncached.synthesize(t, voice: "en-us", sampleRate: 16000) } } }
let atNative = try seconds { for _ in 0..<rounds { for t in texts { _ = try uncached.synthesize(t, voice: "en-us", sampleRate: 22050) } } }
line("espeak-ng: %d texts, %.1f s of speech", texts.count, speechSeconds)
line("espeak-ng: uncached synthesize at 16 kHz %.2f ms/call (%.0fx real time); at native 22050 Hz %.2f ms/call",
     at16k * 1000 / Double(rounds * texts.count), speechSeconds * Double(rounds) / at16k, atNative * 1000 / Double(rounds * texts.count))
let cached = EspeakSynthesizer()
for t in texts { _ = try cached.synthesize(t, voice: "en-us", sampleRate: 16000) }
let hits = try seconds { for _ in 0..<100 { for t in texts { _ = try cached.synthesize(t, voice: "en-us", sampleRate: 16000) } } }
line("espeak-ng: cache hit %.1f µs/call", hits * 1e6 / Double(100 * texts.count))

// MARK: Resampler
var long = native
while long.count < 22050 * 60 { long += native }
let resampler = Resampler(from: 22050, to: 16000)
var first: [Int16] = []
let resampleTime = seconds { for _ in 0..<5 { first = resampler.resample(long) } }
line("resampler 22050->16000: %.0fx real time (reused table); table build %.2f ms",
     Double(long.count) / 22050 * 5 / resampleTime, seconds { for _ in 0..<20 { _ = Resampler(from: 22050, to: 16000) } } * 50)
for rate in [8000, 44100, 48000] {
    let input = Resampler.resample(long, from: 22050, to: rate)
    let r = Resampler(from: rate, to: 16000)
    line("resampler %d->16000: %.0fx real time", rate, Double(input.count) / Double(rate) / seconds { _ = r.resample(input) })
}
line("resampler bit-identical on a second run: %@", Resampler(from: 22050, to: 16000).resample(long) == first ? "yes" : "NO")

// MARK: Opus, 20 ms frames at 16 kHz
var minute = speech
while minute.count < 16000 * 60 { minute += speech }
let frames = stride(from: 0, to: minute.count - 319, by: 320).map { Array(minute[$0..<($0 + 320)]) }
let silence = [Int16](repeating: 0, count: 320)
let mix = frames.enumerated().map { ($0.offset / 100) % 2 == 0 ? $0.element : silence }  // 2 s on, 2 s off
let frameSeconds = Double(frames.count) * 0.02
for complexity in [0, 1, 2, 3, 5, 10] {
    var speeds: [Double] = []
    for input in [frames, mix] {
        var best = 0.0
        for _ in 0..<3 {
            let codec = try OpusCodec(complexity: complexity)
            best = max(best, frameSeconds / (try seconds { for frame in input { _ = try codec.encode(frame) } }))
        }
        speeds.append(best)
    }
    let speechPackets = try { let c = try OpusCodec(complexity: complexity); return try frames.map { try c.encode($0) } }()
    let decoder = try OpusCodec(complexity: complexity)
    let decode = try seconds { for p in speechPackets { _ = try decoder.decode(p) } }
    let bytes = Double(speechPackets.reduce(0) { $0 + $1.count }) / Double(speechPackets.count)
    line("opus complexity %2d: encode speech %4.0fx, half-silent mix %4.0fx real time; decode %4.0fx; speech %.1f B/packet",
         complexity, speeds[0], speeds[1], frameSeconds / decode, bytes)
}
for bitrate in [16000, 12000] {
    for dtx in [false, true] {
        let talk = try OpusCodec(bitrate: bitrate, dtx: dtx)
        let speechBytes = try frames.reduce(0) { $0 + (try talk.encode($1)).count }
        let quiet = try OpusCodec(bitrate: bitrate, dtx: dtx)
        let silenceBytes = try (0..<1000).reduce(0) { n, _ in n + (try quiet.encode(silence)).count }
        line("opus %5d bit/s, dtx %@: speech %.1f B/packet, digital silence %.2f B/packet",
             bitrate, dtx ? "on " : "off", Double(speechBytes) / Double(frames.count), Double(silenceBytes) / 1000)
    }
}
