import Core

/// The event reorder window of a live session: events may arrive up to `windowUs` earlier than the
/// latest `t_us` received; they are held and released sorted by (`t_us`, arrival order) once the
/// session has passed them by the window (the latest event, or the mic audio received: so a quiet
/// moment in the events does not keep them from being committed), and all at the end. `seq`
/// follows the released order; an event earlier than one already released is rejected.
struct LiveEventWindow {
    /// How far an event may be earlier than the latest one received.
    static let windowUs: Int64 = 1_000_000
    /// The most events held at once (beyond it an event is rejected).
    static let maxHeld = 10_000

    /// Held events, sorted by time, equal times in arrival order.
    private var held: [LiveMessage.Event] = []
    /// The latest event time received.
    private(set) var latestUs: Int64 = 0
    /// Events released so far (the next `seq`).
    private(set) var released: Int64 = 0
    /// The time of the last event released (-1 before the first).
    private(set) var releasedUs: Int64 = -1
    /// The session time the mic audio reaches.
    private var audioUs: Int64 = 0

    /// Takes `event`; returns the events it lets go, in order.
    mutating func received(_ event: LiveMessage.Event) throws(LiveProtocolError) -> [PipelineEvent] {
        guard event.timeUs >= latestUs - Self.windowUs else {
            throw LiveProtocolError("event: t_us \(event.timeUs) is more than \(Self.windowUs) µs earlier than the latest "
                + "event's t_us \(latestUs) (events may arrive at most \(Self.windowUs) µs out of order)")
        }
        guard event.timeUs >= releasedUs else {
            throw LiveProtocolError("event: t_us \(event.timeUs) is earlier than an event already written at \(releasedUs) µs "
                + "(the mic audio reached \(audioUs) µs; events may arrive at most \(Self.windowUs) µs behind the session)")
        }
        guard held.count < Self.maxHeld else {
            throw LiveProtocolError("event: \(Self.maxHeld) events are already held in the reorder window "
                + "(the latest t_us is \(latestUs)); send events with later times")
        }
        var low = 0, high = held.count
        while low < high {
            let middle = (low + high) / 2
            if held[middle].timeUs <= event.timeUs { low = middle + 1 } else { high = middle }
        }
        held.insert(event, at: low)
        latestUs = max(latestUs, event.timeUs)
        return releaseDue()
    }

    /// The mic audio reaches `timeUs`; returns the events that lets go, in order.
    mutating func audioReached(_ timeUs: Int64) -> [PipelineEvent] {
        audioUs = max(audioUs, timeUs)
        return releaseDue()
    }

    private mutating func releaseDue() -> [PipelineEvent] {
        let horizon = max(latestUs, audioUs) - Self.windowUs
        guard let first = held.first, first.timeUs <= horizon else { return [] }
        return release(held.prefix { $0.timeUs <= horizon }.count)
    }

    /// Lets every held event go (the session ends).
    mutating func releaseAll() -> [PipelineEvent] { release(held.count) }

    private mutating func release(_ count: Int) -> [PipelineEvent] {
        guard count > 0 else { return [] }
        let events = held.prefix(count).map { event -> PipelineEvent in
            defer { released += 1 }
            return PipelineEvent(seq: released, time: SimInstant(microseconds: event.timeUs), kind: event.kind,
                                 turn: event.turn, data: event.data)
        }
        held.removeFirst(count)
        releasedUs = events.last?.time.microseconds ?? releasedUs
        return events
    }
}
