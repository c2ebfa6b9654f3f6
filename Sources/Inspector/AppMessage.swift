/// What a component asks the app to do. Components never call each other: they post messages to
/// the queue the app drains after every key (gitui's `Queue`).
enum AppMessage: Equatable {
    /// Move the cursor by events (±1) in the focused timeline.
    case step(Int)
    /// Move the cursor to the next (+1) or previous (-1) `turn.end`.
    case stepTurn(Int)
    /// First or last event.
    case jumpToStart, jumpToEnd
    /// Zoom in (-1) or out (+1) around the cursor.
    case zoom(Int)
    /// Move the view by a fraction of its width.
    case pan(Double)
    /// Focus the other timeline of a split view.
    case switchFocus
    /// Open a popup.
    case open(PopupKind)
    /// Close the open popup.
    case closePopup
    /// The settings form changed a value.
    case settingsChanged([SettingField])
    /// A prompt was submitted.
    case submitted(PromptKind, String)
    /// Replay with the edited settings.
    case replay
    /// Leave the split view.
    case leaveSplit
    /// Quit.
    case quit
}

/// The popups.
enum PopupKind: Equatable {
    case help, settings
    case prompt(PromptKind)
}

/// What a one-line prompt asks for.
enum PromptKind: Equatable {
    case filter, retime, save, wav

    var title: String {
        switch self {
        case .filter: return "filter: lanes or event kinds (e.g. stt llm turn.end bargein); empty shows all"
        case .retime: return "re-time a stage and replay (e.g. llm.ttft_ms=-200, tts.ttfb_ms=*0.5)"
        case .save: return "save the replayed session as a new archive"
        case .wav: return "write the turn's audio (caller left, bot right) to"
        }
    }
}

/// The queue components post to.
struct MessageQueue {
    private(set) var messages: [AppMessage] = []

    mutating func post(_ message: AppMessage) { messages.append(message) }

    /// Takes every message posted so far.
    mutating func drain() -> [AppMessage] {
        defer { messages.removeAll() }
        return messages
    }
}

/// Something that takes keys: returns whether it used the key, posting what should happen.
protocol KeyHandling {
    mutating func handle(_ key: Key, queue: inout MessageQueue) -> Bool
}

/// The timeline's keys: termshark/lazygit conventions.
struct NavigationKeys: KeyHandling {
    mutating func handle(_ key: Key, queue: inout MessageQueue) -> Bool {
        let message: AppMessage
        switch key {
        case .character("j"), .down: message = .step(1)
        case .character("k"), .up: message = .step(-1)
        case .character("n"), .character("]"), .pageDown: message = .stepTurn(1)
        case .character("N"), .character("["), .pageUp: message = .stepTurn(-1)
        case .character("g"), .home: message = .jumpToStart
        case .character("G"), .end: message = .jumpToEnd
        case .character("+"), .character("="): message = .zoom(-1)
        case .character("-"), .character("_"): message = .zoom(1)
        case .character("h"), .left: message = .pan(-0.25)
        case .character("l"), .right: message = .pan(0.25)
        case .character("H"): message = .pan(-1)
        case .character("L"): message = .pan(1)
        case .tab, .backTab: message = .switchFocus
        default: return false
        }
        queue.post(message)
        return true
    }
}
