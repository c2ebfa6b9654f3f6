import HeapModule

/// The virtual clock and its queue of scheduled inputs, keyed by `(instant, seq)`.
///
/// Like swift-nio's `EmbeddedEventLoop`: single-threaded, starts at zero, pops the earliest input,
/// and breaks ties by insertion order (`seq` grows on every push; `Heap` itself leaves the order of
/// equal keys unspecified, so the `seq` is what makes runs deterministic).
public struct Simulation<Input> {
    private struct Entry: Comparable {
        var instant: SimInstant
        var seq: UInt64
        var input: Input
        static func < (a: Entry, b: Entry) -> Bool { (a.instant, a.seq) < (b.instant, b.seq) }
        static func == (a: Entry, b: Entry) -> Bool { a.instant == b.instant && a.seq == b.seq }
    }

    private var queue = Heap<Entry>()
    private var nextSeq: UInt64 = 0

    /// The current virtual time: the instant of the input being handled.
    public private(set) var now = SimInstant.zero

    /// An empty simulation at time zero.
    public init() {}

    /// Schedules `input` at `instant` (never earlier than now).
    public mutating func schedule(_ input: Input, at instant: SimInstant) {
        precondition(instant >= now, "scheduled an input at \(instant), before now (\(now))")
        queue.insert(Entry(instant: instant, seq: nextSeq, input: input))
        nextSeq += 1
    }

    /// Removes and returns the earliest input, advancing `now` to its instant; nil when nothing is left.
    public mutating func next() -> Input? {
        guard let entry = queue.popMin() else { return nil }
        now = entry.instant
        return entry.input
    }

    /// The instant of the earliest scheduled input, without removing it.
    public var nextInstant: SimInstant? { queue.min?.instant }

    /// Number of inputs still scheduled.
    public var pendingCount: Int { queue.count }
}
