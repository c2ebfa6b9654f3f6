import Core

/// What a sweep produced: the raw figures of every (archive, grid point) work item it ran, and, when
/// complete, each point's pooled metrics, the Pareto front and the headline figures.
///
/// Work item `k` is archive `k % archives.count` at grid point `k / archives.count`. Results are
/// stored by work item, so they do not depend on the order the work finished in.
public struct SweepResult: Hashable, Sendable {
    /// One swept archive.
    public struct Archive: Hashable, Sendable {
        /// The path as given on the command line.
        public var path: String
        /// The archive's session id (what merge checks parts against).
        public var sessionID: String

        /// An archive entry.
        public init(path: String, sessionID: String) {
            self.path = path
            self.sessionID = sessionID
        }
    }

    /// The grid.
    public var grid: SweepGrid
    /// `--set` overrides applied at every point (before the point's own).
    public var overrides: [String]
    /// `--retime` adjustments applied at every point.
    public var retime: [String] = []
    /// The archives, in command-line order.
    public var archives: [Archive]
    /// The shard this (partial) result covers; nil for a complete result.
    public var shard: SweepShard?
    /// Raw figures by work item (nil: not run in this shard).
    public var samples: [SweepSample?]

    /// A result; `samples` must have one entry per work item.
    public init(grid: SweepGrid, overrides: [String], archives: [Archive], shard: SweepShard?, samples: [SweepSample?]) {
        precondition(samples.count == grid.count * archives.count, "\(samples.count) samples for \(grid.count * archives.count) work items")
        self.grid = grid
        self.overrides = overrides
        self.archives = archives
        self.shard = shard
        self.samples = samples
    }

    /// Number of work items (archives × points).
    public var workItemCount: Int { samples.count }

    /// The work item of `archive` at grid point `point`.
    public func workItem(point: Int, archive: Int) -> Int { point * archives.count + archive }

    /// Whether every work item has its figures.
    public var isComplete: Bool { samples.allSatisfy { $0 != nil } }

    /// Every point's pooled metrics, in grid order (a complete result only).
    public var points: [SweepPointMetrics] {
        precondition(isComplete, "metrics of a partial sweep result")
        return (0..<grid.count).map { p in
            let pooled = archives.indices.map { samples[workItem(point: p, archive: $0)]! }
            return SweepPointMetrics(index: p, values: grid.values(at: p), samples: pooled)
        }
    }

    /// The metrics of one archive at every point (a complete result only).
    public func points(archive: Int) -> [SweepPointMetrics] {
        precondition(isComplete, "metrics of a partial sweep result")
        return (0..<grid.count).map { p in
            SweepPointMetrics(index: p, values: grid.values(at: p), samples: [samples[workItem(point: p, archive: archive)]!])
        }
    }
}
