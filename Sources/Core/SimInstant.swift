/// A point on the virtual clock, in integer microseconds since the session started.
///
/// Points and intervals are separate types (as swift-nio's `NIODeadline` and `TimeAmount`), so that
/// adding two instants does not compile. Core never uses `Double` seconds for time.
public struct SimInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the start of the session.
    public var microseconds: Int64

    /// Creates an instant `microseconds` after the session start.
    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The start of the session.
    public static let zero = SimInstant(microseconds: 0)

    /// An instant `ms` milliseconds after the session start.
    public static func milliseconds(_ ms: Int64) -> SimInstant { SimInstant(microseconds: ms * 1000) }

    /// The instant in whole milliseconds, rounded down.
    public var milliseconds: Int64 { microseconds / 1000 }

    public static func < (lhs: SimInstant, rhs: SimInstant) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: SimInstant, rhs: SimDuration) -> SimInstant {
        SimInstant(microseconds: lhs.microseconds + rhs.microseconds)
    }
    public static func - (lhs: SimInstant, rhs: SimDuration) -> SimInstant {
        SimInstant(microseconds: lhs.microseconds - rhs.microseconds)
    }
    public static func - (lhs: SimInstant, rhs: SimInstant) -> SimDuration {
        SimDuration(microseconds: lhs.microseconds - rhs.microseconds)
    }

    /// `s.mmm` seconds, for tables and messages.
    public var description: String { formatMilliseconds(microseconds / 1000, seconds: true) }
}

/// Formats a millisecond count as `12.345` (seconds) or `-12` (milliseconds), without Foundation.
func formatMilliseconds(_ ms: Int64, seconds: Bool) -> String {
    guard seconds else { return String(ms) }
    let sign = ms < 0 ? "-" : ""
    let magnitude = ms.magnitude
    let fraction = String(magnitude % 1000)
    return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}
