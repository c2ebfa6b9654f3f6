import Core

/// The visible stretch of the time axis: its left edge and the time one column stands for.
///
/// Column boundaries fall on multiples of the column width, so ruler labels land on round times.
public struct Viewport: Hashable, Sendable {
    /// Time per column, from finest to coarsest (10 ms … 5 s).
    public static let zoomLevels: [Int64] = [
        10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
    ]

    /// Left edge, in microseconds.
    public private(set) var start: Int64 = 0
    /// Index into `zoomLevels`.
    public private(set) var zoom: Int = 3
    /// Columns of the lane area.
    public private(set) var columns: Int = 1
    /// The session's end: the view stops a little after it.
    public private(set) var end: Int64 = 0

    /// A view of `columns` columns over a session ending at `end`, zoomed to show up to `fit` at once.
    public init(columns: Int, end: SimInstant, fit: SimDuration) {
        self.columns = max(1, columns)
        self.end = end.microseconds
        let wanted = max(fit.microseconds, 1)
        zoom = Self.zoomLevels.firstIndex { $0 * Int64(self.columns) >= wanted } ?? Self.zoomLevels.count - 1
    }

    /// Microseconds per column.
    public var columnMicroseconds: Int64 { Self.zoomLevels[zoom] }
    /// Microseconds across the view.
    public var span: Int64 { columnMicroseconds * Int64(columns) }
    /// One past the right edge.
    public var stop: Int64 { start + span }

    /// The column `time` falls in (may lie outside 0..<columns).
    public func column(of time: SimInstant) -> Int {
        let offset = time.microseconds - start
        return Int(offset >= 0 ? offset / columnMicroseconds : (offset - columnMicroseconds + 1) / columnMicroseconds)
    }

    /// The time at the left edge of `column`.
    public func time(ofColumn column: Int) -> SimInstant {
        SimInstant(microseconds: start + Int64(column) * columnMicroseconds)
    }

    /// Whether `time` is on screen.
    public func contains(_ time: SimInstant) -> Bool { (0..<columns).contains(column(of: time)) }

    /// Changes the number of columns, keeping the left edge.
    public mutating func resize(columns: Int) {
        self.columns = max(1, columns)
        clamp()
    }

    /// Zooms in (`steps` < 0) or out (`steps` > 0), keeping `anchor` at the same column when it is
    /// on screen (else the centre).
    public mutating func zoom(by steps: Int, around anchor: SimInstant?) {
        let newZoom = min(max(0, zoom + steps), Self.zoomLevels.count - 1)
        guard newZoom != zoom else { return }
        let pivot = anchor.flatMap { contains($0) ? $0 : nil } ?? time(ofColumn: columns / 2)
        let pivotColumn = Int64(column(of: pivot))
        zoom = newZoom
        start = pivot.microseconds - pivotColumn * columnMicroseconds
        align()
        clamp()
    }

    /// Moves the view by `fraction` of its width (negative: back in time).
    public mutating func pan(by fraction: Double) {
        start += Int64((Double(span) * fraction).rounded())
        align()
        clamp()
    }

    /// Scrolls the least needed so that `time` is on screen, at least `margin` columns from the edges.
    public mutating func reveal(_ time: SimInstant, margin: Int = 4) {
        let m = min(margin, columns / 4)
        let c = column(of: time)
        if c < m {
            start = time.microseconds - Int64(m) * columnMicroseconds
        } else if c >= columns - m {
            start = time.microseconds - Int64(columns - 1 - m) * columnMicroseconds
        } else {
            return
        }
        align()
        clamp()
    }

    /// Puts `time` in the middle of the view.
    public mutating func center(on time: SimInstant) {
        start = time.microseconds - span / 2
        align()
        clamp()
    }

    private mutating func align() {
        let w = columnMicroseconds
        start = start >= 0 ? start / w * w : -((-start + w - 1) / w * w)
    }

    /// Keeps the view from wandering off: no earlier than 0, no later than the end at 3/4 of the width.
    private mutating func clamp() {
        let w = columnMicroseconds
        let latest = max(0, (end - span * 3 / 4) / w * w)
        start = min(max(0, start), latest)
    }
}
