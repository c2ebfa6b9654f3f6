import Core

/// The difference of a split view: `SessionDiff`'s verdict, the session figures before → after,
/// and the changed caller turns on screen (all of them when the session is short).
struct DiffPane {
    let comparison: Comparison
    /// The time span on screen, in milliseconds.
    let visibleMs: ClosedRange<Int64>

    func draw(into screen: inout Screen, area: Rect) {
        let diff = comparison.diff
        screen.box(area, title: "diff · " + (comparison.isReplay ? "recorded → replay" : "A → B"),
                   style: TextStyle(foreground: .magenta), titleStyle: TextStyle(foreground: .magenta, bold: true))
        let inner = area.inset(1)
        var lines: [(String, TextStyle)] = [("verdict: " + diff.verdict, TextStyle(bold: true))]
        let b = diff.before.summary, a = diff.after.summary
        func pair(_ name: String, _ x: Int64?, _ y: Int64?, unit: String = "") -> String {
            "\(name) \(x.map { "\($0)" } ?? "-") → \(y.map { "\($0)" } ?? "-")\(unit)"
        }
        lines.append(([pair("turns", Int64(b.turns), Int64(a.turns)), pair("cut-offs", Int64(b.cutOffs), Int64(a.cutOffs)),
                       pair("barge-ins", Int64(b.bargeIns), Int64(a.bargeIns))].joined(separator: " · "), TextStyle(dim: true)))
        lines.append(([pair("v2v p50", b.voiceToVoiceP50Ms, a.voiceToVoiceP50Ms, unit: " ms"),
                       pair("endpoint p50", b.endpointDelayP50Ms, a.endpointDelayP50Ms, unit: " ms")].joined(separator: " · "),
                      TextStyle(dim: true)))
        let changed = diff.turns.filter { !$0.notes.isEmpty }
        let shown = changed.filter { change in (change.before + change.after).contains { visibleMs.contains($0.turnEndMs) } }
        if changed.isEmpty { lines.append(("no turn changed", .plain)) }
        for change in shown {
            lines.append(("caller turn \(change.callerTurn): " + change.notes.joined(separator: ", "), .plain))
        }
        if shown.count < changed.count {
            lines.append(("\(changed.count - shown.count) more changed turns off screen (\(changed.count) in all)", TextStyle(dim: true)))
        }
        var y = inner.y
        for (text, style) in lines {
            var rest = Substring(text)
            var first = true
            while !rest.isEmpty, y < inner.maxY {
                let (line, remainder) = DetailPane.wrap(rest, width: inner.width - 3)
                screen.put((first ? " " : "   ") + line, x: inner.x, y: y, style: style, maxWidth: inner.width)
                rest = remainder
                first = false
                y += 1
            }
        }
    }

    /// A caller turn's changes in a few characters, most important first: `−cut-off −barge-in merged end+300ms v2v+320ms`.
    static func compactNotes(_ change: SessionDiff.TurnChange) -> String {
        let b = change.before, a = change.after
        var parts: [String] = []
        func flag(_ name: String, _ x: Bool, _ y: Bool) { if x != y { parts.append((y ? "+" : "−") + name) } }
        flag("cut-off", b.contains(where: \.cutOff), a.contains(where: \.cutOff))
        flag("barge-in", b.contains { $0.bargedIn && !$0.selfInterruption }, a.contains { $0.bargedIn && !$0.selfInterruption })
        flag("self-interrupt", b.contains(where: \.selfInterruption), a.contains(where: \.selfInterruption))
        if b.count > a.count { parts.append("merged") }
        if a.count > b.count { parts.append("split") }
        func signed(_ v: Int64) -> String { v > 0 ? "+\(v)ms" : "\(v)ms" }
        if let lb = b.last, let la = a.last {
            if la.turnEndMs != lb.turnEndMs { parts.append("end" + signed(la.turnEndMs - lb.turnEndMs)) }
            if let x = lb.voiceToVoiceMs, let y = la.voiceToVoiceMs, x != y { parts.append("v2v" + signed(y - x)) }
        } else if b.isEmpty != a.isEmpty {
            parts.append(a.isEmpty ? "unanswered" : "answered")
        }
        return parts.joined(separator: " ")
    }
}
