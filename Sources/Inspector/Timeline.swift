import Core

/// A position in an event stream: events are ordered by time, then by `seq`.
public struct EventPosition: Hashable, Comparable, Sendable {
    /// Microseconds.
    public var time: Int64
    /// Sequence number (tie-breaker).
    public var seq: Int64

    /// The position of `event`.
    public init(_ event: PipelineEvent) {
        time = event.time.microseconds
        seq = event.seq
    }

    /// A position at `time` before (`seq` = min) or after (`seq` = max) every event at that time.
    public init(time: Int64, seq: Int64) {
        self.time = time
        self.seq = seq
    }

    public static func < (a: EventPosition, b: EventPosition) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
}

/// One session's events as the view needs them: a cached window around what is on screen, and
/// searches (next/previous matching event) that read the source in growing chunks, so nothing
/// proportional to the session's length is ever held.
public final class Timeline {
    /// Where the events come from.
    public let source: EventSource
    /// Context kept before the view (lanes need the state at the left edge).
    static let context: Int64 = 20_000_000
    /// First chunk a search reads beyond the cache.
    static let chunk: Int64 = 8_000_000

    private var cache: [PipelineEvent] = []
    private var cacheFrom: Int64 = 0
    private var cacheTo: Int64 = 0
    private var metricsCache: (turn: Int, metrics: TurnBreakdown?)?
    /// The last read error, if any (shown in the status line).
    public private(set) var lastError: String?

    /// A timeline over `source`.
    public init(source: EventSource) {
        self.source = source
    }

    /// Session end.
    public var end: SimInstant { source.end }

    /// Events held in the cache now (bounded by the view's span plus context).
    public var cachedCount: Int { cache.count }

    /// Events with `from - context <= time < to + context/4`, loading them if the cache does not hold them.
    public func window(from: Int64, to: Int64) -> ArraySlice<PipelineEvent> {
        let needFrom = from - Self.context, needTo = to + Self.context / 4
        if needFrom < cacheFrom || needTo > cacheTo {
            let span = max(0, to - from)
            load(from: needFrom - span / 2, to: to + Self.context / 2 + span / 2)
        }
        let a = lowerBound(needFrom), b = lowerBound(needTo)
        return cache[a..<max(a, b)]
    }

    /// Makes the cache hold exactly `from..<to`, reading only the part it does not hold yet
    /// (a step or a pan reads a few seconds of events, not the whole window again).
    private func load(from: Int64, to: Int64) {
        guard from < cacheTo, to > cacheFrom, !cache.isEmpty || cacheFrom < cacheTo else {
            cache = read(from: from, to: to)
            cacheFrom = from
            cacheTo = to
            return
        }
        let head = from < cacheFrom ? read(from: from, to: cacheFrom) : []
        let tail = to > cacheTo ? read(from: cacheTo, to: to) : []
        let kept = cache[lowerBound(max(from, cacheFrom))..<lowerBound(min(to, cacheTo))]
        cache = head + kept + tail
        cacheFrom = from
        cacheTo = to
    }

    /// Events with `from <= time < to`: from the cache when it holds them, else read.
    func events(from: Int64, to: Int64) -> [PipelineEvent] {
        if from >= cacheFrom, to <= cacheTo { return Array(cache[lowerBound(from)..<lowerBound(to)]) }
        return read(from: from, to: to)
    }

    /// The first event after `position` (or from the start) for which `matching` holds.
    public func next(after position: EventPosition?, matching: (PipelineEvent) -> Bool) -> PipelineEvent? {
        let after = position ?? EventPosition(time: Int64.min, seq: Int64.min)
        var from = max(0, after.time)
        if after.time >= cacheFrom, after.time < cacheTo {
            if let hit = cache[lowerBound(after.time)...].first(where: { EventPosition($0) > after && matching($0) }) { return hit }
            from = cacheTo
        }
        var step = Self.chunk
        while from <= end.microseconds {
            if let hit = read(from: from, to: from + step).first(where: { EventPosition($0) > after && matching($0) }) { return hit }
            from += step
            step = min(step * 2, 600_000_000)
        }
        return nil
    }

    /// The last event before `position` (or before the end) for which `matching` holds.
    public func previous(before position: EventPosition?, matching: (PipelineEvent) -> Bool) -> PipelineEvent? {
        let before = position ?? EventPosition(time: end.microseconds + 1, seq: Int64.min)
        var to = before.time + 1
        if before.time >= cacheFrom, before.time < cacheTo {
            if let hit = cache[..<lowerBound(before.time + 1)].last(where: { EventPosition($0) < before && matching($0) }) { return hit }
            to = cacheFrom
        }
        var step = Self.chunk
        while to > 0 {
            let from = max(0, to - step)
            if let hit = read(from: from, to: to).last(where: { EventPosition($0) < before && matching($0) }) { return hit }
            to = from
            step = min(step * 2, 600_000_000)
        }
        return nil
    }

    /// The matching event nearest to `time` (the later one on a tie).
    public func nearest(to time: SimInstant, matching: (PipelineEvent) -> Bool) -> PipelineEvent? {
        let pivot = EventPosition(time: time.microseconds, seq: Int64.min)
        let after = next(after: pivot, matching: matching)
        let before = previous(before: pivot, matching: matching)
        guard let b = before else { return after }
        guard let a = after else { return b }
        return time.microseconds - b.time.microseconds < a.time.microseconds - time.microseconds ? b : a
    }

    /// The pipeline turn `event` belongs to: its own for pipeline events; for the caller's
    /// ground-truth events (numbered by caller turn) the turn the pipeline ended next.
    public func pipelineTurn(of event: PipelineEvent) -> Int? {
        guard event.kind.rawValue.hasPrefix("caller.") || event.turn == nil else { return event.turn }
        let t = event.time.microseconds
        let nearby = events(from: t - Self.searchRadius, to: t + Self.searchRadius).filter { $0.kind == .turnEnd }
        return (nearby.first { $0.time >= event.time } ?? nearby.last)?.turn
    }

    /// How far around a time to look for the `turn.end` of a turn.
    static let searchRadius: Int64 = 60_000_000

    /// The `turn.end` of pipeline turn `turn`, looked for within a minute of `time`.
    public func turnEnd(of turn: Int, near time: SimInstant) -> PipelineEvent? {
        let t = time.microseconds
        return events(from: t - Self.searchRadius, to: t + Self.searchRadius).first { $0.kind == .turnEnd && $0.turn == turn }
    }

    /// The latency breakdown of pipeline turn `turn`, computed from the events around its `turn.end`.
    public func breakdown(turn: Int, near time: SimInstant) -> TurnBreakdown? {
        if let cached = metricsCache, cached.turn == turn { return cached.metrics }
        var result: TurnBreakdown?
        if let anchor = turnEnd(of: turn, near: time) {
            let t = anchor.time.microseconds
            result = TurnBreakdown(turn: turn, events: events(from: t - Self.context, to: t + Self.context))
        }
        metricsCache = (turn, result)
        return result
    }

    private func read(from: Int64, to: Int64) -> [PipelineEvent] {
        do {
            return try source.events(from: SimInstant(microseconds: max(0, from)), to: SimInstant(microseconds: max(0, to)))
        } catch {
            lastError = "\(error)"
            return []
        }
    }

    /// The first cached index at or after `time`.
    private func lowerBound(_ time: Int64) -> Int {
        var low = 0, high = cache.count
        while low < high {
            let mid = (low + high) / 2
            if cache[mid].time.microseconds < time { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
