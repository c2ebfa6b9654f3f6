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
        /// Events kept or passed over so far (labels merged in included).
        private var fed = 0
        /// Events fed so far, with the caller labels (those still due after the last event too).
        public var count: Int { fed + (labels?.remaining ?? 0) }
        /// Events held now (what the metrics will read): a few per turn, not one per event fed.
        public var heldCount: Int { kept.count + (lastUnkept == nil ? 0 : 1) }

        /// QA's caller labels, merged into the stream as it is fed (nil: the stream's own ground truth).
        private var labels: CallerLabels.Merger?

        /// An accumulator that has seen no events; `labels`, when given, replace the stream's caller
        /// ground truth (each enters before the first event later than it).
        public init(labels: CallerLabels? = nil) {
            self.labels = labels.map { CallerLabels.Merger(labels: $0) }
        }

        /// Feeds the next event of the stream.
        public mutating func add(_ recorded: PipelineEvent) {
            guard var merger = labels else { return keep(recorded) }
            labels = nil
            merger.add(recorded) { keep($0) }
            labels = merger
        }

        private mutating func keep(_ recorded: PipelineEvent) {
            fed += 1
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

        /// The metrics of the events fed so far, with `hint`'s probable cut-off thresholds (labels
        /// later than the last event fed count too).
        public func metrics(hint: CutOffHint) -> SessionMetrics {
            var all = self
            if var merger = all.labels {
                all.labels = nil
                merger.finish { all.keep($0) }
            }
            return SessionMetrics(events: all.lastUnkept.map { all.kept + [$0] } ?? all.kept, hint: hint)
        }
    }
}
