/// The turn-by-turn difference between a session and its counterfactual replay.
///
/// Turns are matched by the caller turn they belong to (ground truth), so a turn that is split in
/// two by a cut-off in one session and whole in the other shows up as one change.
public struct SessionDiff: Sendable {
    /// What changed for one caller turn.
    public struct TurnChange: Sendable {
        /// The caller turn (1-based; 0 for turns with no ground truth).
        public var callerTurn: Int
        /// The pipeline turns of the original session for this caller turn.
        public var before: [TurnMetrics]
        /// The pipeline turns of the replay for this caller turn.
        public var after: [TurnMetrics]
        /// Human-readable notes (`cut-off gone`, `turn.end +300 ms`, …); empty when nothing changed.
        public var notes: [String]
    }

    /// One entry per caller turn, in order.
    public var turns: [TurnChange]
    /// One line summing up the change.
    public var verdict: String
    /// Whether anything differs.
    public var changed: Bool { turns.contains { !$0.notes.isEmpty } || before.summary != after.summary }

    /// The original session's metrics.
    public let before: SessionMetrics
    /// The replay's metrics.
    public let after: SessionMetrics

    /// Compares `before` (the recording) with `after` (the replay).
    public init(before: SessionMetrics, after: SessionMetrics) {
        self.before = before
        self.after = after
        var keys: [Int] = []
        for t in before.turns + after.turns { let k = t.callerTurn ?? 0; if !keys.contains(k) { keys.append(k) } }
        keys.sort()
        turns = keys.map { key in
            let b = before.turns.filter { ($0.callerTurn ?? 0) == key }, a = after.turns.filter { ($0.callerTurn ?? 0) == key }
            return TurnChange(callerTurn: key, before: b, after: a, notes: Self.notes(before: b, after: a))
        }
        // Voice-to-voice moves are compared turn by turn: only caller turns answered in both runs.
        let labelled = turns.contains { $0.callerTurn != 0 }
        let pairs: [(Int64, Int64)] = !labelled ? [] : turns.compactMap { t in
            guard let b = t.before.last?.voiceToVoiceMs, let a = t.after.last?.voiceToVoiceMs else { return nil }
            return (b, a)
        }
        verdict = Self.verdict(before.summary, after.summary, matched: labelled ? pairs : nil)
    }

    private static func notes(before b: [TurnMetrics], after a: [TurnMetrics]) -> [String] {
        var notes: [String] = []
        if b.count > a.count { notes.append("turns merged (\(b.count) → \(a.count))") }
        if a.count > b.count { notes.append("turn split (\(b.count) → \(a.count))") }
        let cutB = b.contains(where: \.cutOff), cutA = a.contains(where: \.cutOff)
        if cutB && !cutA { notes.append("cut-off gone") }
        if !cutB && cutA { notes.append("cut-off appears") }
        let bargeB = b.contains { $0.bargedIn && !$0.selfInterruption }, bargeA = a.contains { $0.bargedIn && !$0.selfInterruption }
        if bargeB && !bargeA { notes.append("barge-in gone") }
        if !bargeB && bargeA { notes.append("barge-in appears") }
        let selfB = b.contains(where: \.selfInterruption), selfA = a.contains(where: \.selfInterruption)
        if selfB && !selfA { notes.append("self-interruption gone") }
        if !selfB && selfA { notes.append("self-interruption appears") }
        // The turn that answers the whole caller turn is the last one.
        if let lb = b.last, let la = a.last {
            let moved = la.turnEndMs - lb.turnEndMs
            if moved != 0 { notes.append("turn.end \(signed(moved)) ms") }
            if lb.voiceToVoiceMs != la.voiceToVoiceMs {
                notes.append("v2v \(lb.voiceToVoiceMs.map(String.init) ?? "-") → \(la.voiceToVoiceMs.map(String.init) ?? "-") ms")
            }
        } else if b.isEmpty != a.isEmpty {
            notes.append(a.isEmpty ? "no longer answered" : "now answered")
        }
        return notes
    }

    private static func signed(_ v: Int64) -> String { v > 0 ? "+\(v)" : "\(v)" }

