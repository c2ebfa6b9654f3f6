/// The eight terminal colours; `nil` in a style means the terminal's default.
public enum TerminalColor: Int, CaseIterable, Sendable {
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How one cell looks: colours and attributes. Monochrome terminals keep only the attributes.
public struct TextStyle: Hashable, Sendable {
    /// Foreground colour (nil: default).
    public var foreground: TerminalColor?
    /// Background colour (nil: default).
    public var background: TerminalColor?
    /// Bold.
    public var bold = false
    /// Dim (faint).
    public var dim = false
    /// Reverse video.
    public var reverse = false
    /// Underline.
    public var underline = false

    /// A style with the given colours and attributes.
    public init(foreground: TerminalColor? = nil, background: TerminalColor? = nil,
                bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    /// The terminal's default look.
    public static let plain = TextStyle()

    /// This style with colours removed (for terminals without colour); emphasis stays.
    public var monochrome: TextStyle {
        TextStyle(bold: bold, dim: dim, reverse: reverse, underline: underline)
    }

    /// This style in bold.
    public var emphasized: TextStyle { var s = self; s.bold = true; s.dim = false; return s }
}
