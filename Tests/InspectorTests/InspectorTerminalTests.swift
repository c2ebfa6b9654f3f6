import Foundation
import Testing
@testable import Inspector

/// `crosstalk inspect` in a real terminal: tmux runs it in a 120x40 pane, keys go in with
/// send-keys and the screen comes back with capture-pane.
@Suite(.serialized) struct InspectorTerminalTests {
    @Test(.enabled(if: InspectorCLI.tmux != nil, "tmux is not installed: skipping the real-terminal test (make deps installs it)"))
    func openStepEditReplayQuit() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        let pane = try TmuxPane(command: "\(InspectorCLI.binary) inspect \(path)")
        defer { pane.close() }
        // Wait for the whole first screen: on a busy machine a capture can land mid-paint, with the
        // timeline drawn and the panes below it not yet.
        var screen = try pane.waitFor("the first screen") {
            $0.contains("crosstalk inspect") && $0.contains("turn.end") && $0.contains("event #0 ·")
        }
        #expect(screen.contains("hesitation.ctk"))
        #expect(screen.contains("event #0 · caller.speech_start"))

        try pane.send("j", "j")
        screen = try pane.waitFor("the cursor on event #2") { $0.contains("event #2 ·") }

        try pane.send("e")
        screen = try pane.waitFor("the settings form") { $0.contains("endpointing.silence_ms   500") }
        try pane.send("j", "Enter", "8", "0", "0", "Enter")
        screen = try pane.waitFor("silence_ms edited to 800") { $0.contains("800  (was 500)") }

        try pane.send("r")
        screen = try pane.waitFor("the before/after split") {
            $0.contains("replay · endpointing.silence_ms=800") && $0.contains("verdict:") && $0.contains("cut-off gone")
        }
        #expect(screen.contains("recorded · hesitation.ctk"))
        #expect(screen.contains("cut-offs 1"))
        #expect(screen.contains("cut-offs 0"))
        #expect(screen.contains("cut-off gone"))

        try pane.send("q")
        #expect(try pane.exitStatus() == 0, "inspect exits 0 on q")
    }

    @Test(.enabled(if: InspectorCLI.tmux != nil, "tmux is not installed: skipping the real-terminal test (make deps installs it)"))
    func aResizeRedraws() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("barge-in")
        let pane = try TmuxPane(command: "\(InspectorCLI.binary) inspect \(path)")
        defer { pane.close() }
        try pane.waitFor("the first screen") { $0.contains("crosstalk inspect") }
        try pane.tmuxCommand(["resize-window", "-x", "50", "-y", "12"])
        try pane.waitFor("the too-small message") { $0.contains("terminal too small: 50x12") }
        try pane.tmuxCommand(["resize-window", "-x", "100", "-y", "30"])
        let screen = try pane.waitFor("the screen at 100x30") { $0.contains("crosstalk inspect") && $0.contains("turn.end") }
        #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 100 })
        try pane.send("q")
    }

    @Test(.enabled(if: InspectorCLI.tmux != nil, "tmux is not installed: skipping the real-terminal test (make deps installs it)"))
    func aTerminalWithoutColoursGetsMonochrome() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        for (command, env) in [("\(InspectorCLI.binary) inspect \(path)", ["TERM": "vt220"]),
                               ("\(InspectorCLI.binary) inspect --no-color \(path)", [:])] {
            let pane = try TmuxPane(command: command, environment: env)
            defer { pane.close() }
            try pane.waitFor("the first screen") { $0.contains("crosstalk inspect") && $0.contains("turn.end") }
            let escapes = try pane.capture(escapes: true)
            let colour = try Regex(#"\e\[[0-9;]*(3[0-7]|38;|9[0-7])[0-9;]*m"#)
            #expect(escapes.firstMatch(of: colour) == nil, "no colour sequences with \(command) \(env)")
            #expect(escapes.contains("\u{1B}["), "attributes (bold, reverse) still drawn")
            try pane.send("q")
        }
    }
}
