import Core
import Foundation

/// The inspector as a state machine with no terminal: fed keys and sizes, it updates its state and
/// renders the whole UI into a `Screen`. The ncurses adapter and the tests drive it the same way.
public struct InspectorApp {
    /// The narrowest terminal the layout works in.
    public static let minimumWidth = 60
    /// The shortest terminal the layout works in.
    public static let minimumHeight = 16

    /// Work that takes a while (a replay, writing files): done after the screen shows it is coming.
    enum PendingWork { case replay, save(String), wav(String) }

    enum Popup {
        case help(HelpPopup)
        case settings(SettingsForm)
        case prompt(PromptPopup)
    }

    /// The sessions.
    public let model: InspectorModel
    /// Terminal width.
    public internal(set) var width: Int
    /// Terminal height.
    public internal(set) var height: Int
    /// The visible time span.
    public internal(set) var viewport: Viewport
    /// Lanes and kinds shown.
    public internal(set) var filter = EventFilter()
    /// The split view, when comparing.
    public internal(set) var comparison: Comparison?
    /// Which timeline the cursor keys move (0 upper, 1 lower).
    public internal(set) var focus = 0
    /// Whether `q` asked to quit.
    public internal(set) var shouldQuit = false
    /// The settings as edited (read from the archive when the form first opens).
    public internal(set) var settings: [SettingField]
    /// `--retime` items added with `R`.
    public internal(set) var retime: [String] = []
    /// A one-line message for the status bar (cleared by the next key).
    public internal(set) var status: (text: String, isError: Bool)?

    var cursors: [PipelineEvent?] = [nil, nil]
    var popup: Popup?
    var pending: PendingWork?
    private var queue = MessageQueue()
    private var navigation = NavigationKeys()

    /// An app over `model` in a `width` × `height` terminal, the cursor on the first event.
    /// With two archives it opens in the split view.
    public init(model: InspectorModel, width: Int, height: Int) throws {
        self.model = model
        self.width = width
        self.height = height
        settings = []
        let end = model.primary.end
        viewport = Viewport(columns: max(1, width - TimelineView.labelWidth), end: max(end, model.second?.end ?? .zero),
                            fit: SimDuration(microseconds: min(max(end.microseconds, 1), 20_000_000)))
        comparison = try model.archiveComparison()
        cursors[0] = model.primary.next(after: nil, matching: filter.shows)
        if let comparison { cursors[1] = comparison.after.next(after: nil, matching: filter.shows) }
    }

    /// The timelines on screen (one, or two in the split view).
    public var timelines: [Timeline] { comparison.map { [$0.before, $0.after] } ?? [model.primary] }

    /// The focused timeline.
    public var focusedTimeline: Timeline { timelines[min(focus, timelines.count - 1)] }

    /// The event under the cursor of the focused timeline.
    public var cursor: PipelineEvent? { cursors[min(focus, timelines.count - 1)] }

    /// Whether slow work is waiting for `performPendingWork()`.
    public var hasPendingWork: Bool { pending != nil }

    /// Handles one key. Slow work it starts waits in `hasPendingWork` so a runner can draw first.
    public mutating func handle(_ key: Key) {
        status = nil
        if key == .interrupt {
            shouldQuit = true
            return
        }
        if !dispatchToPopup(key), !handleGlobal(key) {
            _ = navigation.handle(key, queue: &queue)
        }
        for message in queue.drain() { process(message) }
    }

    /// Handles `keys` in order, doing any slow work each starts at once (tests and scripts).
    public mutating func send(_ keys: [Key]) {
        for key in keys {
            handle(key)
            performPendingWork()
        }
    }

    /// Adapts to a new terminal size.
    public mutating func resize(width: Int, height: Int) {
        self.width = width
        self.height = height
        viewport.resize(columns: max(1, width - TimelineView.labelWidth))
        if let c = cursor { viewport.reveal(c.time) }
    }

