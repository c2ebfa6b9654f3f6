/// The figures a sweep is summed up by, as livekit/eot-bench reports them: latency (median
/// endpoint delay) at a false cut-off rate, and false cut-off rate at a latency budget, plus the
/// Pareto front over (latency, false cut-off rate).
public struct SweepHeadline: Hashable, Sendable {
    /// The lowest latency among points whose false cut-off rate is at most `ratePercent` %.
    public struct LatencyAtRate: Hashable, Sendable {
        /// The false cut-off rate limit, in percent.
        public var ratePercent: Int
        /// The point that reaches it with the lowest latency (nil: not reached).
        public var point: SweepPointMetrics?
    }

    /// The lowest false cut-off rate among points whose latency is at most `budgetMs`.
    public struct RateAtBudget: Hashable, Sendable {
        /// The latency budget.
        public var budgetMs: Int64
        /// The point with the lowest rate within the budget (nil: not reached).
        public var point: SweepPointMetrics?
    }

    /// The eot-bench false cut-off rates (5 % and 10 %).
    public static let standardRatesPercent = [5, 10]
    /// The eot-bench latency budgets (300 ms and 600 ms).
    public static let standardBudgetsMs: [Int64] = [300, 600]

    /// Latency at each rate.
    public var latencyAtRate: [LatencyAtRate]
    /// Rate at each budget.
    public var rateAtBudget: [RateAtBudget]
    /// The points no other point beats on both latency and rate, by latency then rate.
    public var paretoFront: [SweepPointMetrics]

    /// The headline of `points`. Ties go to the lower rate (resp. latency), then the lower index.
    public init(points: [SweepPointMetrics], ratesPercent: [Int] = standardRatesPercent, budgetsMs: [Int64] = standardBudgetsMs) {
        let placed = points.filter(\.isPlottable)
        latencyAtRate = ratesPercent.map { rate in
            let best = placed.filter { $0.falseCutOffRate(atMostPercent: rate) }.min { a, b in
                if a.latencyMs! != b.latencyMs! { return a.latencyMs! < b.latencyMs! }
                let c = a.compareRate(b)
                return c != 0 ? c < 0 : a.index < b.index
            }
            return LatencyAtRate(ratePercent: rate, point: best)
        }
        rateAtBudget = budgetsMs.map { budget in
            let best = placed.filter { $0.latencyMs! <= budget }.min { a, b in
                let c = a.compareRate(b)
                if c != 0 { return c < 0 }
                return a.latencyMs! != b.latencyMs! ? a.latencyMs! < b.latencyMs! : a.index < b.index
            }
            return RateAtBudget(budgetMs: budget, point: best)
        }
        paretoFront = Self.paretoFront(of: points)
    }

    /// The non-dominated points over (latency, false cut-off rate), lowest latency first; points
    /// with identical coordinates are all kept. Points without a latency or a rate are left out.
    public static func paretoFront(of points: [SweepPointMetrics]) -> [SweepPointMetrics] {
        let sorted = points.filter(\.isPlottable).sorted { a, b in
            if a.latencyMs! != b.latencyMs! { return a.latencyMs! < b.latencyMs! }
            let c = a.compareRate(b)
            return c != 0 ? c < 0 : a.index < b.index
        }
        var front: [SweepPointMetrics] = []
        for p in sorted {
            // Sorted by latency: p is dominated unless its rate beats every earlier point's, or it ties
            // the best so far at the same latency (an identical point).
            guard let best = front.last else { front.append(p); continue }
            let c = p.compareRate(best)
            if c < 0 || (c == 0 && p.latencyMs == best.latencyMs) { front.append(p) }
        }
        return front
    }
}
