import Core
import Testing

@Suite struct TerminalSafeTests {
    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect("evil\u{1B}]0;title\u{07}\u{1B}[2J".terminalSafe == "evil\\e]0;title\\u{7}\\e[2J")
        #expect("a\nb\rc\td".terminalSafe == "a\\nb\\rc\\td")
        #expect("\u{9B}31m\u{7F}".terminalSafe == "\\u{9B}31m\\u{7F}")
    }

    @Test func printableTextIsUnchanged() {
        for text in ["hesitation", "café – 5 €", "日本語", "quote ' and \" and \\"] {
            #expect(text.terminalSafe == text)
        }
    }
}
