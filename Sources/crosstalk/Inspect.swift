import ArgumentParser
import Core
import Foundation
import Inspector
import Recorder

/// `crosstalk inspect`: the full-screen timeline debugger, or one screen as text.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Browse a session's timeline in the terminal: lanes, cursor, metrics, settings replay.",
        discussion: """
            One archive opens its timeline; two open side by side on one time axis. Press ? for every key.
            --render prints one screen as plain text without a terminal (scripts, CI, bug reports).
            Examples:
              crosstalk inspect sessions/out/hesitation.ctk
              crosstalk inspect A.ctk B.ctk
              crosstalk inspect A.ctk --render --at 7.78 --width 120 --height 40
              crosstalk inspect A.ctk --render --set pipeline.endpointing.silence_ms=800
            """)

    @Argument(help: "One session archive (.ctk), or two to compare.")
    var archives: [String]

    @Option(name: .customLong("caller-turns"), help: ArgumentHelp(
        "QA's labels of the caller's turns (the import transcript's JSON: a `caller` list of {start, end, text} in seconds): ground truth for a live or imported session, read here, never written to an archive.",
        valueName: "labels.json"))
    var callerTurns: String?

    @Flag(help: "Print one screen as plain text and exit (no terminal needed).")
    var render = false

    @Option(help: ArgumentHelp("Put the cursor on the event nearest this time, in seconds.", valueName: "seconds"))
    var at: Double?

    @Option(help: "Screen width for --render.")
    var width = 120

    @Option(help: "Screen height for --render.")
    var height = 40

    @Option(help: ArgumentHelp("Show only these lanes or event kinds (as the / key).", valueName: "words"))
    var filter: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Replay with a changed setting and open the split view (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Re-time a stage and open the split view (repeatable).", valueName: "stage.latency=value"))
    var retime: [String] = []

    @Option(help: ArgumentHelp("Keys to press first, e.g. to reach a screen for --render (characters; newline is enter).", valueName: "keys"))
    var keys: String?

    @Flag(help: "Measure opening, the first screen and redraws (no terminal) and print the timings.")
    var bench = false

    @Flag(help: "Draw without colours (also when NO_COLOR is set).")
    var noColor = false

    func validate() throws {
        guard (1...2).contains(archives.count) else { throw ValidationError("inspect takes one archive, or two to compare") }
        guard (1...1000).contains(width), (1...1000).contains(height) else {
            throw ValidationError("--width and --height must be between 1 and 1000 (got \(width)x\(height))")
        }
        if let at, !(at.isFinite && (0...(366.0 * 86_400)).contains(at)) {
            throw ValidationError("--at must be a time in seconds from the session's start, e.g. 12.34 (got \(at))")
        }
        if archives.count == 2, !(overrides.isEmpty && retime.isEmpty) {
            throw ValidationError("--set/--retime replay one archive; give one archive")
        }
    }

    func run() throws {
        if bench {
            print(try InspectorBenchmark.run(paths: archives, width: width, height: height))
            return
        }
        // Everything that can fail on bad input happens here, before the terminal is touched.
        let model = try InspectorModel(paths: archives, callerLabels: try callerTurns.map(CallTranscript.callerLabels(path:)))
        var app = try InspectorApp(model: model, width: width, height: height)
        if let filter { try app.applyFilter(filter) }
        if !overrides.isEmpty || !retime.isEmpty { try app.replay(overrides: overrides, retime: retime) }
        if let at { app.moveCursor(to: SimInstant(microseconds: Int64((at * 1_000_000).rounded()))) }
        if let keys { app.send(Key.typed(keys)) }
        if render {
            print(app.render().text, terminator: "")
            return
        }
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw ValidationError("inspect needs a terminal; use --render to print a screen as text")
        }
        let colors = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        try InspectorRunner.run(&app, colors: colors)
    }
}
