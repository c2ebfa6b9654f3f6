import Foundation
import Testing
@testable import Inspector

/// Bad input: a corrupt archive fails with one line before the terminal is touched; a tiny
/// terminal shows a message; a terminal without colours gets a monochrome screen.
@Suite struct InspectorBadInputTests {
    @Test func aCorruptArchiveIsOneLineAndExitTwo() throws {
        let fixture = try InspectorFixture()
        let bad = fixture.path("bad.ctk")
        try Data("this is not a crosstalk archive, just text\n".utf8).write(to: URL(fileURLWithPath: bad))
        for extra in [[], ["--render"], ["--bench"]] {
            let result = try InspectorCLI.crosstalk(["inspect", bad] + extra)
            #expect(result.status == 2, "\(extra)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "one line: \(result.stderr)")
            #expect(result.stderr.contains("bad.ctk"))
            #expect(result.stderr.contains("not a Crosstalk archive"))
            #expect(result.stdout.isEmpty, "nothing drawn: \(result.stdout.debugDescription)")
        }
        let missing = try InspectorCLI.crosstalk(["inspect", fixture.path("missing.ctk")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing.ctk: no such file"))
    }

    @Test func aTruncatedArchiveIsOneLineAndExitTwo() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = fixture.path("cut.ctk")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
        let result = try InspectorCLI.crosstalk(["inspect", cut, "--render"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("cut.ctk"))
    }

    @Test func withoutATerminalItSaysToUseRender() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        let result = try InspectorCLI.crosstalk(["inspect", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--render"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aTinyTerminalShowsAMessage() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation", width: 50, height: 12)
        let text = app.render().text
        #expect(text.contains("terminal too small: 50x12"))
        #expect(text.contains("needs at least 60x16"))
        // Keys still work and nothing traps at any size down to one cell.
        app.send([.character("j"), .character("+"), .character("e"), .escape])
        for (w, h) in [(1, 1), (10, 3), (59, 40), (120, 15), (60, 16), (61, 17)] {
            app.resize(width: w, height: h)
            let screen = app.render()
            #expect(screen.width == w && screen.height == h)
        }
        app.resize(width: 120, height: 40)
        #expect(app.render().line(0).hasPrefix(" crosstalk inspect"))
        app.send([.character("q")])
        #expect(app.shouldQuit)
    }

    @Test func everyPopupFitsTheSmallestTerminal() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation", width: 60, height: 16)
        for keys in [[Key.character("?")], [.character("e")], [.character("/")], [.character("w")]] {
            app.send(keys)
            let screen = app.render()
            #expect(screen.height == 16)
            app.send([.escape])
        }
    }

    @Test func monochromeKeepsTheCursorAndAlertsVisible() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("n"), .character("n")])
        let mono = app.render().monochrome
        #expect(mono.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
        #expect(mono.text == app.render().text, "the same characters with or without colour")
        // The cursor's cell and the cut-off turn.end carry attributes, not only colour.
        #expect(mono.cells.contains { $0.style.reverse && $0.scalar == "▼" })
        #expect(mono.cells.contains { $0.style.bold && $0.style.underline && $0.scalar == "▼" })
    }
}
