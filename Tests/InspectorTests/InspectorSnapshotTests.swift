import Core
import Testing
@testable import Inspector

/// Whole screens (120x40) rendered into the in-memory grid and compared with reviewed snapshots.
@Suite(.serialized) struct InspectorSnapshotTests {
    @Test func cursorOnABargeIn() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("barge-in")
        app.selectFirst(.bargeIn)
        #expect(app.cursor?.kind == .bargeIn)
        let screen = app.render()
        #expect(screen.text.contains("↯ barge-in"))
        #expect(screen.text.contains("BARGE-IN"))
        try Snapshot.check(screen, named: "barge-in-cursor")
    }

    @Test func aCutOffTurn() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("n"), .character("n")])
        #expect(app.cursor?.kind == .turnEnd)
        #expect(app.cursor?.turn == 2)
        let screen = app.render()
        #expect(screen.text.contains("CUT-OFF"))
        #expect(screen.text.contains("✂"))
        try Snapshot.check(screen, named: "hesitation-cut-off")
    }

    @Test func aFilteredView() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("/")] + Key.typed("stt.final turn.end bargein") + [.enter])
        app.send([.character("j"), .character("j"), .character("j")])
        #expect(app.filter.lanes == [.stt, .turn, .alerts])
        #expect(app.cursor.map { [.sttFinal, .turnEnd, .bargeIn].contains($0.kind) } == true)
        let screen = app.render()
        #expect(!screen.text.contains(" caller "))
        try Snapshot.check(screen, named: "hesitation-filtered")
    }

    @Test func beforeAndAfterALongerSilence() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("n"), .character("n")])
        // e: settings; the second field is endpointing.silence_ms; enter edits, 800, enter accepts; r replays.
        app.send([.character("e"), .character("j"), .enter] + Key.typed("800") + [.enter])
        #expect(app.overrides == ["pipeline.endpointing.silence_ms=800"])
        app.send([.character("r")])
        let comparison = try #require(app.comparison)
        #expect(comparison.isReplay)
        #expect(comparison.diff.before.summary.cutOffs == 1)
        #expect(comparison.diff.after.summary.cutOffs == 0)
        #expect(comparison.diff.text.contains("cut-off gone"))
        let screen = app.render()
        #expect(screen.text.contains("−cut-off"))
        #expect(screen.text.contains("replay · endpointing.silence_ms=800"))
        try Snapshot.check(screen, named: "hesitation-before-after")
    }
}
