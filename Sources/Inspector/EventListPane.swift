import Core

/// The shown events around the cursor as a table (termshark's packet list): time, turn, kind, data.
struct EventListPane {
    let events: [PipelineEvent]
    let cursor: PipelineEvent?

    func draw(into screen: inout Screen, area: Rect) {
        guard area.height >= 3 else { return }
        screen.box(area, title: "events", style: TextStyle(dim: true), titleStyle: TextStyle(bold: true))
        let inner = area.inset(1)
        let header = TextStyle(dim: true, underline: true)
        screen.fill(Rect(x: inner.x, y: inner.y, width: inner.width, height: 1), style: header)
        screen.put(" time         turn  kind                 data", x: inner.x, y: inner.y, style: header, maxWidth: inner.width)
        let rows = inner.height - 1
        guard rows > 0, !events.isEmpty else { return }
        let at = cursor.flatMap { c in events.firstIndex { $0.seq == c.seq && $0.time == c.time } } ?? 0
        let first = max(0, min(at - rows / 2, events.count - rows))
        for (i, event) in events[first..<min(events.count, first + rows)].enumerated() {
            let y = inner.y + 1 + i
            let selected = first + i == at && cursor != nil
            let base = TextStyle(bold: selected, reverse: selected)
            if selected { screen.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
            let time = TimeText.of(event.time)
            screen.put(" " + String(repeating: " ", count: max(0, 11 - time.count)) + time, x: inner.x, y: y, style: base)
            let turn = event.turn.map(String.init) ?? "-"
            screen.put(String(repeating: " ", count: max(0, 5 - turn.count)) + turn, x: inner.x + 13, y: y, style: base)
            var kindStyle = base
            kindStyle.foreground = Lane.of(event.kind).color
            screen.put(event.kind.rawValue, x: inner.x + 20, y: y, style: kindStyle, maxWidth: 20)
            screen.put(Self.summary(event.data), x: inner.x + 41, y: y, style: base, maxWidth: inner.width - 42)
        }
    }

    /// `key=value` pairs, texts first and quoted, the word list left out.
    static func summary(_ data: JSONValue) -> String {
        guard case .object(let members) = data else { return data.canonicalText }
        let texts = ["text", "transcript", "heard_text"]
        let keys = texts.filter { members[$0] != nil } + members.keys.sorted().filter { !texts.contains($0) && $0 != "words" }
        return keys.map { key -> String in
            switch members[key]! {
            case .string(let s): return texts.contains(key) ? "“\(s)”" : "\(key)=\(s)"
            case let v: return "\(key)=\(v.canonicalText)"
            }
        }.joined(separator: " ")
    }
}
