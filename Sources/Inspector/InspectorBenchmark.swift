import Core
import Foundation

/// `crosstalk inspect --bench`: opens archives, draws the first screen and replays a fixed key
/// script without a terminal, reporting wall times and memory (no terminal I/O is timed).
public enum InspectorBenchmark {
    /// The key script: steps, turns, zoom, pan, both ends.
    static let script: [Key] = Array(repeating: .character("j"), count: 200) + Array(repeating: .character("n"), count: 100)
        + [.character("+"), .character("+"), .character("+"), .character("-"), .character("-"), .character("-"), .character("-")]
        + Array(repeating: .character("l"), count: 20) + Array(repeating: .character("h"), count: 20)
        + [.character("G")] + Array(repeating: .character("N"), count: 50) + [.character("g")]
        + Array(repeating: .character("k"), count: 20)

    /// Runs the benchmark and returns its report.
    public static func run(paths: [String], width: Int, height: Int) throws -> String {
        let rssBefore = residentMegabytes()
        let t0 = now()
        let model = try InspectorModel(paths: paths)
        var app = try InspectorApp(model: model, width: width, height: height)
        let opened = now()
        _ = app.render()
        let firstScreen = now()
        // Interactive use decodes audio levels in the background; time keys the same way.
        model.decodeAudioInBackground(true)
        let keys = timeKeys(&app)
        let waitStart = now()
        while model.levelProviders.contains(where: \.busy), now() - waitStart < 30 { usleep(2000) }
        let levelsSettled = now() - waitStart
        let rssAfterKeys = residentMegabytes()
        let walk = walkEveryTurn(&app)
        while model.levelProviders.contains(where: \.busy) { usleep(2000) }
        let sorted = keys.times.sorted()
        let p = { (q: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let slowest = keys.slowest.map { "\(ms($0.time)) (key \($0.index + 1), \(name($0.key)))" }.joined(separator: ", ")
        return """
            inspect benchmark: \(paths.joined(separator: " ")) (\(TimeText.of(model.primary.end)), \(width)x\(height))
              open archive(s):              \(ms(opened - t0))
              open + first screen:          \(ms(firstScreen - t0))
              keystroke → redraw (\(script.count) keys: j×200 n×100 zoom pan G N×50 g k×20):
                p50 \(ms(p(0.5)))  p99 \(ms(p(0.99)))  max \(ms(sorted.last ?? 0))
                slowest: \(slowest)
              audio levels settled after:   \(ms(levelsSettled)) (background decoding)
              levels for the last 20 s (inline, one stream): \(endLevels(model))
              walk every turn (n × \(walk.turns)):   \(ms(walk.total)) total, slowest key \(ms(walk.slowest))
              memory: RSS \(mb(rssBefore)) MB before open, \(mb(rssAfterKeys)) MB after the key script, \
            \(mb(residentMegabytes())) MB after walking the whole session; peak \(mb(peakMegabytes())) MB
              held: \(model.primary.cachedCount) cached events, \(model.levelProviders.map(\.tileCount).reduce(0, +)) audio tiles
            """
    }

    /// Times each key of `script` from `handle` to a rendered grid.
    private static func timeKeys(_ app: inout InspectorApp) -> (times: [Double], slowest: [(time: Double, index: Int, key: Key)]) {
        var times: [Double] = []
        let trace = ProcessInfo.processInfo.environment["CROSSTALK_BENCH_TRACE"] != nil
        for key in script {
            let start = now()
            app.handle(key)
            let handled = now()
            _ = app.render()
            times.append(now() - start)
            if trace, times.last! > 0.016 {
                print("key \(times.count) \(name(key)): handle \(ms(handled - start)), render \(ms(now() - handled))")
            }
        }
        let slowest = times.enumerated().sorted { $0.element > $1.element }.prefix(3).map { ($0.element, $0.offset, script[$0.offset]) }
        return (times, slowest)
    }

    /// Presses `n` from the first event until the cursor stops, drawing every screen.
    private static func walkEveryTurn(_ app: inout InspectorApp) -> (turns: Int, total: Double, slowest: Double) {
        app.send([.character("g")])
        var turns = 0, slowest = 0.0
        let start = now()
        while true {
            let before = app.cursor
            let t = now()
            app.handle(.character("n"))
            _ = app.render()
            slowest = max(slowest, now() - t)
            if app.cursor == before { break }
            turns += 1
        }
        return (turns, now() - start, slowest)
    }

    /// One screen of caller levels at the end of the session, decoded inline by a fresh provider.
    private static func endLevels(_ model: InspectorModel) -> String {
        guard let levels = model.levelProviders.first else { return "-" }
        let fresh = AudioLevels(path: levels.path, format: levels.format, frameCounts: levels.frameCounts)
        let start = now()
        _ = fresh.columnLevels(.caller, from: SimInstant(microseconds: max(0, model.primary.end.microseconds - 20_000_000)),
                               columnMicroseconds: 200_000, columns: 100)
        return ms(now() - start)
    }

    private static func name(_ key: Key) -> String {
        if case .character(let c) = key { return String(c) }
        return "\(key)"
    }

    private static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
    private static func mb(_ v: Double) -> String { String(format: "%.1f", v) }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Current resident set size (from /proc/self/statm).
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// Peak resident set size.
    static func peakMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
