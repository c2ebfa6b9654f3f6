import Core

/// The time axis above the lanes: labels on round times and a tick row with the cursor's column.
struct RulerView {
    /// Candidate spacings between labelled ticks, in microseconds.
    static let steps: [Int64] = [
        100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000,
        15_000_000, 30_000_000, 60_000_000, 120_000_000, 300_000_000, 600_000_000, 1_800_000_000, 3_600_000_000,
    ]

    let viewport: Viewport
    let cursor: SimInstant?

    /// Draws two rows at `area` (the lane columns only).
    func draw(into screen: inout Screen, area: Rect) {
        guard area.height >= 2, area.width > 0 else { return }
        let w = viewport.columnMicroseconds
        let step: Int64 = Self.steps.first(where: { $0 / w >= 10 }) ?? 3_600_000_000
        let dim = TextStyle(dim: true)
        for c in 0..<area.width { screen.set("─", x: area.x + c, y: area.y + 1, style: dim) }
        var t = (viewport.start + step - 1) / step * step
        while t < viewport.stop {
            let c = viewport.column(of: SimInstant(microseconds: t))
            if c >= 0, c < area.width {
                screen.set("┼", x: area.x + c, y: area.y + 1, style: dim)
                screen.put(Self.format(t, step: step), x: area.x + c, y: area.y, style: dim, clip: area)
            }
            t += step
        }
        if let cursor {
            let c = viewport.column(of: cursor)
            let marker = TextStyle(foreground: .yellow, bold: true)
            if c < 0 {
                screen.put("◀", x: area.x, y: area.y + 1, style: marker)
            } else if c >= area.width {
                screen.put("▶", x: area.x + area.width - 1, y: area.y + 1, style: marker)
            } else {
                screen.set("▼", x: area.x + c, y: area.y + 1, style: marker)
            }
        }
    }

    /// `8s`, `8.5s`, `1:05`, `1:02:05`: as few decimals as the tick spacing needs.
    static func format(_ us: Int64, step: Int64) -> String {
        let fraction = step % 1_000_000 == 0 ? "" : "." + String(String(us % 1_000_000 + 1_000_000).dropFirst().prefix(1))
        let totalSeconds = us / 1_000_000
        if totalSeconds < 60 { return "\(totalSeconds)\(fraction)s" }
        let h = totalSeconds / 3600, m = totalSeconds / 60 % 60, s = totalSeconds % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h == 0 { return "\(m):\(ss)\(fraction)" }
        return "\(h):\(m < 10 ? "0" : "")\(m):\(ss)\(fraction)"
    }
}

/// Times as people read them in the inspector: `8.260 s`, `1:02:05.500`.
enum TimeText {
    static func of(_ t: SimInstant) -> String {
        let ms = t.microseconds / 1000
        let seconds = ms / 1000, fraction = String(ms % 1000 + 1000).dropFirst()
        if seconds < 60 { return "\(seconds).\(fraction) s" }
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h == 0 { return "\(m):\(ss).\(fraction)" }
        return "\(h):\(m < 10 ? "0" : "")\(m):\(ss).\(fraction)"
    }
}
