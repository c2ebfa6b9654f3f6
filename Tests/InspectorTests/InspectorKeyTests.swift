import Core
import Foundation
import Recorder
import Testing
@testable import Inspector

/// Keys fed to the pure app (no terminal): the cursor, turns, zoom, pan, popups, resize.
@Suite struct InspectorKeyTests {
    static func positions(_ events: [PipelineEvent]) -> [EventPosition] {
        events.map(EventPosition.init).sorted()
    }

    @Test func steppingVisitsEveryEventInTimeOrder() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        let expected = Self.positions(try SessionArchive(path: path).events())
        var app = try InspectorApp(model: InspectorModel(paths: [path]), width: 120, height: 40)
        var forward: [EventPosition] = app.cursor.map { [EventPosition($0)] } ?? []
        while true {
            app.send([.character("j")])
            guard let c = app.cursor, EventPosition(c) != forward.last else { break }
            forward.append(EventPosition(c))
            #expect(app.viewport.contains(c.time), "the view follows the cursor")
        }
        #expect(forward == expected)
        var backward: [EventPosition] = [forward.last!]
        while true {
            app.send([.up])
            guard let c = app.cursor, EventPosition(c) != backward.last else { break }
            backward.append(EventPosition(c))
        }
        #expect(backward == expected.reversed())
    }

    @Test func turnKeysVisitEveryTurnEnd() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("barge-in")
        let ends = Self.positions(try SessionArchive(path: path).events().filter { $0.kind == .turnEnd })
        var app = try InspectorApp(model: InspectorModel(paths: [path]), width: 120, height: 40)
        var visited: [EventPosition] = []
        for key in [Key.character("n"), .character("]"), .pageDown, .character("n"), .character("n")] {
            app.send([key])
            if let c = app.cursor, c.kind == .turnEnd, EventPosition(c) != visited.last { visited.append(EventPosition(c)) }
        }
        #expect(visited == ends)
        app.send([.character("N")])
        #expect(app.cursor.map(EventPosition.init) == ends[ends.count - 2])
        app.send([.character("[")])
        #expect(app.cursor.map(EventPosition.init) == ends[ends.count - 3])
    }

    @Test func firstAndLast() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        let expected = Self.positions(try SessionArchive(path: path).events())
        var app = try InspectorApp(model: InspectorModel(paths: [path]), width: 120, height: 40)
        app.send([.character("G")])
        #expect(app.cursor.map(EventPosition.init) == expected.last)
        #expect(app.viewport.contains(app.cursor!.time))
        app.send([.character("g")])
        #expect(app.cursor.map(EventPosition.init) == expected.first)
    }

    @Test func zoomKeepsTheCursorInView() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        let keys: [Key] = Array(repeating: .character("+"), count: 10) + Array(repeating: .character("-"), count: 10)
        for steps in [0, 17, 60, 110] {
            app.send([.character("g")] + Array(repeating: .character("j"), count: steps))
            let cursor = try #require(app.cursor)
            for key in keys {
                app.send([key])
                #expect(app.cursor == cursor, "zoom does not move the cursor")
                #expect(app.viewport.contains(cursor.time), "cursor at \(cursor.time) out of view after \(key)")
            }
        }
        // Even after panning the cursor off screen, zooming brings it back.
        app.send(Array(repeating: .character("+"), count: 6) + [.character("L"), .character("L"), .character("L")])
        #expect(!app.viewport.contains(app.cursor!.time))
        app.send([.character("+")])
        #expect(app.viewport.contains(app.cursor!.time))
    }

    @Test func zoomLevelsAndPanning() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        let start = app.viewport.columnMicroseconds
        app.send([.character("+")])
        #expect(app.viewport.columnMicroseconds < start)
        app.send([.character("-"), .character("-")])
        #expect(app.viewport.columnMicroseconds > start)
        app.send([.character("+"), .character("+"), .character("+")])
        let left = app.viewport.start
        app.send([.character("l")])
        #expect(app.viewport.start > left)
        app.send([.character("h"), .character("h")])
        #expect(app.viewport.start <= left)
        #expect(app.viewport.start >= 0)
    }

    @Test func filterLimitsTheCursorToShownKinds() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("/")] + Key.typed("turn.end bargein") + [.enter])
        var seen: Set<EventKind> = []
        for _ in 0..<12 {
            app.send([.character("j")])
            if let c = app.cursor { seen.insert(c.kind) }
        }
        #expect(seen == [.turnEnd, .bargeIn])
        app.send([.character("/")] + Key.typed("nonsense") + [.enter])
        #expect(app.status?.isError == true)
        #expect(app.status?.text.contains("nonsense") == true)
        app.send([.character("/")] + Array(repeating: .backspace, count: 30) + [.enter])
        #expect(app.filter.isEmpty)
    }

    @Test func popupsCloseWithQOrEscapeBeforeQuitting() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("?")])
        #expect(app.render().text.contains("keys · esc or q closes"))
        app.send([.character("q")])
        #expect(!app.shouldQuit)
        #expect(!app.render().text.contains("keys · esc or q closes"))
        app.send([.character("e")])
        #expect(app.render().text.contains("endpointing.silence_ms"))
        app.send([.escape])
        #expect(!app.render().text.contains("endpointing.silence_ms   500"))
        app.send([.character("q")])
        #expect(app.shouldQuit)
    }

    @Test func escapeLeavesTheSplitView() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("R")] + Key.typed("llm.ttft_ms=-50") + [.enter])
        #expect(app.comparison?.isReplay == true)
        #expect(app.retime == ["llm.ttft_ms=-50"])
        app.send([.tab])
        #expect(app.focus == 0)
        app.send([.escape])
        #expect(app.comparison == nil)
        #expect(!app.shouldQuit)
    }

    @Test func resizeRedrawsAtTheNewSize() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("hesitation")
        app.send([.character("n")])
        app.resize(width: 80, height: 24)
        let screen = app.render()
        #expect(screen.width == 80 && screen.height == 24)
        #expect(screen.line(0).hasPrefix(" crosstalk inspect"))
        #expect(app.viewport.columns == 80 - TimelineView.labelWidth)
        #expect(app.viewport.contains(app.cursor!.time))
    }
}

