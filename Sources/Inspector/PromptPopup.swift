/// A one-line text prompt (filter, re-time, save path, WAV path).
struct PromptPopup: KeyHandling {
    let kind: PromptKind
    private(set) var text: String

    init(kind: PromptKind, text: String = "") {
        self.kind = kind
        self.text = text
    }

    mutating func handle(_ key: Key, queue: inout MessageQueue) -> Bool {
        switch key {
        case .enter:
            queue.post(.closePopup)
            queue.post(.submitted(kind, text.trimmed))
        case .escape: queue.post(.closePopup)
        case .backspace: text = String(text.dropLast())
        case .character(let c): text.append(c)
        default: break
        }
        return true
    }

    func draw(into screen: inout Screen, area: Rect) {
        screen.box(area, title: kind.title + " · enter ok · esc cancel", style: TextStyle(foreground: .yellow),
                   titleStyle: TextStyle(foreground: .yellow, bold: true))
        let inner = area.inset(1)
        let visible = String(text.suffix(max(1, inner.width - 4)))
        let n = screen.put(" > " + visible, x: inner.x, y: inner.y, style: TextStyle(bold: true), maxWidth: inner.width - 1)
        screen.set("█", x: inner.x + n, y: inner.y, style: TextStyle(foreground: .yellow))
    }
}

/// `?`: every key.
struct HelpPopup: KeyHandling {
    static let sections: [(String, [(String, String)])] = [
        ("move", [
            ("j k  ↓ ↑", "next / previous event"),
            ("n N  ] [", "next / previous turn (turn.end)"),
            ("g G", "first / last event"),
            ("h l  ← →", "pan a quarter screen (H L: a screen)"),
            ("+ -", "zoom in / out around the cursor"),
            ("tab", "other timeline (split view)"),
        ]),
        ("look", [
            ("/", "filter lanes or event kinds"),
            ("?", "this help"),
        ]),
        ("change", [
            ("e", "settings: endpointing, barge-in, latency"),
            ("r", "replay with the edited settings (split view)"),
            ("R", "re-time a stage and replay (llm.ttft_ms=-200)"),
            ("s", "save the replayed session as an archive"),
            ("w", "write the turn's audio to a WAV"),
        ]),
        ("leave", [
            ("esc", "close a popup; leave the split view"),
            ("q", "close a popup; quit"),
        ]),
    ]

    static var height: Int { sections.reduce(2) { $0 + $1.1.count + 1 } + 1 }

    mutating func handle(_ key: Key, queue: inout MessageQueue) -> Bool {
        if [.escape, .character("q"), .character("?"), .enter].contains(key) { queue.post(.closePopup) }
        return true
    }

    func draw(into screen: inout Screen, area: Rect) {
        screen.box(area, title: "keys · esc or q closes", style: TextStyle(foreground: .cyan), titleStyle: TextStyle(foreground: .cyan, bold: true))
        var y = area.y + 1
        for (section, keys) in Self.sections where y < area.maxY - 1 {
            screen.put(" " + section, x: area.x + 1, y: y, style: TextStyle(bold: true, underline: true))
            y += 1
            for (key, what) in keys where y < area.maxY - 1 {
                screen.put(key, x: area.x + 4, y: y, style: TextStyle(foreground: .yellow, bold: true))
                screen.put(what, x: area.x + 16, y: y, maxWidth: area.width - 17)
                y += 1
            }
        }
    }
}
