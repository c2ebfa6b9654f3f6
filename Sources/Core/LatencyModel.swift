import RealModule

/// A distribution of latencies on the virtual clock, sampled with a stage's own PRNG.
public enum LatencyModel: Hashable, Sendable {
    /// Always the same.
    case fixed(SimDuration)
    /// Log-normal with the given median and 90th percentile, clipped to `[min, max]`.
    case logNormal(median: SimDuration, p90: SimDuration, min: SimDuration, max: SimDuration)
    /// Draws uniformly from a measured list.
    case empirical([SimDuration])

    /// A log-normal with median `medianMs` and p90 `p90Ms`, clipped to [median/2, 3×p90].
    public static func ms(median medianMs: Int, p90 p90Ms: Int) -> LatencyModel {
        .logNormal(
            median: .milliseconds(medianMs), p90: .milliseconds(p90Ms),
            min: .milliseconds(medianMs / 2), max: .milliseconds(3 * p90Ms)
        )
    }

    /// The median (or the fixed value): what a table of typical latencies shows.
    public var median: SimDuration {
        switch self {
        case .fixed(let d): return d
        case .logNormal(let m, _, _, _): return m
        case .empirical(let list): return list.isEmpty ? .zero : list.sorted()[list.count / 2]
        }
    }

    /// One draw.
    public func sample(using rng: inout Xoshiro256StarStar) -> SimDuration {
        switch self {
        case .fixed(let d):
            return d
        case .logNormal(let median, let p90, let lo, let hi):
            let m = Double(median.microseconds)
            let sigma = p90 > median ? Double.log(Double(p90.microseconds) / m) / 1.2815515655446004 : 0
            let draw = m * Double.exp(sigma * rng.nextGaussian())
            let clipped = Swift.min(Swift.max(draw, Double(lo.microseconds)), Double(hi.microseconds))
            return SimDuration(microseconds: Int64(clipped.rounded()))
        case .empirical(let list):
            guard !list.isEmpty else { return .zero }
            return list[Int(rng.next() % UInt64(list.count))]
        }
    }

    /// The same distribution shifted by `delta` (never below zero).
    public func shifted(by delta: SimDuration) -> LatencyModel {
        func s(_ d: SimDuration) -> SimDuration { Swift.max(.zero, d + delta) }
        switch self {
        case .fixed(let d): return .fixed(s(d))
        case .logNormal(let m, let p, let lo, let hi): return .logNormal(median: s(m), p90: s(p), min: s(lo), max: s(hi))
        case .empirical(let list): return .empirical(list.map(s))
        }
    }
}
