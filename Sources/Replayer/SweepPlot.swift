/// The sweep's trade-off as a self-contained SVG: x = latency (median endpoint delay, ms),
/// y = false cut-off rate (%), one circle per grid point labelled with its value(s), the Pareto
/// front drawn as a line with its points highlighted, eot-bench reference lines, and a legend.
public struct SweepPlot {
    /// A complete sweep result.
    public var result: SweepResult
    /// Picture size in pixels.
    public var width = 960.0, height = 620.0
    /// Points beyond this many get no label (Pareto points are always labelled).
    public var maxLabels = 200

    private let left = 90.0, top = 92.0, bottom = 74.0
    private var right: Double { legendWidth + 60 }

    /// A plot of `result` (which must be complete).
    public init(result: SweepResult) {
        self.result = result
    }

    /// The SVG document.
    public func svg() -> String {
        let points = result.points
        let front = SweepHeadline.paretoFront(of: points)
        let placed = points.filter(\.isPlottable)
        let xs = placed.map { Double($0.latencyMs!) }, ys = placed.map(rate)
        let frame = Frame(
            x: Axis(min: xs.min() ?? 0, max: xs.max() ?? 1000, fromZero: false, minStep: 1),
            y: Axis(min: 0, max: max(ys.max() ?? 0, 10), fromZero: true, minStep: 0.1),
            left: left, top: top, width: width - left - right, height: height - top - bottom)
        var labels = LabelPlacer(bounds: (left, top, left + frame.width, top + frame.height))
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(svgNumber(width))" height="\(svgNumber(height))" viewBox="0 0 \(svgNumber(width)) \(svgNumber(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(svgNumber(width))" height="\(svgNumber(height))" fill="#ffffff"/>

            """
        svg += titleBlock(placed: placed.count, total: points.count)
        svg += axes(frame)
        svg += references(frame)
        svg += marks(placed, front: front, frame: frame, labels: &labels)
        svg += legend(x: left + frame.width + 40, y: top)
        svg += "</svg>\n"
        return svg
    }

    /// Grid lines, ticks, tick labels, the frame and the axis titles.
    private func axes(_ frame: Frame) -> String {
        let (l, t, w, h) = (frame.left, frame.top, frame.width, frame.height)
        var svg = ""
        for v in frame.x.ticks {
            let x = svgNumber(frame.px(v.value))
            svg += "<line x1=\"\(x)\" y1=\"\(svgNumber(t))\" x2=\"\(x)\" y2=\"\(svgNumber(t + h))\" stroke=\"#e6e6e6\"/>\n"
            svg += "<line x1=\"\(x)\" y1=\"\(svgNumber(t + h))\" x2=\"\(x)\" y2=\"\(svgNumber(t + h + 6))\" stroke=\"#333333\"/>\n"
            svg += "<text x=\"\(x)\" y=\"\(svgNumber(t + h + 20))\" text-anchor=\"middle\">\(v.text)</text>\n"
        }
        for v in frame.y.ticks {
            let y = frame.py(v.value)
            svg += "<line x1=\"\(svgNumber(l))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(l + w))\" y2=\"\(svgNumber(y))\" stroke=\"#e6e6e6\"/>\n"
            svg += "<line x1=\"\(svgNumber(l - 6))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(l))\" y2=\"\(svgNumber(y))\" stroke=\"#333333\"/>\n"
            svg += "<text x=\"\(svgNumber(l - 10))\" y=\"\(svgNumber(y + 4))\" text-anchor=\"end\">\(v.text)</text>\n"
        }
        svg += "<rect x=\"\(svgNumber(l))\" y=\"\(svgNumber(t))\" width=\"\(svgNumber(w))\" height=\"\(svgNumber(h))\" fill=\"none\" stroke=\"#333333\"/>\n"
        svg += "<text x=\"\(svgNumber(l + w / 2))\" y=\"\(svgNumber(height - 22))\" text-anchor=\"middle\" font-size=\"14\">Latency: median endpoint delay (ms)</text>\n"
        let mid = svgNumber(t + h / 2)
        svg += "<text x=\"24\" y=\"\(mid)\" text-anchor=\"middle\" font-size=\"14\" transform=\"rotate(-90 24 \(mid))\">False cut-off rate (%)</text>\n"
        return svg
    }

    /// The eot-bench reference lines (5 % / 10 % rate, 300 / 600 ms budget) that fall inside the
    /// axes, labelled outside the plot area (right and top) so no label can hide a point.
    private func references(_ frame: Frame) -> String {
        let (l, t, w, h) = (frame.left, frame.top, frame.width, frame.height)
        let dashed = "stroke=\"#7a7a7a\" stroke-dasharray=\"6 4\""
        var svg = ""
        for r in SweepHeadline.standardRatesPercent where Double(r) < frame.y.high {
            let y = frame.py(Double(r))
            svg += "<line x1=\"\(svgNumber(l))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(l + w))\" y2=\"\(svgNumber(y))\" \(dashed)/>\n"
            svg += "<text x=\"\(svgNumber(l + w + 4))\" y=\"\(svgNumber(y + 4))\" font-size=\"11\" fill=\"#555555\">\(r)%</text>\n"
        }
        for b in SweepHeadline.standardBudgetsMs where Double(b) > frame.x.low && Double(b) < frame.x.high {
            let x = frame.px(Double(b))
            svg += "<line x1=\"\(svgNumber(x))\" y1=\"\(svgNumber(t))\" x2=\"\(svgNumber(x))\" y2=\"\(svgNumber(t + h))\" \(dashed)/>\n"
            svg += "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(t - 5))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\">\(b) ms</text>\n"
        }
        return svg
    }

    /// The Pareto line, one circle per point, and the labels (coincident points share one label).
    private func marks(_ placed: [SweepPointMetrics], front: [SweepPointMetrics], frame: Frame, labels: inout LabelPlacer) -> String {
        let onFront = Set(front.map(\.index))
        var svg = ""
        if front.count > 1 {
            let coords = front.map { "\(svgNumber(frame.px(Double($0.latencyMs!)))),\(svgNumber(frame.py(rate($0))))" }
            svg += "<polyline class=\"pareto-front\" points=\"\(coords.joined(separator: " "))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
        }
        // Points at the same spot, in grid order, keyed by their rounded position.
        var spots: [(x: Double, y: Double, points: [SweepPointMetrics])] = []
        var spotIndex: [String: Int] = [:]
        for p in placed {
            let x = frame.px(Double(p.latencyMs!)), y = frame.py(rate(p))
            let key = svgNumber(x) + "," + svgNumber(y)
            if let i = spotIndex[key] { spots[i].points.append(p) } else {
                spotIndex[key] = spots.count
                spots.append((x, y, [p]))
            }
            labels.occupy(x0: x - 6, y0: y - 6, x1: x + 6, y1: y + 6)
            let pareto = onFront.contains(p.index)
            let style = pareto ? "fill=\"#d62728\" stroke=\"#7f1010\"" : "fill=\"#ffffff\" stroke=\"#1f77b4\" stroke-width=\"2\""
            svg += "<circle class=\"\(pareto ? "point pareto" : "point")\" cx=\"\(svgNumber(x))\" cy=\"\(svgNumber(y))\" r=\"5\" \(style)>"
            svg += "<title>\(xmlEscaped(result.describe(p))): latency \(p.latencyMs!) ms, false cut-off \(p.rateText)</title></circle>\n"
        }
        for spot in spots {
            let pareto = spot.points.contains { onFront.contains($0.index) }
            guard pareto || placed.count <= maxLabels else { continue }
            var names = spot.points.prefix(3).map { result.grid.label(at: $0.index) }
            if spot.points.count > 3 { names.append("+\(spot.points.count - 3)") }
            let text = names.joined(separator: ", ")
            let at = labels.place(x: spot.x, y: spot.y, width: 6.5 * Double(text.count))
            svg += "<text x=\"\(svgNumber(at.x))\" y=\"\(svgNumber(at.y))\" font-size=\"11\" fill=\"\(pareto ? "#7f1010" : "#1f4e79")\">\(xmlEscaped(text))</text>\n"
        }
        return svg
    }

    /// The legend's width: room for its longest line (about 7 px per character at 12 px).
    private var legendWidth: Double {
        let keys = result.grid.shortKeys.joined(separator: "/")
        return max(250, 42 + 7 * Double("grid point (label: \(keys))".count))
    }

    /// A point's false cut-off rate in percent.
    private func rate(_ p: SweepPointMetrics) -> Double { 100 * Double(p.cutOffCallerTurns) / Double(p.endedCallerTurns) }

    private func titleBlock(placed: Int, total: Int) -> String {
        let keys = result.grid.parameters.map(\.key).joined(separator: " × ")
        let turns = result.points.first?.callerTurns ?? 0
        var sub = "\(result.archives.count) archive\(result.archives.count == 1 ? "" : "s"), \(turns) caller turns per point; each point is labelled with its \(result.grid.shortKeys.joined(separator: "/"))"
        if placed < total { sub += "; \(total - placed) point(s) with no turns not shown" }
        return """
            <text x="\(svgNumber(width / 2))" y="28" text-anchor="middle" font-size="18" font-weight="bold">False cut-off rate vs latency</text>
            <text x="\(svgNumber(width / 2))" y="48" text-anchor="middle" font-size="13">sweep of \(xmlEscaped(keys))</text>
            <text x="\(svgNumber(width / 2))" y="66" text-anchor="middle" fill="#444444">\(xmlEscaped(sub))</text>

            """
    }

    private func legend(x: Double, y: Double) -> String {
        let keyText = result.grid.shortKeys.joined(separator: "/")
        let keys = xmlEscaped(keyText)
        let boxWidth = legendWidth
        var out = "<g class=\"legend\">\n<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(boxWidth))\" height=\"118\" fill=\"#ffffff\" stroke=\"#999999\"/>\n"
        out += "<text x=\"\(svgNumber(x + 10))\" y=\"\(svgNumber(y + 20))\" font-weight=\"bold\">Legend</text>\n"
        // Markers are paths, not circles, so the picture holds exactly one circle per grid point.
        func marker(_ cy: Double, _ style: String) -> String {
            "<path d=\"M \(svgNumber(x + 12)) \(svgNumber(cy)) a 5 5 0 1 0 10 0 a 5 5 0 1 0 -10 0\" \(style)/>\n"
        }
        out += marker(y + 40, "fill=\"#ffffff\" stroke=\"#1f77b4\" stroke-width=\"2\"")
        out += "<text x=\"\(svgNumber(x + 30))\" y=\"\(svgNumber(y + 44))\">grid point (label: \(keys))</text>\n"
        out += "<line x1=\"\(svgNumber(x + 8))\" y1=\"\(svgNumber(y + 64))\" x2=\"\(svgNumber(x + 26))\" y2=\"\(svgNumber(y + 64))\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
        out += marker(y + 64, "fill=\"#d62728\" stroke=\"#7f1010\"")
        out += "<text x=\"\(svgNumber(x + 30))\" y=\"\(svgNumber(y + 68))\">Pareto front</text>\n"
        out += "<line x1=\"\(svgNumber(x + 8))\" y1=\"\(svgNumber(y + 88))\" x2=\"\(svgNumber(x + 26))\" y2=\"\(svgNumber(y + 88))\" stroke=\"#7a7a7a\" stroke-dasharray=\"6 4\"/>\n"
        out += "<text x=\"\(svgNumber(x + 30))\" y=\"\(svgNumber(y + 92))\">eot-bench references: 5%, 10%</text>\n"
        out += "<text x=\"\(svgNumber(x + 30))\" y=\"\(svgNumber(y + 108))\">false cut-off; 300, 600 ms</text>\n"
        return out + "</g>\n"
    }
}

/// The plot area and its two axes: value → pixel.
fileprivate struct Frame {
    var x: Axis, y: Axis
    var left: Double, top: Double, width: Double, height: Double

    func px(_ v: Double) -> Double { left + (v - x.low) / (x.high - x.low) * width }
    func py(_ v: Double) -> Double { top + height - (v - y.low) / (y.high - y.low) * height }
}

/// Tick positions of one axis: 1-2-5 steps, about six ticks, bounds on a tick.
fileprivate struct Axis {
    /// A tick: its value and its label.
    struct Tick { var value: Double; var text: String }
    var low: Double, high: Double
    var ticks: [Tick] = []

    init(min: Double, max: Double, fromZero: Bool, minStep: Double) {
        let lo = fromZero ? 0 : min, hi = Swift.max(max, lo)
        var exponent = -1, mantissa = 1
        // Smallest 1-2-5 step (≥ minStep) giving at most 7 intervals over the span.
        let span = Swift.max(hi - lo, minStep)
        search: for e in -1...9 {
            for m in [1, 2, 5] where Self.step(m, e) >= minStep && span / Self.step(m, e) <= 7 {
                (exponent, mantissa) = (e, m)
                break search
            }
        }
        let step = Self.step(mantissa, exponent)
        var first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        if first == last { (first, last) = (fromZero ? first : first - 1, last + 1) }
        if !fromZero && lo - first * step < step / 4 && first > 0 { first -= 1 }
        if last * step - hi < step / 4 { last += 1 }
        low = first * step
        high = last * step
        let decimals = Swift.max(0, -exponent)
        var n = first
        while n <= last + 0.5 {
            let units = Int64((n * Double(mantissa)).rounded()) * Int64(exponent >= 0 ? Self.pow10(exponent) : 1)
            ticks.append(Tick(value: n * step, text: SweepDecimal(units: units, scale: decimals).text))
            n += 1
        }
    }

    static func pow10(_ e: Int) -> Int { (0..<e).reduce(1) { r, _ in r * 10 } }
    static func step(_ m: Int, _ e: Int) -> Double { e >= 0 ? Double(m * pow10(e)) : Double(m) / Double(pow10(-e)) }
}

/// Greedy label placement: the first of a few spots beside a point that overlaps no earlier label or point.
fileprivate struct LabelPlacer {
    private var boxes: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []
    let bounds: (x0: Double, y0: Double, x1: Double, y1: Double)

    init(bounds: (Double, Double, Double, Double)) { self.bounds = bounds }

    /// Marks a box (a point, a reference label) as taken.
    mutating func occupy(x0: Double, y0: Double, x1: Double, y1: Double) { boxes.append((x0, y0, x1, y1)) }

    /// The baseline origin of a label `width` wide for the point at (x, y).
    mutating func place(x: Double, y: Double, width: Double) -> (x: Double, y: Double) {
        let spots = [(x + 8, y - 8), (x - 8 - width, y - 8), (x + 8, y + 16), (x - 8 - width, y + 16),
                     (x - width / 2, y - 12), (x - width / 2, y + 22), (x + 8, y - 22), (x - 8 - width, y - 22),
                     (x + 8, y + 30), (x - 8 - width, y + 30), (x - width / 2, y - 26), (x - width / 2, y + 36)]
        // Two pixels of air on each side, so neighbouring labels never touch.
        func box(_ s: (Double, Double)) -> (x0: Double, y0: Double, x1: Double, y1: Double) { (s.0 - 2, s.1 - 11, s.0 + width + 2, s.1 + 3) }
        let chosen = spots.first { s in
            let b = box(s)
            return b.x0 >= bounds.x0 && b.x1 <= bounds.x1 && b.y0 >= bounds.y0 && b.y1 <= bounds.y1
                && !boxes.contains { $0.x0 < b.x1 && b.x0 < $0.x1 && $0.y0 < b.y1 && b.y0 < $0.y1 }
        } ?? spots[0]
        boxes.append(box(chosen))
        return chosen
    }
}

/// A coordinate with one decimal, formatted without Foundation (same text on every platform).
fileprivate func svgNumber(_ v: Double) -> String { SweepDecimal(units: Int64((v * 10).rounded()), scale: 1).text }

/// Text escaped for XML.
fileprivate func xmlEscaped(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(c)
        }
    }
    return out
}