/// The keys that write files: `w` (the turn's audio as WAV) and `s` (the replay as an archive).
@Suite struct InspectorOutputTests {
    @Test func wWritesTheTurnsAudio() throws {
        let fixture = try InspectorFixture()
        var app = try fixture.app("barge-in")
        app.selectFirst(.bargeIn)
        let wav = fixture.path("turn.wav")
        app.send([.character("w")] + Array(repeating: .backspace, count: 40) + Key.typed(wav + "\n"))
        let status = try #require(app.status)
        #expect(!status.isError, "\(status.text)")
        #expect(status.text.contains("wrote \(wav): turn 1"))
        let data = try Data(contentsOf: URL(fileURLWithPath: wav))
        #expect(data.count > 44 + 16000 * 4, "more than a second of stereo audio")
        #expect(data.prefix(4) == Data("RIFF".utf8))
    }

    @Test func sSavesTheReplayWithItsParent() throws {
        let fixture = try InspectorFixture()
        let path = try fixture.archive("hesitation")
        var app = try InspectorApp(model: InspectorModel(paths: [path]), width: 120, height: 40)
        app.send([.character("s")])
        #expect(app.status?.isError == true, "nothing to save before a replay")
        app.send([.character("e"), .character("j"), .enter] + Key.typed("800\n") + [.character("r")])
        app.send([.character("s")])
        app.send([.enter])
        let status = try #require(app.status)
        #expect(!status.isError, "\(status.text)")
        let saved = fixture.path("hesitation-replay.ctk")
        #expect(status.text.contains("wrote \(saved)"))
        let archive = try SessionArchive(path: saved)
        let parent = try SessionArchive(path: path)
        #expect(archive.meta["parent_session_id"] == parent.meta["session_id"])
        #expect(archive.meta["source"] == "replay")
    }
}
