import Core

extension InspectorApp {
    static let legend = "level ▁▃▅█  ━ vad  ·partial ◆final  ▼ turn.end  ┄ waiting  ▪ chunk  ✕ cancelled  ↯ barge-in  ✂ cut-off"
    static let hints = "j/k event  n/N turn  g/G ends  +/- zoom  h/l pan  / filter  e settings  r replay  R retime  w wav  ? help  q quit"
    static let replayHints = "j/k event  n/N turn  +/- zoom  h/l pan  tab other  / filter  e settings  r replay  s save  esc back  ? help  q quit"
    static let compareHints = "j/k event  n/N turn  g/G ends  +/- zoom  h/l pan  tab other  / filter  w wav  ? help  q quit"

    /// The whole UI as a grid of cells.
    public func render() -> Screen {
        var screen = Screen(width: width, height: height)
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            drawTooSmall(into: &screen)
            return screen
        }
        drawHeader(into: &screen)
        RulerView(viewport: viewport, cursor: cursor?.time)
            .draw(into: &screen, area: Rect(x: TimelineView.labelWidth, y: 1, width: width - TimelineView.labelWidth, height: 2))
        let body = Rect(x: 0, y: 3, width: width, height: height - 4)
        if let comparison { drawSplit(comparison, into: &screen, area: body) } else { drawSingle(into: &screen, area: body) }
        drawStatus(into: &screen)
        drawPopup(into: &screen)
        return screen
    }

    /// The leading items of `text` (separated by two spaces) that fit in `width` columns.
    static func whole(_ text: String, fitting width: Int) -> String {
        var out = ""
        for item in text.components(separatedBy: "  ") {
            let next = out.isEmpty ? item : out + "  " + item
            guard next.count <= width else { break }
            out = next
        }
        return out
    }

    private func drawTooSmall(into screen: inout Screen) {
        let lines = ["crosstalk inspect", "terminal too small: \(width)x\(height)",
                     "needs at least \(Self.minimumWidth)x\(Self.minimumHeight)", "resize, or press q to quit"]
        for (i, line) in lines.enumerated() {
            let y = max(0, height / 2 - 2) + i
            screen.put(line, x: max(0, (width - line.count) / 2), y: y, style: TextStyle(bold: i < 2))
        }
    }

    private func drawHeader(into screen: inout Screen) {
        let bar = TextStyle(bold: true, reverse: true)
        screen.fill(Rect(x: 0, y: 0, width: width, height: 1), style: bar)
        let info = model.primary.source.info
        var left = " crosstalk inspect │ \(info.title)"
        if let scenario = info.scenario { left += " │ \(scenario)" }
        left += " │ \(TimeText.of(model.primary.end))"
        if let second = model.second { left += " ⇄ \(second.source.info.title)" }
        var right = "\(zoomText) "
        if let c = cursor {
            let turn = focusedTimeline.pipelineTurn(of: c).map { "turn \($0) · " } ?? ""
            right = "\(turn)\(TimeText.of(c.time)) · " + right
        }
        if comparison != nil, !filter.isEmpty { right = "filter: \(filter.text) · " + right }
        let room = width - right.count - 1
        if left.count > room { left = String(left.prefix(max(0, room - 1))) + "…" }
        screen.put(left, x: 0, y: 0, style: bar, maxWidth: max(0, room))
        if room > 20 { screen.put(right, x: width - right.count, y: 0, style: bar) }
    }

    private var zoomText: String {
        let us = viewport.columnMicroseconds
        return us >= 1_000_000 ? "\(us / 1_000_000) s/col" : "\(us / 1000) ms/col"
    }

    private func drawStatus(into screen: inout Screen) {
        let y = height - 1
        if let status {
            let style = status.isError ? TextStyle(foreground: .red, bold: true) : TextStyle(foreground: .green, bold: true)
            screen.put(" " + status.text, x: 0, y: y, style: style, maxWidth: width)
        } else {
            let hints = comparison.map { $0.isReplay ? Self.replayHints : Self.compareHints } ?? Self.hints
            screen.put(" " + Self.whole(hints, fitting: width - 1), x: 0, y: y, style: TextStyle(dim: true))
        }
    }

    private func drawSingle(into screen: inout Screen, area: Rect) {
        let laneRows = TimelineView.height(filter: filter, compact: false)
        let (lanes, rest) = area.splitTop(laneRows)
        TimelineView(timeline: model.primary, viewport: viewport, filter: filter, cursor: cursor, focused: true, compact: false)
            .draw(into: &screen, area: lanes)
        let (legendRow, panes) = rest.splitTop(1)
        var x = TimelineView.labelWidth
        if !filter.isEmpty {
            x += screen.put("filter: \(filter.text)  ", x: x, y: legendRow.y, style: TextStyle(foreground: .yellow, bold: true))
        }
        screen.put(Self.whole(Self.legend, fitting: width - x), x: x, y: legendRow.y, style: TextStyle(dim: true))
        guard panes.height >= 5 else { return }
        drawPanes(into: &screen, area: panes)
    }

    /// The detail pane and, when wide enough, the metrics pane beside it; the event list below.
    private func drawPanes(into screen: inout Screen, area: Rect) {
        let (upper, lower) = area.splitTop(area.height >= 18 ? 13 : area.height)
        let turn = cursor.flatMap { focusedTimeline.pipelineTurn(of: $0) }
        let detail = DetailPane(event: cursor, pipelineTurn: turn, title: "event")
        if upper.width >= 100 {
            let (left, right) = upper.splitLeft(upper.width * 9 / 20)
            detail.draw(into: &screen, area: left)
            let breakdown = turn.flatMap { focusedTimeline.breakdown(turn: $0, near: cursor!.time) }
            MetricsPane(breakdown: breakdown, turn: turn).draw(into: &screen, area: right)
        } else {
            detail.draw(into: &screen, area: upper)
        }
        guard lower.height >= 4 else { return }
        let shown = focusedTimeline.window(from: viewport.start, to: viewport.stop).filter(filter.shows)
        EventListPane(events: Array(shown), cursor: cursor).draw(into: &screen, area: lower)
    }

    private func drawSplit(_ comparison: Comparison, into screen: inout Screen, area: Rect) {
        let laneRows = TimelineView.height(filter: filter, compact: true)
        let bottomWanted = 7
        let perSide = max(1, min(laneRows, (area.height - 3 - bottomWanted) / 2))
        var y = area.y
        let sides = [(comparison.before, comparison.beforeTitle, comparison.diff.before.summary, "before"),
                     (comparison.after, comparison.afterTitle, comparison.diff.after.summary, "after")]
        for (i, side) in sides.enumerated() {
            let focused = i == focus
            let label = comparison.isReplay ? side.3 : (i == 0 ? "A" : "B")
            drawSideTitle(into: &screen, y: y, label: label, title: side.1, summary: side.2, focused: focused)
            y += 1
            TimelineView(timeline: side.0, viewport: viewport, filter: filter, cursor: cursors[i], focused: focused, compact: true)
                .draw(into: &screen, area: Rect(x: 0, y: y, width: width, height: perSide))
            y += perSide
            if i == 0 {
                drawDifferences(comparison, into: &screen, y: y)
                y += 1
            }
        }
        let bottom = Rect(x: 0, y: y, width: width, height: area.maxY - y)
        guard bottom.height >= 4 else { return }
        let (left, right) = bottom.splitLeft(width >= 100 ? width / 2 : width)
        DiffPane(comparison: comparison, visibleMs: viewport.start / 1000...viewport.stop / 1000).draw(into: &screen, area: left)
        if !right.isEmpty {
            let turn = cursor.flatMap { focusedTimeline.pipelineTurn(of: $0) }
            let label = comparison.isReplay ? sides[focus].3 : (focus == 0 ? "A" : "B")
            DetailPane(event: cursor, pipelineTurn: turn, title: label).draw(into: &screen, area: right)
        }
    }

    private func drawSideTitle(into screen: inout Screen, y: Int, label: String, title: String, summary: SessionSummary, focused: Bool) {
        let style = TextStyle(foreground: focused ? .yellow : nil, bold: focused, dim: !focused)
        screen.put((focused ? "▶ " : "  ") + label, x: 0, y: y, style: TextStyle(foreground: focused ? .yellow : nil, bold: true, reverse: focused),
                   maxWidth: TimelineView.labelWidth - 1)
        let v2v = summary.voiceToVoiceP50Ms.map { "v2v p50 \($0) ms" } ?? "no replies"
        let text = "\(title)  ·  cut-offs \(summary.cutOffs) · barge-ins \(summary.bargeIns) · \(v2v)"
        screen.put(text, x: TimelineView.labelWidth, y: y, style: style, maxWidth: width - TimelineView.labelWidth)
    }

    /// A row between the two timelines marking each caller turn that changed, where it changed.
    private func drawDifferences(_ comparison: Comparison, into screen: inout Screen, y: Int) {
        screen.put(" Δ diff", x: 0, y: y, style: TextStyle(foreground: .magenta, bold: true))
        screen.set("│", x: TimelineView.labelWidth - 1, y: y, style: TextStyle(dim: true))
        var placer = LabelPlacer()
        let style = TextStyle(foreground: .magenta, bold: true)
        for change in comparison.diff.turns where !change.notes.isEmpty {
            let ends = (change.before + change.after).map(\.turnEndMs)
            guard let first = ends.min() else { continue }
            placer.add(viewport.column(of: .milliseconds(first)), "▲" + DiffPane.compactNotes(change), style)
        }
        placer.draw(on: LaneRow(y: y, x: TimelineView.labelWidth, width: width - TimelineView.labelWidth), into: &screen)
    }

    private func drawPopup(into screen: inout Screen) {
        switch popup {
        case .help(let help):
            let w = min(width - 4, 64), h = min(height - 2, HelpPopup.height)
            help.draw(into: &screen, area: Rect(x: (width - w) / 2, y: max(1, (height - h) / 2), width: w, height: h))
        case .settings(let form):
            let w = min(width - 4, 76), h = min(height - 2, form.height)
            form.draw(into: &screen, area: Rect(x: (width - w) / 2, y: max(1, (height - h) / 2), width: w, height: h))
        case .prompt(let prompt):
            prompt.draw(into: &screen, area: Rect(x: 2, y: height - 4, width: width - 4, height: 3))
        case nil: break
        }
    }
}
