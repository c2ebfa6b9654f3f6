/// What a real call recording fixes when its session runs through the pipeline (`crosstalk import`).
///
/// The caller's side is the recorded audio; ground truth is the caller's turns (from a transcript,
/// or from the caller channel's speech). The bot is either *observed* (a two-channel recording: the
/// bot channel's speech segments are the bot's replies) or *scripted* (a caller-only recording with
/// the bot's replies as text: the simulated LLM and TTS answer). Observed replies are played where
/// the recording has them; in a counterfactual each one moves with the `turn.end` it followed in the
/// import (`anchor`), keeping its recorded delay after it, so "what would 800 ms endpointing have
/// done" shifts the bot's answers by what the endpointer changed.
public struct ObservedCall: Equatable, Sendable {
    /// One caller turn (ground truth).
    public struct CallerTurn: Equatable, Sendable {
        /// Where the turn's audio starts (its first word or speech).
        public var start: SimInstant
        /// What the caller said (empty when no transcript was given).
        public var text: String
        /// Words (or, without a transcript, speech regions) at absolute times.
        public var words: [SimulatedSTT.SpokenWord]

        /// Creates a turn.
        public init(start: SimInstant, text: String, words: [SimulatedSTT.SpokenWord]) {
            self.start = start
            self.text = text
            self.words = words
        }

        /// When the turn's last word ends.
        public var end: SimInstant { words.last?.end ?? start }
    }

    /// Where an observed bot reply is anchored.
    public struct Anchor: Hashable, Sendable {
        /// The caller speech end the anchoring `turn.end` acted on: the reply follows the first
        /// `turn.end` whose speech end is at or after this.
        public var speechEnd: SimInstant
        /// Recorded delay from that `turn.end` to the reply's first audio.
        public var delay: SimDuration

        /// Creates an anchor.
        public init(speechEnd: SimInstant, delay: SimDuration) {
            self.speechEnd = speechEnd
            self.delay = delay
        }
    }

    /// One observed bot reply: a stretch of the bot channel.
    public struct BotSegment: Hashable, Sendable {
        /// First frame of the reply in the bot channel (its recorded start is this frame's start).
        public var startFrame: Int
        /// Its length in frames.
        public var frameCount: Int
        /// What the bot said, when a transcript gives it.
        public var text: String
        /// Where it is anchored (nil: it plays at its recorded time, e.g. a greeting before any turn).
        public var anchor: Anchor?
        /// When the recorded pipeline ended the turn this reply answers, if the transcript says.
        public var recordedTurnEnd: SimInstant?

        /// Creates a segment.
        public init(startFrame: Int, frameCount: Int, text: String, anchor: Anchor? = nil, recordedTurnEnd: SimInstant? = nil) {
            self.startFrame = startFrame
            self.frameCount = frameCount
            self.text = text
            self.anchor = anchor
            self.recordedTurnEnd = recordedTurnEnd
        }
    }

    /// The caller's turns, in order.
    public var callerTurns: [CallerTurn]
    /// The bot's observed replies, in order (empty for a scripted bot).
    public var botSegments: [BotSegment]
    /// Whether the caller's words come from a transcript (then the simulated STT can run from them).
    public var hasTranscript: Bool
    /// Length of the recording in frames.
    public var frameCount: Int

    /// Creates an observed call.
    public init(callerTurns: [CallerTurn], botSegments: [BotSegment], hasTranscript: Bool, frameCount: Int) {
        self.callerTurns = callerTurns
        self.botSegments = botSegments
        self.hasTranscript = hasTranscript
        self.frameCount = frameCount
    }

    /// Whether the bot's replies are recorded audio (otherwise the simulated bot answers).
    public var botIsObserved: Bool { !botSegments.isEmpty }

    /// Anchors every segment to the last `turn.end` (of `events`) before its recorded start, so that
    /// a run with the same settings plays it exactly there. Segments with no `turn.end` before them
    /// keep their recorded time.
    public func anchored(to events: [PipelineEvent], frameDuration: SimDuration) -> ObservedCall {
        let ends: [(at: SimInstant, speechEnd: SimInstant)] = events.compactMap { e in
            guard e.kind == .turnEnd, let us = e.data["speech_end_us"]?.intValue else { return nil }
            return (e.time, SimInstant(microseconds: us))
        }
        var out = self
        for i in out.botSegments.indices {
            let start = SimInstant(microseconds: Int64(out.botSegments[i].startFrame) * frameDuration.microseconds)
            if let recorded = out.botSegments[i].recordedTurnEnd {
                // The real pipeline's own turn end is known: the reply follows the turn end that hears
                // the speech the real one had heard, by the real pipeline's latency from its turn end.
                out.botSegments[i].anchor = ends.last(where: { $0.speechEnd <= recorded }).map {
                    Anchor(speechEnd: $0.speechEnd, delay: start - recorded)
                }
                continue
            }
            out.botSegments[i].anchor = ends.last(where: { $0.at <= start }).map {
                Anchor(speechEnd: $0.speechEnd, delay: start - $0.at)
            }
        }
        return out
    }
}

