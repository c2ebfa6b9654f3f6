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

    /// Keys for a string typed character by character (tests and scripted sessions).
    public static func typed(_ text: String) -> [Key] { text.map { Key.character($0) } }
}
