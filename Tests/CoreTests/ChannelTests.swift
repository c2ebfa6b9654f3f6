import Core
import RealModule
import Testing

@Suite struct ChannelTests {
    let format = AudioFormat(sampleRate: 16000, frameMs: 20)

    @Test func babbleNoiseIsTheRecordingLoopedAtTheNoiseLevel() {
        // A 0.25 s "recording": a 440 Hz tone at about -9 dBFS.
        let recording = (0..<4000).map { Int16(12000 * Double.sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        var noise = PipelineSettings.Noise()
        noise.kind = "babble-file"
        noise.file = "cafe.flac"
        noise.levelDb = -30
        var channel = Channel(echo: PipelineSettings.Echo(), noise: noise, format: format, seed: 1, noiseRecording: recording)
        let silent = [Int16](repeating: 0, count: format.samplesPerFrame)
        var mic: [Int16] = []
        for f in 0..<40 { mic += channel.micFrame(caller: silent, start: f * format.samplesPerFrame) }
        // Scaled to the level (within 0.5 dB), looped: sample i equals sample i + 4000.
        #expect(abs(EnergyVAD.levelDb(mic) - -30) < 0.5, "level \(EnergyVAD.levelDb(mic))")
        for i in stride(from: 0, to: 8000, by: 97) { #expect(mic[i] == mic[i + 4000]) }
        // The same absolute sample gets the same noise whenever it is asked for (replays rebuild the mic).
        var again = Channel(echo: PipelineSettings.Echo(), noise: noise, format: format, seed: 99, noiseRecording: recording)
        #expect(again.micFrame(caller: silent, start: 7 * format.samplesPerFrame) == Array(mic[(7 * 320)..<(8 * 320)]))
        // The caller is mixed on top.
        let speech = [Int16](repeating: 1000, count: format.samplesPerFrame)
        let mixed = again.micFrame(caller: speech, start: 0)
        #expect(zip(mixed, mic.prefix(320)).allSatisfy { Int($0) == Int($1) + 1000 })
    }
}
