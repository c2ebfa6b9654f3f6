import Testing
@testable import Inspector

@Suite struct ScreenTests {
    @Test func putClipsAtTheEdge() {
        var screen = Screen(width: 5, height: 1)
        screen.put("abcdefg", x: 2, y: 0)
        #expect(screen.text == "  abc\n")
    }
}
