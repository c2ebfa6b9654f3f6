/// A rectangle of cells on the screen.
public struct Rect: Hashable, Sendable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int

    /// A rectangle at (`x`, `y`) of `width` × `height` cells.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// One past the right column.
    public var maxX: Int { x + width }
    /// One past the bottom row.
    public var maxY: Int { y + height }
    /// Whether the rectangle has no cells.
    public var isEmpty: Bool { width == 0 || height == 0 }

    /// Whether (`px`, `py`) lies inside.
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }

    /// The rectangle shrunk by `n` cells on every side.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }

    /// The top `rows` rows, and the rest below them.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }

    /// The left `columns` columns, and the rest to their right.
    public func splitLeft(_ columns: Int) -> (left: Rect, rest: Rect) {
        let c = min(max(0, columns), width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }

    /// The overlap of two rectangles (empty when they do not meet).
    public func intersection(_ other: Rect) -> Rect {
        let left = max(x, other.x), top = max(y, other.y)
        return Rect(x: left, y: top, width: min(maxX, other.maxX) - left, height: min(maxY, other.maxY) - top)
    }
}

/// One character cell: a Unicode scalar drawn one column wide, and its style.
public struct Cell: Hashable, Sendable {
    /// The character.
    public var scalar: Unicode.Scalar
    /// How it looks.
    public var style: TextStyle

    /// A blank cell.
    public static let blank = Cell(scalar: " ", style: .plain)
}

/// The whole UI as an in-memory grid of cells (gitui's `TestBackend`): components draw into it,
/// tests compare its text with reviewed snapshots, and only the terminal adapter copies it out.
public struct Screen: Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Cells, row by row.
    public private(set) var cells: [Cell]

    /// A blank screen of `width` × `height`.
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The whole screen as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at (`x`, `y`).
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Sets one cell, ignoring positions outside the screen or `clip`.
    public mutating func set(_ scalar: Unicode.Scalar, x: Int, y: Int, style: TextStyle = .plain, clip: Rect? = nil) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        if let clip, !clip.contains(x: x, y: y) { return }
        cells[y * width + x] = Cell(scalar: scalar, style: style)
    }

    /// Writes `text` from (`x`, `y`) to the right, one column per character, clipped to the screen,
    /// `clip` and `maxWidth`. Control characters become spaces. Returns the columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: TextStyle = .plain, clip: Rect? = nil,
                             maxWidth: Int = .max) -> Int {
        var column = x
        var written = 0
        for character in text {
            guard written < maxWidth else { break }
            var scalar = character.unicodeScalars.first ?? " "
            if scalar.value < 0x20 || scalar.value == 0x7F { scalar = " " }
            set(scalar, x: column, y: y, style: style, clip: clip)
            column += 1
            written += 1
        }
        return written
    }

    /// Fills `rect` with `scalar` in `style`.
    public mutating func fill(_ rect: Rect, with scalar: Unicode.Scalar = " ", style: TextStyle = .plain) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for row in r.y..<r.maxY {
            for column in r.x..<r.maxX { cells[row * width + column] = Cell(scalar: scalar, style: style) }
        }
    }

    /// Changes the style of every cell in `rect`.
    public mutating func restyle(_ rect: Rect, _ change: (inout TextStyle) -> Void) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for row in r.y..<r.maxY {
            for column in r.x..<r.maxX { change(&cells[row * width + column].style) }
        }
    }

    /// Draws a single-line box around `rect` (clearing its inside) with `title` in its top edge.
    public mutating func box(_ rect: Rect, title: String = "", style: TextStyle = .plain, titleStyle: TextStyle? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        fill(rect)
        for column in rect.x + 1..<rect.maxX - 1 {
            set("─", x: column, y: rect.y, style: style)
            set("─", x: column, y: rect.maxY - 1, style: style)
        }
        for row in rect.y + 1..<rect.maxY - 1 {
            set("│", x: rect.x, y: row, style: style)
            set("│", x: rect.maxX - 1, y: row, style: style)
        }
        set("┌", x: rect.x, y: rect.y, style: style)
        set("┐", x: rect.maxX - 1, y: rect.y, style: style)
        set("└", x: rect.x, y: rect.maxY - 1, style: style)
        set("┘", x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if !title.isEmpty {
            put(" \(title) ", x: rect.x + 2, y: rect.y, style: titleStyle ?? style.emphasized, maxWidth: rect.width - 4)
        }
    }

    /// Row `y` as text, trailing spaces removed.
    public func line(_ y: Int) -> String {
        var text = String.UnicodeScalarView()
        for column in 0..<width { text.append(cells[y * width + column].scalar) }
        var line = String(text)
        while line.last == " " { line.removeLast() }
        return line
    }

    /// The screen as plain text: one line per row, trailing spaces removed, each ending in a newline.
    public var text: String {
        (0..<height).map { line($0) + "\n" }.joined()
    }

    /// The screen with every colour removed (what a terminal without colours shows).
    public var monochrome: Screen {
        var copy = self
        for i in copy.cells.indices { copy.cells[i].style = copy.cells[i].style.monochrome }
        return copy
    }
}
