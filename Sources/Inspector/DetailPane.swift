import Core

/// The event under the cursor with all its data, one key per line (long values wrap).
struct DetailPane {
    let event: PipelineEvent?
    let pipelineTurn: Int?
    let title: String

    func draw(into screen: inout Screen, area: Rect) {
        guard area.height >= 3, area.width >= 12 else { return }
        guard let event else {
            screen.box(area, title: title)
            screen.put("no event here", x: area.x + 2, y: area.y + 1, style: TextStyle(dim: true))
            return
        }
        screen.box(area, title: "\(title) #\(event.seq) · \(event.kind.rawValue)",
                   titleStyle: TextStyle(foreground: Lane.of(event.kind).color, bold: true))
        let inner = area.inset(1)
        let lines = Self.lines(event, turn: pipelineTurn)
        let keyWidth = min(15, (lines.map { $0.key.count }.max() ?? 8) + 3)
        let width = inner.width - keyWidth - 1
        guard width > 4 else { return }
        var y = inner.y
        for (key, value) in lines {
            guard y < inner.maxY else { break }
            screen.put(" " + key, x: inner.x, y: y, style: TextStyle(dim: true), maxWidth: keyWidth - 1)
            var rest = Substring(value)
            repeat {
                let (line, remainder) = Self.wrap(rest, width: width)
                screen.put(String(line), x: inner.x + keyWidth, y: y, maxWidth: width)
                rest = remainder
                y += 1
            } while !rest.isEmpty && y < inner.maxY
            if !rest.isEmpty { screen.put("…", x: inner.maxX - 1, y: y - 1, style: TextStyle(dim: true)) }
        }
    }

    /// The key/value lines shown for `event`.
    static func lines(_ event: PipelineEvent, turn: Int?) -> [(key: String, value: String)] {
        var out: [(String, String)] = [("time", TimeText.of(event.time))]
        if let t = event.turn {
            let note = turn.map { $0 != t ? " (caller turn; pipeline turn \($0))" : "" } ?? ""
            out.append(("turn", "\(t)\(note)"))
        }
        if case .object(let members) = event.data {
            for key in members.keys.sorted() { out.append((key, value(key: key, members[key]!, at: event.time))) }
        }
        return out
    }

    static func value(key: String, _ v: JSONValue, at time: SimInstant) -> String {
        switch v {
        case .string(let s): return s.isEmpty ? "\"\"" : s
        case .int(let i) where key.hasSuffix("_us"):
            let delta = (time.microseconds - i) / 1000
            let relation = delta >= 0 ? "\(delta) ms before" : "\(-delta) ms after"
            return "\(TimeText.of(SimInstant(microseconds: i)))  (\(relation))"
        case .array(let items) where key == "words":
            return items.compactMap { w -> String? in
                guard let word = w["word"]?.stringValue, let start = w["start_us"]?.intValue else { return nil }
                return "\(word)@\(TimeText.of(SimInstant(microseconds: start)).dropLast(2))"
            }.joined(separator: " ")
        default: return v.canonicalText
        }
    }

    /// The first line of `text` that fits `width` (breaking at a space when it can), and the rest.
    static func wrap(_ text: Substring, width: Int) -> (Substring, Substring) {
        guard width > 0 else { return ("", "") }
        guard text.count > width else { return (text, "") }
        let head = text.prefix(width + 1)
        if let space = head.lastIndex(of: " "), space > head.startIndex {
            return (text[..<space], text[text.index(after: space)...])
        }
        return (text.prefix(width), text.dropFirst(width))
    }
}
