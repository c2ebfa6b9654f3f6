/// A key press, independent of the terminal library that read it.
public enum Key: Hashable, Sendable {
    /// A printable character (letters, digits, punctuation, space).
    case character(Character)
    /// Arrow keys.
    case up, down, left, right
    /// Enter / return.
    case enter
    /// Escape.
    case escape
    /// Backspace or delete-left.
    case backspace
    /// Tab and shift-tab.
    case tab, backTab
    /// Page up / page down.
    case pageUp, pageDown
    /// Home / end.
    case home, end
    /// Ctrl-C (always quits).
    case interrupt

    /// Keys for a string typed character by character (tests and `--keys`): newline is enter,
    /// tab is tab, ESC is escape and DEL is backspace.
    public static func typed(_ text: String) -> [Key] {
        text.map { c in
            switch c {
            case "\n", "\r", "\r\n": return .enter
            case "\t": return .tab
            case "\u{1B}": return .escape
            case "\u{7F}", "\u{08}": return .backspace
            default: return .character(c)
            }
        }
    }
}
