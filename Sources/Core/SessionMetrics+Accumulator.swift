extension SessionMetrics {
    /// Builds `SessionMetrics` from events fed one at a time (read from an archive through a cursor),
    /// holding only the events the metrics read, so a session with millions of events costs little.
    ///
    /// `SessionMetrics(events:)` reads every caller ground-truth event, every `stt.final`, `turn.end`
    /// and `play.stop` (a barge-in's reaction ends at the first stop after it), the first event of each per-turn kind it measures (request, token, chunk, playback,
    /// barge-in) in each turn, the first `vad.start` after each `turn.end` (the probable cut-off
    /// hint), and the time of the last event. The accumulator numbers events without a turn as
    /// `SessionMetrics.numbered` does and keeps exactly those, in stream order, so `metrics` equals
    /// `SessionMetrics(events:)` over the whole stream.
    public struct Accumulator: Sendable {
        /// Kinds every row of the metrics may read.
        private static let keptKinds: Set<EventKind> = [.callerSpeechStart, .callerSpeechEnd, .sttFinal, .turnEnd, .playStop]
        /// Kinds of which the metrics read a turn's first event only.
        private static let firstOfTurnKinds: Set<EventKind> = [
            .llmRequest, .llmToken, .ttsRequest, .ttsChunk, .playStart, .bargeIn,
        ]

        private struct TurnKind: Hashable, Sendable {
            var turn: Int
            var kind: EventKind
        }

        private var kept: [PipelineEvent] = []
        /// Numbers events without a turn, as `SessionMetrics.numbered` does.
        private var numbering = TurnNumbering()
        /// Whether a `turn.end` came since the last `vad.start` kept.
        private var awaitingResume = false
        private var seen: Set<TurnKind> = []
        /// The last event fed, when it is not the last one kept (it sets the session's end).
        private var lastUnkept: PipelineEvent?
        /// Events fed so far.
        public private(set) var count = 0
        /// Events held now (what the metrics will read): a few per turn, not one per event fed.
        public var heldCount: Int { kept.count + (lastUnkept == nil ? 0 : 1) }

        /// An accumulator that has seen no events.
        public init() {}

        /// Feeds the next event of the stream.
        public mutating func add(_ recorded: PipelineEvent) {
            count += 1
            let event = numbering.number(recorded)
            if event.kind == .turnEnd { awaitingResume = true }
            if event.kind == .vadStart, awaitingResume {
                awaitingResume = false
                kept.append(event)
                lastUnkept = nil
            } else if Self.keptKinds.contains(event.kind) || isFirstOfItsTurn(event) {
                kept.append(event)
                lastUnkept = nil
            } else {
                lastUnkept = event
            }
        }

        private mutating func isFirstOfItsTurn(_ event: PipelineEvent) -> Bool {
            guard let turn = event.turn, Self.firstOfTurnKinds.contains(event.kind) else { return false }
            return seen.insert(TurnKind(turn: turn, kind: event.kind)).inserted
        }

        /// The metrics of the events fed so far.
        public var metrics: SessionMetrics { metrics(hint: .standard) }

        /// The metrics of the events fed so far, with `hint`'s probable cut-off thresholds.
        public func metrics(hint: CutOffHint) -> SessionMetrics {
            SessionMetrics(events: lastUnkept.map { kept + [$0] } ?? kept, hint: hint)
        }
    }
}
