extension EventStreamDifference {
    /// Finds the first difference between a recorded stream fed one event at a time (from an
    /// archive's cursor) and a replay's events in memory, as `first(expected:got:)` does with both
    /// in memory; also hashes the recorded stream on the way (`EventStreamHash`), so one pass
    /// over the recording gives both.
    public struct Finder: Sendable {
        private let got: [PipelineEvent]
        private var index = 0
        private var hasher = FNV1a64()
        /// The first difference found so far (a longer replay is only known at `finish()`).
        public private(set) var difference: EventStreamDifference?

        /// A finder comparing a recording against `got`.
        public init(got: [PipelineEvent]) {
            self.got = got
        }

        /// Feeds the recording's next event.
        public mutating func add(expected event: PipelineEvent) {
            let line = event.canonicalLine
            hasher.combine(line)
            if difference == nil {
                let other = index < got.count ? got[index] : nil
                if other?.canonicalLine != line { difference = EventStreamDifference(index: index, expected: event, got: other) }
            }
            index += 1
        }

        /// Events of the recording fed so far.
        public var expectedCount: Int { index }

        /// `EventStreamHash` of the recording fed so far.
        public var expectedHash: String { hasher.hex }

        /// The first difference, now that the whole recording was fed (nil: identical).
        public func finish() -> EventStreamDifference? {
            if let difference { return difference }
            return index < got.count ? EventStreamDifference(index: index, expected: nil, got: got[index]) : nil
        }
    }
}
