/// An interval on the virtual clock, in integer microseconds.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Length of the interval in microseconds (may be negative for re-timing deltas).
    public var microseconds: Int64

    /// Creates an interval of `microseconds`.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The empty interval.
    public static let zero = SimDuration(microseconds: 0)

    /// An interval of `ms` milliseconds.
    public static func milliseconds(_ ms: Int64) -> SimDuration { SimDuration(microseconds: ms * 1000) }
    /// An interval of `ms` milliseconds.
    public static func milliseconds(_ ms: Int) -> SimDuration { SimDuration(microseconds: Int64(ms) * 1000) }

    /// The interval in whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 { microseconds / 1000 }

    public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(microseconds: lhs.microseconds + rhs.microseconds)
    }
    public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(microseconds: lhs.microseconds - rhs.microseconds)
    }
    public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(microseconds: lhs.microseconds * rhs)
    }

    /// `N ms`.
    public var description: String { "\(milliseconds) ms" }
}
