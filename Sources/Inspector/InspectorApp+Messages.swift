import Core
import Foundation
import Replayer

extension InspectorApp {
    /// Carries out one message a component posted.
    mutating func process(_ message: AppMessage) {
        switch message {
        case .step(let delta): move(delta > 0 ? .next : .previous) { [filter] in filter.shows($0) }
        case .stepTurn(let delta): move(delta > 0 ? .next : .previous) { $0.kind == .turnEnd }
        case .jumpToStart: move(.first) { [filter] in filter.shows($0) }
        case .jumpToEnd: move(.last) { [filter] in filter.shows($0) }
        case .zoom(let steps):
            viewport.zoom(by: steps, around: cursor?.time)
            if let c = cursor { viewport.reveal(c.time, margin: 0) }
        case .pan(let fraction): viewport.pan(by: fraction)
        case .switchFocus: switchFocus()
        case .open(let kind): open(kind)
        case .closePopup: popup = nil
        case .settingsChanged(let fields): settings = fields
        case .submitted(let kind, let text): submitted(kind, text)
        case .replay:
            guard comparison?.isReplay != false else { return compareModeOnly() }
            guard model.settingsNote == nil else { return status = (model.settingsNote!, true) }
            pending = .replay
            status = ("replaying with " + (overrides + retime.map { "retime " + $0 }).joined(separator: ", ") + "…", false)
            if overrides.isEmpty && retime.isEmpty { status = ("replaying as recorded (no setting changed)…", false) }
        case .leaveSplit:
            guard let comparison, comparison.isReplay else { return }
            cursors[0] = cursors[0] ?? cursors[1].flatMap { c in model.primary.nearest(to: c.time, matching: filter.shows) }
            self.comparison = nil
            focus = 0
        case .quit: shouldQuit = true
        }
    }

    enum Direction { case next, previous, first, last }

    /// Moves the focused cursor to the next/previous/first/last event that `matching` accepts.
    mutating func move(_ direction: Direction, matching: (PipelineEvent) -> Bool) {
        let timeline = focusedTimeline
        let position = cursor.map(EventPosition.init)
        let found: PipelineEvent?
        switch direction {
        case .next: found = timeline.next(after: position, matching: matching)
        case .previous: found = timeline.previous(before: position, matching: matching)
        case .first: found = timeline.next(after: nil, matching: matching)
        case .last: found = timeline.previous(before: nil, matching: matching)
        }
        guard let found else {
            status = (direction == .next || direction == .last ? "no later event" : "no earlier event", false)
            return
        }
        setCursor(found)
        viewport.reveal(found.time)
    }

    private mutating func switchFocus() {
        guard comparison != nil else { return status = ("one timeline: tab switches between the two of a split view", false) }
        let time = cursor?.time
        focus = 1 - focus
        if let time {
            cursors[focus] = focusedTimeline.nearest(to: time, matching: filter.shows)
        }
        if let c = cursor { viewport.reveal(c.time) }
    }

    private mutating func compareModeOnly() {
        status = ("comparing two archives: open one archive to edit settings and replay", true)
    }

    private mutating func open(_ kind: PopupKind) {
        switch kind {
        case .help: popup = .help(HelpPopup())
        case .settings:
            guard comparison?.isReplay != false else { return compareModeOnly() }
            if settings.isEmpty { settings = model.settings }
            popup = .settings(SettingsForm(fields: settings, retime: retime, note: model.settingsNote))
        case .prompt(let prompt):
            switch prompt {
            case .filter: popup = .prompt(PromptPopup(kind: .filter, text: filter.text))
            case .retime:
                guard comparison?.isReplay != false else { return compareModeOnly() }
                popup = .prompt(PromptPopup(kind: .retime))
            case .save:
                guard comparison?.isReplay == true else {
                    return status = ("nothing replayed yet: change a setting (e) or re-time (R) and replay (r) first", true)
                }
                popup = .prompt(PromptPopup(kind: .save, text: defaultSavePath()))
            case .wav:
                guard let c = cursor, let turn = focusedTimeline.pipelineTurn(of: c) else {
                    return status = ("no turn under the cursor", true)
                }
                popup = .prompt(PromptPopup(kind: .wav, text: defaultWAVPath(turn: turn)))
            }
        }
    }

    private mutating func submitted(_ kind: PromptKind, _ text: String) {
        switch kind {
        case .filter:
            do { try applyFilter(text) } catch { status = (InspectorModel.message(error), true) }
        case .retime:
            guard !text.isEmpty else { return }
            var check = Retiming()
            do { try check.apply(text) } catch { return status = (InspectorModel.message(error), true) }
            let key = text.split(separator: "=").first.map(String.init) ?? text
            retime.removeAll { $0.hasPrefix(key + "=") }
            retime.append(text)
            process(.replay)
        case .save:
            guard !text.isEmpty else { return }
            pending = .save(text)
            status = ("replaying with audio and writing \(text)…", false)
        case .wav:
            guard !text.isEmpty else { return }
            pending = .wav(text)
            status = ("writing \(text)…", false)
        }
    }

    /// `<archive>-replay.ctk` beside the archive, numbered if taken.
    func defaultSavePath() -> String {
        let path = model.paths[0]
        let base = path.hasSuffix(".ctk") ? String(path.dropLast(4)) : path
        var candidate = base + "-replay.ctk"
        var n = 2
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(base)-replay-\(n).ctk"
            n += 1
        }
        return candidate
    }

    /// `<archive name>-turn<N>.wav` in the current directory.
    func defaultWAVPath(turn: Int) -> String {
        let name = PathName.lastComponent(of: model.paths[min(focus, model.paths.count - 1)])
        let base = name.hasSuffix(".ctk") ? String(name.dropLast(4)) : name
        return "\(base)-turn\(turn).wav"
    }
}
