import Core

/// The selected turn's latency as a horizontal waterfall (caller speech end → first bot audio)
/// against the 600 ms voice-to-voice budget.
struct MetricsPane {
    let breakdown: TurnBreakdown?
    let turn: Int?

    static let partialBlocks: [Unicode.Scalar] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    static func color(_ stage: String) -> TerminalColor {
        switch stage {
        case "endpoint wait": return .yellow
        case "stt final": return .white
        case "llm ttft", "aggregation": return .magenta
        case "tts ttfb": return .blue
        case "network": return .cyan
        default: return .green
        }
    }

    func draw(into screen: inout Screen, area: Rect) {
        guard area.height >= 4, area.width >= 30 else { return }
        guard let b = breakdown else {
            screen.box(area, title: turn.map { "turn \($0) latency" } ?? "latency")
            screen.put(turn.map { "turn \($0) has no turn.end nearby" } ?? "no turn here", x: area.x + 2, y: area.y + 1,
                       style: TextStyle(dim: true))
            return
        }
        let m = b.metrics
        let title = (["turn \(m.turn) latency", m.reason] + b.flags).filter { !$0.isEmpty }.joined(separator: " · ")
        screen.box(area, title: title, titleStyle: TextStyle(foreground: b.flags.isEmpty ? nil : .red, bold: true))
        let inner = area.inset(1)
        let labelWidth = 15, valueWidth = 8
        let barX = inner.x + labelWidth, barWidth = inner.width - labelWidth - valueWidth
        guard barWidth >= 8 else { return }
        let v2v = m.voiceToVoiceMs ?? 0
        let ends = b.stages.map { $0.startMs + ($0.durationMs ?? 0) }
        let scaleMs = max(100, (max(TurnBreakdown.budgetMs, v2v, ends.max() ?? 0) * 11 / 10 + 99) / 100 * 100)
        func col(_ ms: Int64) -> Double { Double(max(0, ms)) * Double(barWidth) / Double(scaleMs) }
        func value(_ text: String, _ y: Int, _ style: TextStyle) {
            screen.put(String(repeating: " ", count: max(0, valueWidth - text.count)) + text, x: barX + barWidth, y: y, style: style)
        }
        var y = inner.y
        for stage in b.stages where y < inner.maxY - 2 {
            screen.put(" " + stage.name, x: inner.x, y: y, style: TextStyle(dim: true), maxWidth: labelWidth)
            let style = TextStyle(foreground: Self.color(stage.name))
            if !stage.pieces.isEmpty {
                for piece in stage.pieces { bar(&screen, y: y, x: barX, from: col(piece.start), to: col(piece.start + piece.length), style: style, width: barWidth) }
            } else if let d = stage.durationMs {
                bar(&screen, y: y, x: barX, from: col(stage.startMs), to: col(stage.startMs + d), style: style, width: barWidth)
            }
            value(stage.durationMs.map { "\($0) ms" } ?? "—", y, stage.durationMs == nil ? TextStyle(dim: true) : .plain)
            y += 1
        }
        if y < inner.maxY - 1 {
            let style = TextStyle(foreground: v2v > TurnBreakdown.budgetMs ? .red : .green, bold: true)
            screen.put(" voice→voice", x: inner.x, y: y, style: TextStyle(bold: true), maxWidth: labelWidth)
            if m.voiceToVoiceMs != nil {
                bar(&screen, y: y, x: barX, from: 0, to: col(v2v), style: style, width: barWidth)
                value("\(v2v) ms", y, style)
            } else {
                screen.put("no bot audio for this turn", x: barX, y: y, style: TextStyle(dim: true))
            }
            y += 1
        }
        let budgetColumn = barX + Int(col(TurnBreakdown.budgetMs).rounded())
        for row in inner.y..<y where budgetColumn < barX + barWidth && screen[budgetColumn, row].scalar == " " {
            screen.set("┊", x: budgetColumn, y: row, style: TextStyle(foreground: .red))
        }
        if y < inner.maxY {
            let dim = TextStyle(dim: true)
            screen.put("0 ms", x: barX, y: y, style: dim)
            let budgetLabel = "\(TurnBreakdown.budgetMs) budget"
            screen.put(budgetLabel, x: budgetColumn - 3, y: y, style: TextStyle(foreground: .red), clip: inner)
            let scaleLabel = "\(scaleMs)"
            if barX + barWidth - scaleLabel.count > budgetColumn - 3 + budgetLabel.count {
                screen.put(scaleLabel, x: barX + barWidth - scaleLabel.count, y: y, style: dim)
            }
            y += 1
        }
        if y < inner.maxY, let heard = m.heardText {
            screen.put(" heard: " + (heard.isEmpty ? "(nothing)" : "“\(heard)”"), x: inner.x, y: y, style: TextStyle(dim: true),
                       maxWidth: inner.width)
        }
    }

    /// A bar from fractional column `from` to `to`: full blocks, then an eighth block for the rest.
    private func bar(_ screen: inout Screen, y: Int, x: Int, from: Double, to: Double, style: TextStyle, width: Int) {
        let a = min(width - 1, Int(from.rounded()))
        guard to - from >= 0.125 else { return screen.set("▏", x: x + a, y: y, style: style) }
        let end = min(Double(width), max(to, Double(a)))
        let whole = Int(end)
        for c in a..<max(a, whole) { screen.set("█", x: x + c, y: y, style: style) }
        let eighths = Int(((end - Double(whole)) * 8).rounded())
        if eighths > 0, whole < width {
            screen.set(Self.partialBlocks[min(6, eighths - 1)], x: x + max(a, whole), y: y, style: style)
        } else if whole <= a {
            screen.set("▏", x: x + a, y: y, style: style)
        }
    }
}
