import Core

/// Draws one timeline: a label column and one or two rows per lane, the cursor column, and the
/// cursor's event highlighted. Read-only: it takes what it draws and keeps nothing.
struct TimelineView {
    /// Width of the label column (lane names), including the separator.
    static let labelWidth = 11

    /// Which lanes stay when not all fit, most important first.
    static let priority: [Lane] = [.alerts, .turn, .caller, .bot, .vad, .stt, .llm, .tts, .mic]

    /// The rows the shown lanes take (at most `limit`): the caller lane gets a second row for its
    /// words unless `compact`; when rows are short the least important lanes (and the words) go first.
    static func rows(filter: EventFilter, compact: Bool, limit: Int = .max) -> [(lane: Lane, row: Int)] {
        let shown = Lane.allCases.filter { filter.lanes.contains($0) }
        let kept = Set(priority.filter(shown.contains).prefix(max(0, limit)))
        let words = !compact && kept.contains(.caller) && kept.count < limit
        var out: [(Lane, Int)] = []
        for lane in shown where kept.contains(lane) {
            out.append((lane, 0))
            if lane == .caller, words { out.append((lane, 1)) }
        }
        return out
    }

    /// Rows needed.
    static func height(filter: EventFilter, compact: Bool) -> Int { rows(filter: filter, compact: compact).count }

    let timeline: Timeline
    let viewport: Viewport
    let filter: EventFilter
    let cursor: PipelineEvent?
    let focused: Bool
    let compact: Bool

    func draw(into screen: inout Screen, area: Rect) {
        let laneWidth = area.width - Self.labelWidth
        guard laneWidth > 0 else { return }
        let events = timeline.window(from: viewport.start, to: viewport.stop)
        let painter = LanePainter(events: events, viewport: viewport, filter: filter, levels: timeline.source.levels,
                                  streams: timeline.source.streams)
        let cutOffs = painter.cutOffSeqs
        var cursorRow: Int?
        let rows = Self.rows(filter: filter, compact: compact, limit: area.height)
        for (i, entry) in rows.enumerated() {
            let y = area.y + i
            let lane = entry.lane, style = lane.style
            if entry.row == 0 {
                screen.put(lane.title, x: area.x + 1, y: y, style: TextStyle(foreground: lane.color, bold: focused, dim: !focused),
                           maxWidth: Self.labelWidth - 2)
            } else {
                screen.put(" said", x: area.x + 1, y: y, style: TextStyle(foreground: lane.color, dim: true))
            }
            screen.set("│", x: area.x + Self.labelWidth - 1, y: y, style: TextStyle(dim: true))
            let row = LaneRow(y: y, x: area.x + Self.labelWidth, width: laneWidth)
            switch (lane, entry.row) {
            case (.caller, 0):
                painter.drawLevel(.caller, row: row, style: style, into: &screen,
                                  fallback: painter.intervals(open: .callerSpeechStart, close: .callerSpeechEnd))
            case (.caller, _): painter.drawCallerWords(row: row, style: TextStyle(foreground: lane.color, dim: true), into: &screen)
            case (.mic, _): painter.drawLevel(.mic, row: row, style: style, into: &screen)
            case (.vad, _): painter.drawVAD(row: row, style: style, into: &screen)
            case (.stt, _): painter.drawSTT(row: row, style: style, into: &screen)
            case (.turn, _): painter.drawTurnEnds(row: row, style: style, cutOffs: cutOffs, into: &screen)
            case (.llm, _): painter.drawLLM(row: row, style: style, into: &screen)
            case (.tts, _): painter.drawTTS(row: row, style: style, into: &screen)
            case (.bot, _): painter.drawBot(row: row, style: style, into: &screen)
            case (.alerts, _): painter.drawAlerts(row: row, cutOffs: cutOffs, into: &screen)
            }
            if let cursor, entry.row == 0, Lane.of(cursor.kind) == lane { cursorRow = y }
        }
        drawCursor(into: &screen, area: area, laneWidth: laneWidth, rows: rows.count, row: cursorRow)
    }

    /// The cursor column: a thin line through empty cells, the cursor's own cell in reverse video.
    private func drawCursor(into screen: inout Screen, area: Rect, laneWidth: Int, rows: Int, row: Int?) {
        guard let cursor else { return }
        let c = viewport.column(of: cursor.time)
        guard c >= 0, c < laneWidth else { return }
        let x = area.x + Self.labelWidth + c
        for y in area.y..<area.y + min(area.height, rows) where screen[x, y].scalar == " " {
            screen.set("│", x: x, y: y, style: TextStyle(foreground: focused ? .yellow : nil, dim: !focused))
        }
        if let row, focused {
            var cell = screen[x, row]
            if cell.scalar == " " || cell.scalar == "│" { cell.scalar = "●" }
            cell.style.reverse = true
            cell.style.bold = true
            screen[x, row] = cell
        }
    }
}
