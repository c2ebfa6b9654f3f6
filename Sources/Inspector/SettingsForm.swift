import Core

/// One editable setting: its `--set` key, the recorded value and the edited one.
public struct SettingField: Hashable, Sendable {
    /// The scenario key (`pipeline.endpointing.silence_ms`).
    public var key: String
    /// As recorded (`preset` for an unset optional).
    public var original: String
    /// As edited.
    public var value: String

    /// The key without `pipeline.`.
    public var label: String { key.hasPrefix("pipeline.") ? String(key.dropFirst("pipeline.".count)) : key }
    /// Whether it was edited.
    public var changed: Bool { value != original }
    /// The `--set` item.
    public var override: String { "\(key)=\(value)" }

    /// The endpointing, barge-in, VAD and latency settings of `settings`, in form order.
    public static func fields(of settings: PipelineSettings) -> [SettingField] {
        func opt(_ v: Int?) -> String { v.map(String.init) ?? "preset" }
        let items: [(String, String)] = [
            ("endpointing.mode", settings.endpointing.mode),
            ("endpointing.silence_ms", "\(settings.endpointing.silenceMs)"),
            ("endpointing.max_delay_ms", "\(settings.endpointing.maxDelayMs)"),
            ("bargein.mode", settings.bargein.mode),
            ("bargein.min_speech_ms", "\(settings.bargein.minSpeechMs)"),
            ("bargein.min_words", "\(settings.bargein.minWords)"),
            ("vad.start_ms", "\(settings.vad.startMs)"),
            ("vad.stop_ms", "\(settings.vad.stopMs)"),
            ("vad.threshold", "\(settings.vad.threshold)"),
            ("stt.preset", settings.stt.preset),
            ("stt.final_latency_ms", opt(settings.stt.finalLatencyMs)),
            ("llm.preset", settings.llm.preset),
            ("llm.ttft_ms", opt(settings.llm.ttftMs)),
            ("tts.preset", settings.tts.preset),
            ("tts.ttfb_ms", opt(settings.tts.ttfbMs)),
            ("network.rtt_ms", "\(settings.network.rttMs)"),
        ]
        return items.map { SettingField(key: "pipeline." + $0.0, original: $0.1, value: $0.1) }
    }
}

/// The `e` form: the session's settings, editable in place; `r` replays with them.
struct SettingsForm: KeyHandling {
    private(set) var fields: [SettingField]
    private(set) var selected = 0
    /// The text being typed into the selected field, if editing.
    private(set) var buffer: String?
    /// The first key typed replaces the whole value (like a spreadsheet cell).
    private var fresh = false
    let retime: [String]
    let note: String?

    init(fields: [SettingField], retime: [String], note: String? = nil) {
        self.fields = fields
        self.retime = retime
        self.note = note
    }

    mutating func handle(_ key: Key, queue: inout MessageQueue) -> Bool {
        if let text = buffer { return edit(text, key, &queue) }
        switch key {
        case .character("j"), .down, .tab: selected = fields.isEmpty ? 0 : (selected + 1) % fields.count
        case .character("k"), .up, .backTab: selected = fields.isEmpty ? 0 : (selected + fields.count - 1) % fields.count
        case .enter where !fields.isEmpty:
            buffer = fields[selected].value
            fresh = true
        case .character("u") where !fields.isEmpty:
            fields[selected].value = fields[selected].original
            queue.post(.settingsChanged(fields))
        case .character("r"):
            queue.post(.closePopup)
            queue.post(.replay)
        case .character("R"):
            queue.post(.open(.prompt(.retime)))
        case .character("q"), .escape, .character("e"):
            queue.post(.closePopup)
        default: break
        }
        return true
    }

    private mutating func edit(_ text: String, _ key: Key, _ queue: inout MessageQueue) -> Bool {
        switch key {
        case .enter:
            let value = text.trimmed
            fields[selected].value = value.isEmpty ? fields[selected].original : value
            buffer = nil
            queue.post(.settingsChanged(fields))
        case .escape:
            buffer = nil
        case .backspace:
            fresh = false
            buffer = String(text.dropLast())
        case .character(let c):
            buffer = (fresh ? "" : text) + String(c)
            fresh = false
        default: break
        }
        return true
    }

    /// Rows the form needs.
    var height: Int { fields.count + 4 + (retime.isEmpty ? 0 : 1) + (note == nil ? 0 : 1) }

    func draw(into screen: inout Screen, area: Rect) {
        screen.box(area, title: "settings · enter edit · u undo · r replay · R re-time · esc close",
                   style: TextStyle(foreground: .yellow), titleStyle: TextStyle(foreground: .yellow, bold: true))
        let inner = area.inset(1)
        let labelWidth = (fields.map(\.label.count).max() ?? 10) + 3
        var y = inner.y
        if let note {
            screen.put(" " + note, x: inner.x, y: y, style: TextStyle(foreground: .red), maxWidth: inner.width)
            y += 1
        }
        for (i, field) in fields.enumerated() where y < inner.maxY - 1 {
            let isSelected = i == selected
            let rowStyle = TextStyle(bold: isSelected, reverse: isSelected && buffer == nil)
            screen.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: rowStyle)
            screen.put((isSelected ? "▸ " : "  ") + field.label, x: inner.x, y: y, style: rowStyle, maxWidth: labelWidth)
            let x = inner.x + labelWidth
            if isSelected, let buffer {
                let edit = TextStyle(foreground: .yellow, bold: true, underline: true)
                let n = screen.put(buffer, x: x, y: y, style: edit, maxWidth: inner.maxX - x - 1)
                screen.set("█", x: x + n, y: y, style: TextStyle(foreground: .yellow))
            } else {
                var style = rowStyle
                if field.changed { style.foreground = .yellow; style.bold = true }
                let text = field.changed ? "\(field.value)  (was \(field.original))" : field.value
                screen.put(text + (field.changed ? " *" : ""), x: x, y: y, style: style, maxWidth: inner.maxX - x)
            }
            y += 1
        }
        if !retime.isEmpty, y < inner.maxY - 1 {
            screen.put("  retime   " + retime.joined(separator: ", "), x: inner.x, y: y, style: TextStyle(foreground: .yellow), maxWidth: inner.width)
            y += 1
        }
        let changed = fields.filter(\.changed).count
        let summary = changed == 0 ? "  as recorded; edit a value, then r to replay" : "  \(changed) changed; r replays with them"
        screen.put(summary, x: inner.x, y: inner.maxY - 1, style: TextStyle(dim: true), maxWidth: inner.width)
    }
}