    /// `matched`: voice-to-voice (before, after) of each caller turn answered in both; nil when the
    /// sessions have no caller turns to match (unlabelled recordings): then the medians of all answered turns.
    private static func verdict(_ b: SessionSummary, _ a: SessionSummary, matched: [(Int64, Int64)]?) -> String {
        var parts: [String] = []
        func count(_ name: String, _ x: Int, _ y: Int) {
            guard x != y else { return }
            parts.append(y < x ? "\(x - y) \(name)\(x - y == 1 ? "" : "s") fewer" : "\(y - x) more \(name)\(y - x == 1 ? "" : "s")")
        }
        count("false cut-off", b.cutOffs, a.cutOffs)
        count("barge-in", b.bargeIns, a.bargeIns)
        count("self-interruption", b.selfInterruptions, a.selfInterruptions)
        count("unanswered turn", b.unansweredCallerTurns, a.unansweredCallerTurns)
        if matched == nil, let x = b.voiceToVoiceP50Ms, let y = a.voiceToVoiceP50Ms, x != y {
            parts.append("median voice-to-voice \(signed(y - x)) ms over all answered turns (no caller labels to match turns; \(x) → \(y))")
        }
        if let matched, let change = percentile(matched.map { $0.1 - $0.0 }, 50), change != 0,
           let x = percentile(matched.map(\.0), 50), let y = percentile(matched.map(\.1), 50) {
            let n = matched.count
            parts.append("median voice-to-voice \(signed(change)) ms over \(n) caller turn\(n == 1 ? "" : "s") answered in both (\(x) → \(y))")
        }
        return parts.isEmpty ? "no change in turn-taking" : parts.joined(separator: "; ")
    }

    /// The diff as text: one line per changed caller turn, then the verdict.
    public var text: String {
        var out = ""
        for t in turns where !t.notes.isEmpty {
            out += "caller turn \(t.callerTurn): " + t.notes.joined(separator: ", ") + "\n"
        }
        if out.isEmpty { out = "no turn changed\n" }
        return out + "verdict: \(verdict)\n"
    }

    /// The diff as data.
    public var json: JSONValue {
        [
            "turns": .array(turns.map { t in
                [
                    "caller_turn": .int(Int64(t.callerTurn)), "notes": .array(t.notes.map(JSONValue.string)),
                    "before": .array(t.before.map(\.json)), "after": .array(t.after.map(\.json)),
                ]
            }),
            "before": before.json["summary"] ?? .null, "after": after.json["summary"] ?? .null,
            "verdict": .string(verdict), "changed": .bool(changed),
        ]
    }
}

/// The first place two event streams differ.
public struct EventStreamDifference: Sendable, CustomStringConvertible {
    /// Index in the streams.
    public var index: Int
    /// The event the recording has there (nil: the replay is longer).
    public var expected: PipelineEvent?
    /// The event the replay has there (nil: the replay is shorter).
    public var got: PipelineEvent?

    /// The first difference between `expected` and `got`, or nil when they are identical.
    public static func first(expected: [PipelineEvent], got: [PipelineEvent]) -> EventStreamDifference? {
        for i in 0..<max(expected.count, got.count) {
            let e = i < expected.count ? expected[i] : nil, g = i < got.count ? got[i] : nil
            if e?.canonicalLine != g?.canonicalLine { return EventStreamDifference(index: i, expected: e, got: g) }
        }
        return nil
    }

    public var description: String {
        func show(_ e: PipelineEvent?) -> String {
            guard let e else { return "(nothing)" }
            // Microseconds: two times that differ below a millisecond must not print alike.
            let us = e.time.microseconds, magnitude = us.magnitude
            let time = (us < 0 ? "-" : "") + "\(magnitude / 1_000_000).\(String(String(magnitude % 1_000_000 + 1_000_000).dropFirst()))"
            return "t=\(time) \(e.kind.rawValue) turn \(e.turn.map(String.init) ?? "-") \(e.data.canonicalText)"
        }
        return "first difference at event \(index): expected \(show(expected)), got \(show(got))"
    }
}
