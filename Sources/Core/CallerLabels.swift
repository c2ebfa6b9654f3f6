/// QA's labels of the caller's turns (when each started and ended speaking), used as ground truth
/// for a session that has none of its own (a live recording, an import without a transcript).
///
/// They are read at report time, never written to an archive: they replace any recorded
/// `caller.*` events and enter the event stream at their times, so every metric that reads ground
/// truth (cut-offs, overlap, the replay verdict's caller turns) sees them.
public struct CallerLabels: Hashable, Sendable {
    /// One labelled caller turn.
    public struct Turn: Hashable, Sendable {
        /// When the caller started speaking.
        public var start: SimInstant
        /// When the caller stopped.
        public var end: SimInstant
        /// What the caller said (may be empty).
        public var text: String

        /// A labelled turn.
        public init(start: SimInstant, end: SimInstant, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    /// The labels as `caller.speech_start`/`caller.speech_end` events (turns numbered 1, 2, …), in time order.
    public let events: [PipelineEvent]

    /// Labels of `turns`, in the order given.
    public init(turns: [Turn]) {
        events = turns.enumerated().flatMap { index, turn in
            [PipelineEvent(seq: -1, time: turn.start, kind: .callerSpeechStart, turn: index + 1, data: ["text": .string(turn.text)]),
             PipelineEvent(seq: -1, time: turn.end, kind: .callerSpeechEnd, turn: index + 1, data: ["text": .string(turn.text)])]
        }.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// `events` with its own caller ground truth replaced by the labels, each label placed before
    /// the first event later than it.
    public func applied(to events: [PipelineEvent]) -> [PipelineEvent] {
        var merger = Merger(labels: self)
        var out: [PipelineEvent] = []
        out.reserveCapacity(events.count + self.events.count)
        for event in events { merger.add(event) { out.append($0) } }
        merger.finish { out.append($0) }
        return out
    }

    /// The metrics of `events` with these labels as their ground truth.
    public func metrics(of events: [PipelineEvent], hint: CutOffHint = .standard) -> SessionMetrics {
        SessionMetrics(events: applied(to: events), hint: hint)
    }

    /// Merges the labels into a stream read one event at a time (through an archive's cursor).
    public struct Merger: Sendable {
        private let labels: [PipelineEvent]
        private var next = 0

        /// A merger of `labels` into a stream not yet started.
        public init(labels: CallerLabels) { self.labels = labels.events }

        /// Labels not yet emitted (later than every event so far).
        public var remaining: Int { labels.count - next }

        /// Feeds the next event of the stream: `emit` receives the labels due before it, then it
        /// (unless it is a recorded `caller.*` event, which the labels replace).
        public mutating func add(_ event: PipelineEvent, emit: (PipelineEvent) -> Void) {
            while next < labels.count, labels[next].time <= event.time {
                emit(labels[next])
                next += 1
            }
            if event.kind == .callerSpeechStart || event.kind == .callerSpeechEnd { return }
            emit(event)
        }

        /// The stream ended: the labels after its last event.
        public mutating func finish(emit: (PipelineEvent) -> Void) {
            while next < labels.count {
                emit(labels[next])
                next += 1
            }
        }
    }
}
