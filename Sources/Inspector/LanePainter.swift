import Core

/// Draws the lanes of one timeline for the events around the view.
struct LanePainter {
    let events: ArraySlice<PipelineEvent>
    let viewport: Viewport
    let filter: EventFilter
    let levels: AudioLevels?
    let streams: Set<AudioStream>

    static let levelGlyphs: [Unicode.Scalar] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    func column(_ e: PipelineEvent) -> Int { viewport.column(of: e.time) }
    func column(us: Int64) -> Int { viewport.column(of: SimInstant(microseconds: us)) }
    func shown(_ kind: EventKind) -> Bool { filter.kinds.contains(kind) }

    /// Turn ends that fell inside a caller turn (ground truth): the false cut-offs.
    var cutOffSeqs: Set<Int64> {
        var spans: [Int: (start: Int64, end: Int64)] = [:]
        for e in events where e.kind == .callerSpeechStart { spans[e.turn ?? 0] = (e.time.microseconds, Int64.max) }
        for e in events where e.kind == .callerSpeechEnd { spans[e.turn ?? 0]?.end = e.time.microseconds }
        var out: Set<Int64> = []
        for e in events where e.kind == .turnEnd {
            let t = e.time.microseconds
            if spans.values.contains(where: { $0.start <= t && t < $0.end }) { out.insert(e.seq) }
        }
        return out
    }

    /// An audio level row; without this session's audio, `fallback` intervals are drawn as half blocks.
    func drawLevel(_ stream: AudioStream, row: LaneRow, style: TextStyle, into screen: inout Screen,
                   floor intervals: [(Int, Int)] = [], fallback: [(Int, Int)] = []) {
        guard let levels, streams.contains(stream) else {
            for (a, b) in fallback { row.fill(&screen, from: a, to: max(b, a + 1), "▄", style) }
            return
        }
        let values = levels.columnLevels(stream, from: viewport.time(ofColumn: 0), columnMicroseconds: viewport.columnMicroseconds,
                                         columns: row.width)
        for (c, value) in values.enumerated() {
            guard let value else {
                row.set(&screen, c, "·", TextStyle(dim: true))
                continue
            }
            let glyph = value == 0 ? 0 : 1 + Int(value - 1) * 8 / 255
            row.set(&screen, c, Self.levelGlyphs[min(8, glyph)], style)
        }
        // Silence inside `intervals` (the bot playing) still shows as a floor, so the interval stays visible.
        for (a, b) in intervals {
            let from = max(0, a), to = min(row.width, max(b, a + 1))
            guard from < to else { continue }
            for c in from..<to where screen[row.x + c, row.y].scalar == " " {
                row.set(&screen, c, "▁", style)
            }
        }
    }