    /// Puts the cursor on the shown event nearest `time`, centred.
    public mutating func moveCursor(to time: SimInstant) {
        guard let event = focusedTimeline.nearest(to: time, matching: filter.shows) else { return }
        setCursor(event)
        viewport.center(on: event.time)
    }

    /// Puts the cursor on the first event of `kind` (if any), centred.
    public mutating func selectFirst(_ kind: EventKind) {
        guard let event = focusedTimeline.next(after: nil, matching: { $0.kind == kind }) else { return }
        setCursor(event)
        viewport.center(on: event.time)
    }

    /// Shows only the lanes and kinds `text` names (see `EventFilter`).
    public mutating func applyFilter(_ text: String) throws {
        filter = try EventFilter(text)
        for i in timelines.indices {
            if let c = cursors[i], !filter.shows(c) {
                cursors[i] = timelines[i].nearest(to: c.time, matching: filter.shows)
            }
        }
        if let c = cursor { viewport.reveal(c.time) }
    }

    /// Replays in process with `overrides` (`pipeline.…=value`) and `retime` and opens the split view.
    public mutating func replay(overrides: [String], retime: [String]) throws {
        let result = try model.replay(overrides: overrides, retime: retime)
        let time = cursor?.time
        comparison = result
        focus = 1
        cursors[0] = time.flatMap { result.before.nearest(to: $0, matching: filter.shows) }
        cursors[1] = time.flatMap { result.after.nearest(to: $0, matching: filter.shows) }
            ?? result.after.next(after: nil, matching: filter.shows)
        status = ("replayed: " + result.diff.verdict, false)
    }

    /// The `--set` items the edited settings amount to.
    public var overrides: [String] { settings.filter(\.changed).map(\.override) }

    /// Does the slow work the last key started (replay, save, WAV).
    public mutating func performPendingWork() {
        guard let work = pending else { return }
        pending = nil
        do {
            switch work {
            case .replay:
                try replay(overrides: overrides, retime: retime)
            case .save(let path):
                status = (try model.save(to: path, overrides: overrides, retime: retime), false)
            case .wav(let path):
                guard let c = cursor, let turn = focusedTimeline.pipelineTurn(of: c) else {
                    throw FilterError(message: "no turn under the cursor")
                }
                status = (try model.writeWAV(turn: turn, of: focusedTimeline, near: c.time, to: path), false)
            }
        } catch {
            status = (InspectorModel.message(error), true)
        }
    }

    /// Moves the focused cursor; in a split view the other timeline's cursor follows to the same time.
    mutating func setCursor(_ event: PipelineEvent?) {
        guard let event else { return }
        let lines = timelines
        let focused = min(focus, lines.count - 1)
        cursors[focused] = event
        if lines.count == 2 {
            cursors[1 - focused] = lines[1 - focused].nearest(to: event.time, matching: filter.shows)
        }
    }

    private mutating func dispatchToPopup(_ key: Key) -> Bool {
        switch popup {
        case .help(var p): _ = p.handle(key, queue: &queue); popup = .help(p)
        case .settings(var p): _ = p.handle(key, queue: &queue); popup = .settings(p)
        case .prompt(var p): _ = p.handle(key, queue: &queue); popup = .prompt(p)
        case nil: return false
        }
        // A popup that posted its own close is replaced only by what it asked for.
        return true
    }

    /// Keys that work anywhere outside a popup.
    private mutating func handleGlobal(_ key: Key) -> Bool {
        switch key {
        case .character("q"): queue.post(.quit)
        case .escape: queue.post(.leaveSplit)
        case .character("?"): queue.post(.open(.help))
        case .character("/"): queue.post(.open(.prompt(.filter)))
        case .character("e"): queue.post(.open(.settings))
        case .character("r"): queue.post(.replay)
        case .character("R"): queue.post(.open(.prompt(.retime)))
        case .character("s"): queue.post(.open(.prompt(.save)))
        case .character("w"): queue.post(.open(.prompt(.wav)))
        default: return false
        }
        return true
    }
}
