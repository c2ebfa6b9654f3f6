/// A conversation to simulate: settings, what the caller says and how it reacts, what the bot replies.
public struct Scenario: Hashable, Sendable {
    /// Audio settings of the session.
    public struct Audio: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// Samples per second.
        public var sampleRate = 16000
        /// Frame length.
        public var frameMs = 20
        /// Archive codec for all streams: `opus` or `pcm16`. With `opus` the mic goes through it in the loop.
        public var codec = "opus"
        /// Opus bitrate.
        public var bitrate = 12000
        /// Opus encoder complexity (0–10).
        public var complexity = 1
        /// Opus discontinuous transmission: near-empty packets during silence (smaller archives).
        public var dtx = true

        /// The pipeline's audio format.
        public var format: AudioFormat { AudioFormat(sampleRate: sampleRate, frameMs: frameMs) }
    }

    /// One piece of a caller turn: words to say, or a pause.
    public enum Segment: Hashable, Sendable {
        /// Words spoken in one breath.
        case say(String)
        /// Silence inside the turn.
        case pause(ms: Int)
        /// A recorded clip (a WAV or any file libsndfile reads), `path` as written in the scenario
        /// (relative to the scenario file), saying `text` (the simulated STT's words).
        case clip(path: String, text: String)
    }

    /// One turn of the simulated caller.
    public struct CallerTurn: Hashable, Sendable {
        /// What is said, in order.
        public var segments: [Segment]
        /// Silence after the bot stops before this turn starts.
        public var gapMs: Int
        /// If set, the caller starts this turn this long into the bot's reply (a barge-in).
        public var bargeInAfterMs: Int?

        /// Creates a turn.
        public init(segments: [Segment], gapMs: Int = 300, bargeInAfterMs: Int? = nil) {
            self.segments = segments
            self.gapMs = gapMs
            self.bargeInAfterMs = bargeInAfterMs
        }

        /// The spoken text without pauses.
        public var text: String {
            segments.compactMap { segment in
                switch segment {
                case .say(let s), .clip(_, let s): return s
                case .pause: return nil
                }
            }.joined(separator: " ")
        }
    }

    /// The simulated caller.
    public struct Caller: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// espeak-ng voice.
        public var voice = "en-us"
        /// When the first turn starts.
        public var startMs = 500
        /// How long the caller waits for a reply before going on anyway.
        public var patienceMs = 6000
        /// Turns in order.
        public var turns: [CallerTurn] = []
    }

    /// The bot's scripted replies, one per caller turn.
    public struct Bot: Hashable, Sendable {
        /// The defaults.
        public init() {}
        /// Replies in order; reply *i* answers caller turn *i*.
        public var replies: [String] = []
        /// What the bot says when the script has no reply for a turn.
        public var fallbackReply = "Sorry, could you say that again?"
    }

    /// Scenario name.
    public var name = "unnamed"
    /// Root seed; every stage's PRNG derives from it.
    public var seed: UInt64 = 1
    /// Audio settings.
    public var audio = Audio()
    /// Pipeline settings.
    public var pipeline = PipelineSettings()
    /// The caller.
    public var caller = Caller()
    /// The bot.
    public var bot = Bot()
    /// Longest session before the simulation stops (a guard, not a target).
    public var maxDurationMs = 4 * 3600 * 1000

    /// An empty scenario with defaults.
    public init() {}

    /// Every text that will be synthesized, in file order: caller segments, then bot replies, then the fallback.
    public var textsInFileOrder: [(voice: String, text: String)] {
        var texts: [(String, String)] = []
        for turn in caller.turns {
            for case .say(let s) in turn.segments { texts.append((caller.voice, s)) }
        }
        for reply in bot.replies { texts.append((pipeline.tts.voice, reply)) }
        texts.append((pipeline.tts.voice, bot.fallbackReply))
        return texts
    }

    /// Every recorded audio file the scenario uses, in file order without repeats: the caller's
    /// clips, then the noise file.
    public var clipPathsInFileOrder: [String] {
        var paths: [String] = []
        for turn in caller.turns {
            for case .clip(let path, _) in turn.segments where !paths.contains(path) { paths.append(path) }
        }
        if pipeline.noise.kind == "babble-file", !paths.contains(pipeline.noise.file) { paths.append(pipeline.noise.file) }
        return paths
    }
}
