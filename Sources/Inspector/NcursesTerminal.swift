import CNcurses
import Foundation

/// What the terminal reported.
public enum TerminalInput: Equatable {
    /// A key.
    case key(Key)
    /// The window changed size.
    case resize
    /// Nothing within the poll interval.
    case timeout
}

/// The only code that touches ncurses: copies a `Screen` to the terminal and reads keys.
/// Owns the curses session: `close()` (or deinit) restores the terminal.
public final class NcursesTerminal {
    /// Whether colours are drawn (asked for, and the terminal has them).
    public let colors: Bool
    private var last: Screen?
    private var open = true

    /// Starts curses (raw keys, no echo, keypad, hidden cursor); polls keys every `pollMilliseconds`.
    public init(colors wanted: Bool, pollMilliseconds: Int32 = 50) {
        cncurses_set_locale()
        cncurses_start(pollMilliseconds)
        raw()
        colors = wanted && has_colors()
        if colors {
            start_color()
            use_default_colors()
            for color in TerminalColor.allCases {
                init_pair(Int16(color.rawValue + 1), Int16(color.rawValue), -1)
            }
        }
    }

    deinit { close() }

    /// Restores the terminal.
    public func close() {
        guard open else { return }
        open = false
        endwin()
    }

    /// Terminal size in cells.
    public var size: (width: Int, height: Int) { (Int(cncurses_cols()), Int(cncurses_rows())) }

    /// Draws `screen`, sending only cells that changed since the last frame.
    public func draw(_ screen: Screen) {
        let full = last.map { $0.width != screen.width || $0.height != screen.height } ?? true
        if full { erase() }
        for y in 0..<screen.height {
            for x in 0..<screen.width {
                let cell = screen[x, y]
                if !full, let last, last[x, y] == cell { continue }
                // The bottom-right cell would scroll some terminals; ncurses handles it with insert mode.
                _ = cncurses_put(Int32(y), Int32(x), cell.scalar.value, attributes(cell.style), pair(cell.style))
            }
        }
        refresh()
        last = screen
    }

    /// Forgets what is on screen so the next `draw` repaints everything.
    public func invalidate() { last = nil }

    private func attributes(_ style: TextStyle) -> attr_t {
        var a = cncurses_a_normal()
        if style.bold { a |= cncurses_a_bold() }
        if style.dim { a |= cncurses_a_dim() }
        if style.reverse { a |= cncurses_a_reverse() }
        if style.underline { a |= cncurses_a_underline() }
        return a
    }

    private func pair(_ style: TextStyle) -> Int16 {
        guard colors, let color = style.foreground else { return 0 }
        return Int16(color.rawValue + 1)
    }

    /// Waits up to the poll interval for a key or a resize.
    public func read() -> TerminalInput {
        var value: UInt32 = 0
        let rc = cncurses_get_key(&value)
        if rc == cncurses_err() { return .timeout }
        if rc == cncurses_key_code_yes() {
            if Int32(value) == cncurses_key_resize() { return .resize }
            return Self.functionKey(Int32(value)).map(TerminalInput.key) ?? .timeout
        }
        switch value {
        case 3: return .key(.interrupt)
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return .timeout }
            return .key(.character(Character(scalar)))
        }
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default: return nil
        }
    }
}

/// The interactive loop: keys and resizes in, screens out.
public enum InspectorRunner {
    /// Runs `app` on the terminal until it quits.
    public static func run(_ app: inout InspectorApp, colors: Bool) throws {
        let terminal = NcursesTerminal(colors: colors)
        defer { terminal.close() }
        app.model.decodeAudioInBackground(true)
        defer { app.model.decodeAudioInBackground(false) }
        let size = terminal.size
        app.resize(width: size.width, height: size.height)
        var generation = levelGeneration(app)
        terminal.draw(app.render())
        while !app.shouldQuit {
            switch terminal.read() {
            case .key(let key):
                app.handle(key)
                terminal.draw(app.render())
                if app.hasPendingWork {
                    app.performPendingWork()
                    terminal.draw(app.render())
                }
            case .resize:
                let size = terminal.size
                app.resize(width: size.width, height: size.height)
                terminal.invalidate()
                terminal.draw(app.render())
            case .timeout:
                // Audio levels decoded in the background have landed: draw them.
                let now = levelGeneration(app)
                if now != generation {
                    generation = now
                    terminal.draw(app.render())
                }
            }
        }
    }

    private static func levelGeneration(_ app: InspectorApp) -> Int {
        app.model.levelProviders.reduce(0) { $0 + $1.generation }
    }
}
