extension String {
    /// The text with every control character (C0, DEL, C1: escape sequences, carriage returns,
    /// bells) written as a visible escape (`\e`, `\r`, `\u{9B}`), so a name read from a file cannot
    /// move the cursor, retitle the terminal or hide what is printed after it. Tabs and newlines
    /// are escaped too: what is printed as one cell or one line stays one.
    public var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard Self.isControl(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
