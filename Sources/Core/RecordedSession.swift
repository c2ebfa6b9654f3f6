/// A recorded real session (a live `record`, a LiveKit import) as a replay sees it: the user's side
/// (VAD, transcripts, end-of-turn verdicts, the recorded pipeline's turn ends) fixed in time, and the
/// bot's replies as recorded chains, each tied to the recorded `turn.end` that triggered it.
///
/// A reply of user turn N is every `llm.*`, `tts.*` and `play.*` event of turn N (events without a
/// turn are attributed by the protocol's convention: to the last `turn.end` before them); it is
/// anchored to turn N's recorded `turn.end`, and a counterfactual moves the chain as one piece with
/// the new turn end that hears the same speech, so the recorded pipeline's response latency is kept
/// (`turn.end` → `llm.request` → `play.start`). Replies before the first turn end (a greeting) keep
/// their recorded times.
public struct RecordedSession: Sendable {
    /// One recorded bot reply.
    public struct Reply: Sendable, Equatable {
        /// The recorded user turn it answers (nil: before any turn ended, e.g. a greeting).
        public var turn: Int?
        /// The recorded `turn.end` it answers; nil for a reply that keeps its recorded times.
        public var anchor: SimInstant?
        /// Where the caller's speech ended for that `turn.end` (the speech the reply answers).
        public var speechEnd: SimInstant?
        /// Its events at their recorded times, in recorded order.
        public var events: [PipelineEvent]
        /// The recorded bot audio it played: from its first `play.start` to its last `play.stop`.
        public var audio: Range<SimInstant>?
        /// The text the recorded audio holds (the last `play.stop`'s `heard_text`).
        public var heardText: String
        /// Whether the recording's playback of it ended interrupted.
        public var interruptedInRecording: Bool
    }

    /// One recorded `turn.end` of the pipeline.
    public struct TurnEnd: Sendable, Equatable {
        /// When it was decided.
        public var time: SimInstant
        /// When the speech it acted on ended (`speech_end_us`, else the last `vad.stop` before it).
        public var speechEnd: SimInstant
        /// Its turn number (the convention's, when the event carried none).
        public var turn: Int
    }

    /// Every recorded event, in recorded order.
    public let events: [PipelineEvent]
    /// The recorded turn ends, in order.
    public let turnEnds: [TurnEnd]
    /// The recorded replies, in order of their first event.
    public let replies: [Reply]
    /// The per-mic-frame speech probabilities (the archive's VAD rows), if recorded.
    public let vadProbabilities: [Double]?
    /// The length of one mic frame.
    public let frameDuration: SimDuration
    /// How many mic frames the session holds.
    public let frameCount: Int

    /// The kinds that make up a reply.
    public static let replyKinds: Set<EventKind> = [
        .llmRequest, .llmToken, .llmDone, .llmCancel, .ttsRequest, .ttsChunk, .ttsDone, .ttsCancel, .playStart, .playStop,
    ]

    /// Reads the session's shape from its events.
    public init(events: [PipelineEvent], vadProbabilities: [Double]?, frameDuration: SimDuration, frameCount: Int) {
        self.events = events
        self.vadProbabilities = vadProbabilities
        self.frameDuration = frameDuration
        self.frameCount = frameCount
        var ends: [TurnEnd] = []
        var lastSpeechEnd: SimInstant?
        // Reply events grouped by the turn they answer (0: before any turn ended).
        var groups: [Int: [PipelineEvent]] = [:]
        var order: [Int] = []
        for e in events {
            switch e.kind {
            case .vadStop:
                lastSpeechEnd = e.data["speech_end_us"]?.intValue.map { SimInstant(microseconds: $0) } ?? e.time
            case .turnEnd:
                let speechEnd = e.data["speech_end_us"]?.intValue.map { SimInstant(microseconds: $0) } ?? lastSpeechEnd ?? e.time
                ends.append(TurnEnd(time: e.time, speechEnd: min(speechEnd, e.time), turn: e.turn ?? (ends.count + 1)))
            default:
                guard Self.replyKinds.contains(e.kind) else { break }
                let turn = e.turn ?? ends.last?.turn ?? 0
                if groups[turn] == nil { order.append(turn) }
                groups[turn, default: []].append(e)
            }
        }
        turnEnds = ends
        replies = order.map { turn in
            let chain = groups[turn] ?? []
            let end = turn > 0 ? ends.first { $0.turn == turn } : nil
            let starts = chain.filter { $0.kind == .playStart }, stops = chain.filter { $0.kind == .playStop }
            var audio: Range<SimInstant>?
            if let first = starts.first, let last = stops.last, last.time > first.time { audio = first.time..<last.time }
            return Reply(
                turn: turn > 0 ? turn : nil, anchor: end?.time, speechEnd: end?.speechEnd, events: chain, audio: audio,
                heardText: stops.last?.data["heard_text"]?.stringValue ?? "",
                interruptedInRecording: stops.last?.data["reason"]?.stringValue == "interrupted")
        }
    }

    /// The recorded `session.end`, if the session has one.
    public var sessionEnd: PipelineEvent? { events.last.flatMap { $0.kind == .sessionEnd ? $0 : nil } }

    /// Whether the recording holds the pipeline's own VAD decisions (`vad.start`/`vad.stop`).
    public var hasVADEvents: Bool { events.contains { $0.kind == .vadStart || $0.kind == .vadStop } }
}
