/// One row of a lane's drawing area: column 0 is the viewport's first column.
struct LaneRow {
    /// Screen row.
    let y: Int
    /// Screen column of lane column 0.
    let x: Int
    /// Lane columns.
    let width: Int

    /// Whether lane column `column` is visible.
    func visible(_ column: Int) -> Bool { column >= 0 && column < width }

    /// Sets one cell at lane column `column` (ignored off the lane).
    func set(_ screen: inout Screen, _ column: Int, _ scalar: Unicode.Scalar, _ style: TextStyle) {
        guard visible(column) else { return }
        screen.set(scalar, x: x + column, y: y, style: style)
    }

    /// Fills lane columns `from..<to` (clipped) with `scalar`.
    func fill(_ screen: inout Screen, from: Int, to: Int, _ scalar: Unicode.Scalar, _ style: TextStyle) {
        let a = max(0, from), b = min(width, to)
        guard a < b else { return }
        for c in a..<b { screen.set(scalar, x: x + c, y: y, style: style) }
    }

    /// Writes `text` from lane column `column`, at most up to lane column `limit` (exclusive); a cut
    /// label ends in `…`. Text starting left of the lane shows its tail. Returns the end column.
    /// With too little room for words (4 columns or fewer) only `tiny` is drawn: by default the
    /// label's first character (its symbol, as in `▼silence`); nil draws nothing.
    @discardableResult
    func label(_ screen: inout Screen, _ column: Int, _ text: String, _ style: TextStyle, limit: Int = .max,
               tiny: Character?? = .none) -> Int {
        let stop = min(limit, width)
        var chars = Array(text)
        guard !chars.isEmpty else { return column }
        if column + chars.count > stop {
            let room = stop - column
            guard room > 0 else { return column }
            if room <= 4 {
                let symbol: Character? = tiny ?? chars[0]
                guard let symbol else { return column }
                chars = [symbol]
            } else {
                chars = Array(chars.prefix(room - 1)) + ["…"]
            }
        }
        var c = column
        for ch in chars {
            if c >= 0 { set(&screen, c, ch.unicodeScalars.first ?? " ", style) }
            c += 1
        }
        return c
    }
}

/// Places text labels on a row: each label runs until the next label's column.
struct LabelPlacer {
    struct Item {
        var column: Int
        var text: String
        var style: TextStyle
        var tiny: Character??
    }

    private(set) var items: [Item] = []

    /// Adds a label; `tiny` is what shows when there is no room for its words (see `LaneRow.label`).
    mutating func add(_ column: Int, _ text: String, _ style: TextStyle, tiny: Character?? = .none) {
        items.append(Item(column: column, text: text, style: style, tiny: tiny))
    }

    /// Draws each label up to the column of the next one (of labels at one column, the last added wins).
    func draw(on row: LaneRow, into screen: inout Screen, limit: Int = .max) {
        let sorted = items.enumerated().sorted { ($0.element.column, $0.offset) < ($1.element.column, $1.offset) }.map(\.element)
        for (i, item) in sorted.enumerated() {
            if i + 1 < sorted.count, sorted[i + 1].column == item.column { continue }
            let next = sorted[(i + 1)...].first { $0.column > item.column }?.column ?? limit
            guard next > 0 else { continue }
            row.label(&screen, item.column, item.text, item.style, limit: min(next, limit), tiny: item.tiny)
        }
    }
}