    /// Intervals between `open` and `close` events (an open one runs past the view).
    func intervals(open: EventKind, close: EventKind) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var started: Int64?
        for e in events {
            if e.kind == open, started == nil { started = e.time.microseconds }
            if e.kind == close, let s = started {
                out.append((column(us: s), column(e) + 1))
                started = nil
            }
        }
        if let s = started { out.append((column(us: s), viewport.columns + 1)) }
        return out
    }

    /// The caller's words (ground truth) at their times when zoomed in, else each turn's sentence.
    func drawCallerWords(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        var placer = LabelPlacer()
        let fineEnough = viewport.columnMicroseconds <= 50_000
        for e in events where e.kind == .callerSpeechStart {
            let words = e.data["words"]?.arrayValue ?? []
            if fineEnough, !words.isEmpty {
                for w in words {
                    guard let start = w["start_us"]?.intValue, let text = w["word"]?.stringValue else { continue }
                    placer.add(column(us: start), text, style, tiny: .some(nil))
                }
            } else {
                placer.add(column(e), "“" + (e.data["text"]?.stringValue ?? "") + "”", style, tiny: .some(nil))
            }
        }
        placer.draw(on: row, into: &screen)
    }

    func drawVAD(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        for (a, b) in intervals(open: .vadStart, close: .vadStop) { row.fill(&screen, from: a, to: b, "━", style) }
    }

    /// Partials as the words they added (dim), finals as `◆` and their whole text.
    func drawSTT(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        var placer = LabelPlacer()
        var previous: [Int64: String] = [:]
        let fineEnough = viewport.columnMicroseconds <= 50_000
        for e in events where e.kind == .sttPartial || e.kind == .sttFinal {
            let text = e.data["text"]?.stringValue ?? ""
            let segment = e.data["segment"]?.intValue ?? -1
            if e.kind == .sttFinal {
                if shown(.sttFinal) { placer.add(column(e), "◆" + text, style.emphasized) }
            } else if shown(.sttPartial) {
                // Zoomed in, a partial shows the words it added; zoomed out, only its dot.
                let before = previous[segment] ?? ""
                let delta = !before.isEmpty && text.hasPrefix(before) ? String(text.dropFirst(before.count)).trimmed : text
                placer.add(column(e), fineEnough ? "·" + delta : "·", TextStyle(foreground: style.foreground, dim: true))
            }
            previous[segment] = text
        }
        placer.draw(on: row, into: &screen)
    }

    func drawTurnEnds(row: LaneRow, style: TextStyle, cutOffs: Set<Int64>, into screen: inout Screen) {
        var placer = LabelPlacer()
        for e in events where e.kind == .turnEnd {
            let reason = e.data["reason"]?.stringValue ?? ""
            let waited = e.data["waited_ms"]?.intValue.map { " \($0)ms" } ?? ""
            let cut = cutOffs.contains(e.seq)
            placer.add(column(e), "▼\(reason)\(waited)", cut ? TextStyle(foreground: .red, bold: true, underline: true) : style)
        }
        placer.draw(on: row, into: &screen)
    }

    /// Waiting for the first token as `┄`, then the reply's tokens as text; `✕` where cancelled.
    func drawLLM(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        let requests = events.filter { $0.kind == .llmRequest }
        let waiting = TextStyle(foreground: style.foreground, dim: true)
        for (i, request) in requests.enumerated() {
            let barrier = i + 1 < requests.count ? column(requests[i + 1]) : row.width
            let tokens = events.filter { $0.turn == request.turn && $0.time >= request.time && $0.kind == .llmToken }
            let firstToken = tokens.first.map(column) ?? barrier
            row.fill(&screen, from: column(request), to: min(firstToken, barrier), "┄", waiting)
            guard let first = tokens.first, shown(.llmToken) else { continue }
            let text = tokens.compactMap { $0.data["text"]?.stringValue }.joined(separator: " ")
            row.label(&screen, column(first), text, style, limit: barrier, tiny: "›")
        }
        for e in events where e.kind == .llmCancel && shown(.llmCancel) { row.set(&screen, column(e), "✕", style.emphasized) }
    }

    /// Waiting for the first audio as `┄`, each chunk as `▪`; `✕` where cancelled.
    func drawTTS(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        var waitingFrom: Int?
        let waiting = TextStyle(foreground: style.foreground, dim: true)
        for e in events {
            switch e.kind {
            case .ttsRequest where waitingFrom == nil: waitingFrom = column(e)
            case .ttsChunk:
                if let a = waitingFrom { row.fill(&screen, from: a, to: column(e), "┄", waiting) }
                waitingFrom = nil
                if shown(.ttsChunk) { row.set(&screen, column(e), "▪", style) }
            case .ttsCancel:
                waitingFrom = nil
                if shown(.ttsCancel) { row.set(&screen, column(e), "✕", style.emphasized) }
            case .ttsDone: waitingFrom = nil
            default: break
            }
        }
    }

    /// The bot's audio while it plays (a floor through silence), `✕` where playback was interrupted.
    func drawBot(row: LaneRow, style: TextStyle, into screen: inout Screen) {
        let playing = intervals(open: .playStart, close: .playStop)
        drawLevel(.bot, row: row, style: style, into: &screen, floor: playing, fallback: playing)
        for e in events where e.kind == .playStop && e.data["reason"]?.stringValue == "interrupted" {
            row.set(&screen, column(e), "✕", TextStyle(foreground: .red, bold: true))
        }
    }

    func drawAlerts(row: LaneRow, cutOffs: Set<Int64>, into screen: inout Screen) {
        var placer = LabelPlacer()
        let alert = TextStyle(foreground: .red, bold: true)
        for e in events {
            switch e.kind {
            case .bargeIn where shown(.bargeIn): placer.add(column(e), "↯ barge-in", alert)
            case .turnEnd where cutOffs.contains(e.seq): placer.add(column(e), "✂ cut-off", alert)
            case .sessionEnd where shown(.sessionEnd): placer.add(column(e), "■ end", TextStyle(bold: true))
            default: break
            }
        }
        placer.draw(on: row, into: &screen)
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
