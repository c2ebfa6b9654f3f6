import Core
import Engines
import Foundation
import Testing

@Suite struct OpusCodecTests {
    /// Real speech (espeak-ng) at 16 kHz, cut to whole 20 ms frames.
    private func speechFrames() throws -> [[Int16]] {
        let speech = try EspeakSynthesizer().synthesize(
            "Hi, I'd like to book a table in Bangalore.", voice: "en-us", sampleRate: 16000
        ).samples
        return stride(from: 0, to: speech.count - 319, by: 320).map { Array(speech[$0..<($0 + 320)]) }
    }

    /// The best signal-to-noise ratio (dB) of `output` against `input` over codec delays 0..<maxLag.
    private func bestSNR(_ input: [Int16], _ output: [Int16], maxLag: Int) -> (snr: Double, lag: Int) {
        let x = input.map(Double.init), y = output.map(Double.init)
        let n = x.count - maxLag
        let signal = x[0..<n].reduce(0) { $0 + $1 * $1 }
        var best = (snr: -Double.infinity, lag: 0)
        for lag in 0..<maxLag {
            var noise = 0.0
            for i in 0..<n { let d = x[i] - y[i + lag]; noise += d * d }
            let snr = 10 * log10(signal / noise)
            if snr > best.snr { best = (snr, lag) }
        }
        return best
    }

    @Test func roundTripOfSpeechIsClose() throws {
        let frames = try speechFrames()
        let codec = try OpusCodec()
        let packets = try frames.map { try codec.encode($0) }
        #expect(packets.count == frames.count)
        #expect(packets.allSatisfy { !$0.isEmpty && $0.count <= OpusCodec.maxPacketBytes })
        let decoded = try packets.flatMap { try codec.decode($0) }
        #expect(decoded.count == frames.count * 320)
        let (snr, lag) = bestSNR(frames.flatMap { $0 }, decoded, maxLag: 200)
        // Opus' 6.5 ms lookahead at 16 kHz is 104 samples; about 9-10 dB at 16 kbit/s for this clip.
        #expect(snr > 6, "SNR \(snr) dB")
        #expect((90...120).contains(lag), "codec delay \(lag) samples")
        // Mean packet at 16 kbit/s VBR is about 34 bytes (20 ms).
        let mean = Double(packets.reduce(0) { $0 + $1.count }) / Double(packets.count)
        #expect((20...45).contains(mean), "mean packet \(mean) bytes")
    }

    @Test func sameInputSamePackets() throws {
        let frames = try speechFrames()
        let a = try OpusCodec(), b = try OpusCodec()
        let first = try frames.map { try a.encode($0) }
        let second = try frames.map { try b.encode($0) }
        #expect(first == second)
    }

    @Test func garbageAndMisfitPacketsThrow() throws {
        let codec = try OpusCodec()
        // Code-3 packet claiming 63 frames of 20 ms: more than Opus' 120 ms limit.
        #expect(throws: CodecError.self) { try codec.decode([0xFF, 0xFF, 0x01, 0x02]) }
        #expect(throws: CodecError.self) { try codec.decode([0x03]) }
        #expect(throws: CodecError.self) { try codec.decode([UInt8](repeating: 0x7A, count: 1276)) }
        // A valid 40 ms packet is not one 20 ms frame.
        let long = try OpusCodec(samplesPerFrame: 640)
        let packet = try long.encode([Int16](repeating: 100, count: 640))
        #expect(throws: CodecError.self) { try codec.decode(packet) }
        #expect(throws: CodecError.self) { try codec.encode([Int16](repeating: 0, count: 319)) }
        // The codec still works afterwards.
        #expect(try codec.decode(try codec.encode([Int16](repeating: 0, count: 320))).count == 320)
    }

    @Test func emptyPacketIsConcealed() throws {
        let codec = try OpusCodec()
        for frame in try speechFrames().prefix(10) { _ = try codec.decode(try codec.encode(frame)) }
        #expect(try codec.decode([]).count == 320)
    }

    @Test func dtxShrinksSilence() throws {
        let silence = [Int16](repeating: 0, count: 320)
        let plain = try OpusCodec(), dtx = try OpusCodec(dtx: true)
        let plainBytes = try (0..<100).reduce(0) { n, _ in n + (try plain.encode(silence)).count }
        let dtxBytes = try (0..<100).reduce(0) { n, _ in n + (try dtx.encode(silence)).count }
        #expect(dtxBytes * 3 < plainBytes, "dtx \(dtxBytes) B, plain \(plainBytes) B per 2 s")
        let decoded = try (0..<100).flatMap { _ in try dtx.decode(try dtx.encode(silence)) }
        #expect(decoded.count == 100 * 320)
        #expect(decoded.allSatisfy { abs(Int($0)) < 64 })
    }

    @Test func badSettingsThrow() throws {
        #expect(throws: CodecError.self) { try OpusCodec(sampleRate: 22050) }
        #expect(throws: CodecError.self) { try OpusCodec(samplesPerFrame: 300) }
        #expect(throws: CodecError.self) { try OpusCodec(complexity: 11) }
        #expect(throws: CodecError.self) { try OpusCodec(bitrate: 100) }
        #expect(try OpusCodec(sampleRate: 48000, samplesPerFrame: 960).name == "opus")
    }
}
