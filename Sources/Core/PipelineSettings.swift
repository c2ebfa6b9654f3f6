/// Every tunable of the pipeline (the `pipeline:` section of a scenario), with the defaults of DESIGN.md §2.
public struct PipelineSettings: Hashable, Sendable {
    /// Voice activity detection.
    public struct VAD: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `energy` (built in), `silero` or `webrtc`.
        public var engine = "energy"
        /// Continuous speech needed before `vad.start`.
        public var startMs = 60
        /// Continuous silence needed before `vad.stop`.
        public var stopMs = 200
        /// Speech probability at or above which a frame counts as speech.
        public var threshold = 0.5
        /// Energy VAD: how far above the tracked noise floor speech must be, in dB.
        public var marginDb = 12.0
        /// Energy VAD: the lowest level that can count as speech, in dBFS.
        public var floorDb = -50.0
    }

    /// End-of-turn detection.
    public struct Endpointing: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `silence` (fixed silence) or `smart` (waits longer when the transcript looks unfinished).
        public var mode = "silence"
        /// Silence after the last speech before the turn ends.
        public var silenceMs = 500
        /// The longest wait: smart mode's wait on an unfinished transcript, and the cap on waiting for a transcript.
        public var maxDelayMs = 3000
        /// `model` mode: the end-of-turn model (`smart-turn-v3.2`).
        public var model = "smart-turn-v3.2"
        /// `model` mode: P(complete) at or above which the turn may end.
        public var threshold = 0.5
        /// `model` mode: silence a complete verdict waits for before it ends the turn.
        public var actionDelayMs = 0
        /// `model` mode: silence after which the turn ends whatever the model says (Pipecat's `stop_secs`).
        public var timeoutMs = 3000
        /// `model` mode: silence between two scores while the user stays quiet.
        public var inferenceIntervalMs = 100
        /// `model` mode: how long one inference takes, on the virtual clock (never measured in the loop).
        public var inferenceMs = 40

        /// The model policy's knobs.
        public var modelPolicy: ModelEndpointerStateMachine.Policy {
            ModelEndpointerStateMachine.Policy(
                threshold: threshold, actionDelay: .milliseconds(actionDelayMs), timeout: .milliseconds(timeoutMs),
                inferenceInterval: .milliseconds(inferenceIntervalMs))
        }
    }

    /// Speech-to-text.
    public struct STT: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `simulated` (ground truth + latency model) or `pocketsphinx` (real recognition of the mic audio).
        public var engine = "simulated"
        /// A real engine's declared real-time factor: its compute time is `rtf` × the audio it processed,
        /// put on the virtual clock instead of measured, so runs stay deterministic.
        public var rtf = 0.3
        /// Latency preset name.
        public var preset = "deepgram-nova-2"
        /// Fixed partial latency overriding the preset, if set.
        public var partialLatencyMs: Int?
        /// Fixed final lag (after the segment's last word) overriding the preset, if set.
        public var finalLatencyMs: Int?
        /// Pause inside speech that closes a transcript segment (a final).
        public var segmentPauseMs = 400
    }

    /// Language model.
    public struct LLM: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `scripted` (replies from the scenario) or `openai` (an OpenAI-compatible server).
        public var engine = "scripted"
        /// Latency preset name.
        public var preset = "groq-llama3-8b"
        /// Fixed time to first token overriding the preset, if set.
        public var ttftMs: Int?
        /// Token rate overriding the preset, if set.
        public var tokensPerSecond: Int?
        /// `openai`: the API base, e.g. `http://127.0.0.1:8080/v1`.
        public var baseURL = ""
        /// `openai`: the model name sent with each request.
        public var model = ""
        /// `openai`: the system prompt that starts the conversation.
        public var systemPrompt = "You are a voice assistant on a phone call. Answer in one or two short sentences."
        /// `openai`: the reply's token limit.
        public var maxTokens = 60
        /// `openai`: sampling temperature (0: the server's most likely tokens).
        public var temperature = 0.0
        /// `openai`: the environment variable holding the API key, if the server needs one (never recorded).
        public var apiKeyEnv = "OPENAI_API_KEY"
        /// `openai`: no bytes for this long fails the request.
        public var timeoutMs = 10_000
    }

    /// Text-to-speech (and the token aggregator in front of it).
    public struct TTS: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `espeak`.
        public var engine = "espeak"
        /// Latency preset name.
        public var preset = "elevenlabs-flash"
        /// espeak-ng voice of the bot.
        public var voice = "en-us"
        /// Push text to TTS after this many tokens.
        public var flushTokens = 8
        /// Push text to TTS at punctuation.
        public var flushOnPunctuation = true
        /// Fixed time to first byte overriding the preset, if set.
        public var ttfbMs: Int?
        /// Audio per streamed chunk.
        public var chunkMs = 200
    }

    /// Interruption of the bot by the user.
    public struct BargeIn: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `vad` (speech duration and/or words) or `none`.
        public var mode = "vad"
        /// User speech needed while the bot talks.
        public var minSpeechMs = 300
        /// Transcribed words needed as well (0: not required).
        public var minWords = 0
    }

    /// Network between the agent and each cloud service.
    public struct Network: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// Round trip per cloud hop (STT, LLM, TTS when their preset is a cloud service).
        public var rttMs = 40
    }

    /// Echo of the bot's playback into the microphone.
    public struct Echo: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// Whether the bot hears itself.
        public var enabled = false
        /// Acoustic delay from speaker to mic.
        public var delayMs = 120
        /// Echo level relative to playback.
        public var gainDb = -12.0
        /// Echo canceller: `none` or `speex`.
        public var aec = "none"
    }

    /// Background noise on the line.
    public struct Noise: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// `none`, `white`, or `babble-file` (a recording looped under the call, e.g. a café).
        public var kind = "none"
        /// Noise RMS level in dBFS (a `babble-file` recording is scaled to it).
        public var levelDb = -45.0
        /// The recording for `babble-file`, as written in the scenario (relative to the scenario file).
        public var file = ""
    }

    /// VAD settings.
    public var vad = VAD()
    /// Endpointing settings.
    public var endpointing = Endpointing()
    /// STT settings.
    public var stt = STT()
    /// LLM settings.
    public var llm = LLM()
    /// TTS settings.
    public var tts = TTS()
    /// Barge-in settings.
    public var bargein = BargeIn()
    /// Network settings.
    public var network = Network()
    /// Echo settings.
    public var echo = Echo()
    /// Noise settings.
    public var noise = Noise()
    /// Latency adjustments of a replay (`--retime`); not a scenario key.
    public var retime = Retiming()

    /// The defaults.
    public init() {}
}
