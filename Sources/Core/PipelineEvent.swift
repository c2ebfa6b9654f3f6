/// One recorded event: what happened, when on the virtual clock, and for which user turn.
public struct PipelineEvent: Hashable, Sendable {
    /// Position in the session's event stream (0, 1, 2, …); the tie-breaker for equal times.
    public var seq: Int64
    /// When it happened.
    public var time: SimInstant
    /// What happened.
    public var kind: EventKind
    /// The user turn it belongs to (1-based), or nil for session-level events.
    public var turn: Int?
    /// Event details; persisted as canonical JSON.
    public var data: JSONValue

    /// Creates an event.
    public init(seq: Int64, time: SimInstant, kind: EventKind, turn: Int?, data: JSONValue) {
        self.seq = seq
        self.time = time
        self.kind = kind
        self.turn = turn
        self.data = data
    }

    /// The row as one canonical line: `seq t_us kind turn data`. Hashing and diffs use this form.
    public var canonicalLine: String {
        "\(seq)\t\(time.microseconds)\t\(kind.rawValue)\t\(turn.map(String.init) ?? "-")\t\(data.canonicalText)"
    }
}

/// A hash over an event stream that is the same in every process (FNV-1a over canonical lines).
public enum EventStreamHash {
    /// The hash of `events`, as 16 hex digits.
    public static func of<S: Sequence>(_ events: S) -> String where S.Element == PipelineEvent {
        var hasher = FNV1a64()
        for event in events { hasher.combine(event.canonicalLine) }
        return hasher.hex
    }
}