extension ObservedCall {
    /// The call as JSON (the archive's `import` meta row), times in microseconds.
    public var json: JSONValue {
        func word(_ w: SimulatedSTT.SpokenWord) -> JSONValue {
            ["word": .string(w.text), "start_us": .int(w.start.microseconds), "end_us": .int(w.end.microseconds)]
        }
        let turns: [JSONValue] = callerTurns.map {
            ["start_us": .int($0.start.microseconds), "text": .string($0.text), "words": .array($0.words.map(word))]
        }
        let segments: [JSONValue] = botSegments.map { s in
            var members: [String: JSONValue] = [
                "start_frame": .int(Int64(s.startFrame)), "frames": .int(Int64(s.frameCount)), "text": .string(s.text),
            ]
            if let a = s.anchor {
                members["anchor_speech_end_us"] = .int(a.speechEnd.microseconds)
                members["anchor_delay_us"] = .int(a.delay.microseconds)
            }
            if let end = s.recordedTurnEnd { members["recorded_turn_end_us"] = .int(end.microseconds) }
            return .object(members)
        }
        return [
            "caller_turns": .array(turns), "bot_segments": .array(segments),
            "has_transcript": .bool(hasTranscript), "frames": .int(Int64(frameCount)),
        ]
    }

    /// Reads the JSON written by `json`; nil when it is not that shape.
    public init?(json: JSONValue) {
        func instant(_ v: JSONValue?) -> SimInstant? { v?.intValue.map { SimInstant(microseconds: $0) } }
        guard let turns = json["caller_turns"]?.arrayValue, let segments = json["bot_segments"]?.arrayValue,
              case .bool(let transcript)? = json["has_transcript"], let frames = json["frames"]?.intValue
        else { return nil }
        var callerTurns: [CallerTurn] = []
        for t in turns {
            guard let start = instant(t["start_us"]), let text = t["text"]?.stringValue, let ws = t["words"]?.arrayValue else { return nil }
            var words: [SimulatedSTT.SpokenWord] = []
            for w in ws {
                guard let text = w["word"]?.stringValue, let a = instant(w["start_us"]), let b = instant(w["end_us"]) else { return nil }
                words.append(.init(text: text, start: a, end: b))
            }
            callerTurns.append(CallerTurn(start: start, text: text, words: words))
        }
        var botSegments: [BotSegment] = []
        for s in segments {
            guard let start = s["start_frame"]?.intValue, let count = s["frames"]?.intValue, let text = s["text"]?.stringValue else { return nil }
            var segment = BotSegment(startFrame: Int(start), frameCount: Int(count), text: text)
            if let end = instant(s["anchor_speech_end_us"]), let delay = s["anchor_delay_us"]?.intValue {
                segment.anchor = Anchor(speechEnd: end, delay: SimDuration(microseconds: delay))
            }
            segment.recordedTurnEnd = instant(s["recorded_turn_end_us"])
            botSegments.append(segment)
        }
        self.init(callerTurns: callerTurns, botSegments: botSegments, hasTranscript: transcript, frameCount: Int(frames))
    }
}

/// Recorded audio frames a run reads instead of building them (the imported caller and bot channels).
public protocol RecordedFrames: AnyObject {
    /// Frame `index` as decoded samples, with the packet it was stored as; frames are asked for in
    /// order 0, 1, 2, … (a codec's decoder has state).
    func frame(_ index: Int) throws -> (samples: [Int16], packet: [UInt8])
    /// The decoded samples of `frames`, the same whatever was read before (a stretch is decoded on
    /// its own, after a fixed warm-up).
    func samples(_ frames: Range<Int>) throws -> [Int16]
}

/// The recorded inputs of an observed call: the call's shape and its audio.
public struct ObservedInputs {
    /// Turns and replies.
    public var call: ObservedCall
    /// The caller channel as the pipeline hears it (the archive's `mic`, equal to `caller`).
    public var mic: any RecordedFrames
    /// The bot channel (the archive's `bot_source`); nil for a scripted bot.
    public var botSource: (any RecordedFrames)?

    /// Creates the inputs.
    public init(call: ObservedCall, mic: any RecordedFrames, botSource: (any RecordedFrames)?) {
        self.call = call
        self.mic = mic
        self.botSource = botSource
    }
}
