/// Published latency figures of the services people build voice agents on (DESIGN.md §6).
///
/// Each preset cites its source. Vendors' numbers move; they are modelled as log-normal distributions
/// with the median at the centre of the published range and the p90 near its top
/// (see shared/LATENCY_PRESETS.md).
public struct LatencyPreset: Hashable, Sendable {
    /// Which pipeline stage the preset is for.
    public enum Stage: String, Sendable { case stt, llm, tts }

    /// Preset name as used in scenarios (`deepgram-nova-2`).
    public var name: String
    /// Its stage.
    public var stage: Stage
    /// Whether calls cross the network (each cloud hop adds `network.rtt_ms`).
    public var cloud: Bool
    /// STT: interim (partial) latency after a word ends. LLM: time to first token. TTS: time to first byte.
    public var firstLatency: LatencyModel
    /// STT only: lag of the final after a segment's last word (nil: no separate final model).
    public var finalLatency: LatencyModel?
    /// STT only: whether the service streams partials at all (chunked Whisper does not).
    public var streamsPartials: Bool
    /// LLM: tokens per second. TTS: audio seconds produced per wall second (speed), ×100.
    public var rate: Int
    /// Where the numbers come from.
    public var source: String

    /// Every preset, in a fixed order.
    public static let all: [LatencyPreset] = [
        // STT
        LatencyPreset(
            name: "deepgram-nova-2", stage: .stt, cloud: true, firstLatency: .ms(median: 150, p90: 280),
            finalLatency: .ms(median: 300, p90: 500), streamsPartials: true, rate: 0,
            source: "Deepgram docs (interim results, endpointing): interim ~150 ms typical, 50-300 ms, 'sub-300 ms'"),
        LatencyPreset(
            name: "deepgram-nova-3", stage: .stt, cloud: true, firstLatency: .ms(median: 150, p90: 280),
            finalLatency: .ms(median: 300, p90: 500), streamsPartials: true, rate: 0,
            source: "Deepgram docs (interim results, endpointing): interim ~150 ms typical, 50-300 ms"),
        LatencyPreset(
            name: "assemblyai-universal-streaming", stage: .stt, cloud: true, firstLatency: .ms(median: 300, p90: 450),
            finalLatency: .ms(median: 350, p90: 500), streamsPartials: true, rate: 0,
            source: "AssemblyAI blog 'Introducing Universal-Streaming' (~300 ms immutable transcripts); docs/streaming/turn-detection"),
        LatencyPreset(
            name: "whisper-local", stage: .stt, cloud: false, firstLatency: .ms(median: 500, p90: 900),
            finalLatency: .ms(median: 500, p90: 900), streamsPartials: false, rate: 0,
            source: "chunked local Whisper/faster-whisper on CPU: not streaming, ~0.2-1 s per chunk (shared/LATENCY_PRESETS.md)"),
        // LLM
        LatencyPreset(
            name: "groq-llama3-8b", stage: .llm, cloud: true, firstLatency: .ms(median: 60, p90: 80),
            finalLatency: nil, streamsPartials: true, rate: 800,
            source: "third-party Groq LPU latency benchmarks: TTFT 45-80 ms, 750-877 tokens/s"),
        LatencyPreset(
            name: "gpt-4o", stage: .llm, cloud: true, firstLatency: .ms(median: 330, p90: 400),
            finalLatency: nil, streamsPartials: true, rate: 81,
            source: "Artificial Analysis, May 2024: TTFT ~390 ms (200-400 ms), ~81 tokens/s"),
        LatencyPreset(
            name: "together-llama3-8b", stage: .llm, cloud: true, firstLatency: .ms(median: 170, p90: 220),
            finalLatency: nil, streamsPartials: true, rate: 110,
            source: "third-party benchmarks: TTFT 124-220 ms, 98-120 tokens/s"),
        LatencyPreset(
            name: "local-smollm2-135m", stage: .llm, cloud: false, firstLatency: .ms(median: 80, p90: 91),
            finalLatency: nil, streamsPartials: true, rate: 80,
            source: "measured here: llama.cpp server, SmolLM2-135M-Instruct, 2 CPU cores, TTFT 71-91 ms warm, 76-85 tokens/s"),
        // TTS
        LatencyPreset(
            name: "elevenlabs-flash", stage: .tts, cloud: true, firstLatency: .ms(median: 75, p90: 120),
            finalLatency: nil, streamsPartials: true, rate: 400,
            source: "elevenlabs.io/docs/overview/models: Flash v2/v2.5 ~75 ms model latency"),
        LatencyPreset(
            name: "elevenlabs-turbo", stage: .tts, cloud: true, firstLatency: .ms(median: 300, p90: 400),
            finalLatency: nil, streamsPartials: true, rate: 400,
            source: "elevenlabs.io/docs/overview/models: Turbo v2.5 ~300 ms"),
        LatencyPreset(
            name: "cartesia-sonic", stage: .tts, cloud: true, firstLatency: .ms(median: 90, p90: 135),
            finalLatency: nil, streamsPartials: true, rate: 400,
            source: "docs.cartesia.ai (tts-models): Sonic-2 ~90 ms model latency, ~135 ms first chunk via SDK"),
        LatencyPreset(
            name: "cartesia-sonic-turbo", stage: .tts, cloud: true, firstLatency: .ms(median: 40, p90: 60),
            finalLatency: nil, streamsPartials: true, rate: 400,
            source: "docs.cartesia.ai (tts-models): Sonic Turbo ~40 ms"),
        LatencyPreset(
            name: "espeak-local", stage: .tts, cloud: false, firstLatency: .ms(median: 20, p90: 30),
            finalLatency: nil, streamsPartials: true, rate: 1000,
            source: "measured here: espeak-ng synthesis ~1000x real time on one core"),
    ]

    /// The preset called `name` for `stage`, or an error listing the known ones.
    public static func named(_ name: String, stage: Stage) -> LatencyPreset? {
        all.first { $0.name == name && $0.stage == stage }
    }

    /// Names of the presets for `stage`.
    public static func names(for stage: Stage) -> [String] { all.filter { $0.stage == stage }.map(\.name) }
}
