import Core
import Foundation

/// `crosstalk inspect --bench`: opens archives, draws the first screen and replays a fixed key
/// script without a terminal, reporting wall times and memory (no terminal I/O is timed).
public enum InspectorBenchmark {
    /// Runs the benchmark and returns its report.
    public static func run(paths: [String], width: Int, height: Int) throws -> String {
        func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
        let rssBefore = residentMegabytes()
        let t0 = now()
        let model = try InspectorModel(paths: paths)
        var app = try InspectorApp(model: model, width: width, height: height)
        let opened = now()
        _ = app.render()
        let firstScreen = now()
        // Interactive use decodes audio levels in the background; time keys the same way.
        model.decodeAudioInBackground(true)
        var keys: [Key] = Array(repeating: .character("j"), count: 200)
        keys += Array(repeating: .character("n"), count: 100)
        keys += [.character("+"), .character("+"), .character("+"), .character("-"), .character("-"), .character("-"), .character("-")]
        keys += Array(repeating: .character("l"), count: 20) + Array(repeating: .character("h"), count: 20)
        keys += [.character("G")] + Array(repeating: .character("N"), count: 50) + [.character("g")]
        keys += Array(repeating: .character("k"), count: 20)
        var times: [Double] = []
        var slowest: [(Double, Int, Key)] = []
        for (i, key) in keys.enumerated() {
            let start = now()
            app.handle(key)
            let handled = now()
            _ = app.render()
            times.append(now() - start)
            if ProcessInfo.processInfo.environment["CROSSTALK_BENCH_TRACE"] != nil, times.last! > 0.016 {
                print("key \(i + 1) \(name(key)): handle \(ms(handled - start)), render \(ms(now() - handled)), cursor \(app.cursor.map { "\($0.kind.rawValue) @ \($0.time)" } ?? "-")")
            }
            slowest.append((times.last!, i, key))
        }
        slowest = Array(slowest.sorted { $0.0 > $1.0 }.prefix(3))
        let waitStart = now()
        while model.levelProviders.contains(where: \.busy), now() - waitStart < 30 { usleep(2000) }
        let levelsSettled = now() - waitStart
        let rssAfterKeys = residentMegabytes()
        // Walk every turn of the session (n until the end), drawing each screen.
        app.send([.character("g")])
        var turns = 0
        var walkMax = 0.0
        let walkStart = now()
        while true {
            let before = app.cursor
            let start = now()
            app.handle(.character("n"))
            _ = app.render()
            walkMax = max(walkMax, now() - start)
            if app.cursor == before { break }
            turns += 1
        }
        let walk = now() - walkStart
        while model.levelProviders.contains(where: \.busy) { usleep(2000) }
        let sorted = times.sorted()
        let p = { (q: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
        let session = TimeText.of(model.primary.end)
        // One screen of levels at the end of the session, decoded inline by a fresh provider.
        var endLevels = "-"
        if let levels = model.levelProviders.first {
            let fresh = AudioLevels(path: levels.path, format: levels.format, frameCounts: levels.frameCounts)
            let start = now()
            _ = fresh.columnLevels(.caller, from: SimInstant(microseconds: max(0, model.primary.end.microseconds - 20_000_000)),
                                   columnMicroseconds: 200_000, columns: 100)
            endLevels = ms(now() - start)
        }
        return """
            inspect benchmark: \(paths.joined(separator: " ")) (\(session), \(width)x\(height))
              open archive(s):              \(ms(opened - t0))
              open + first screen:          \(ms(firstScreen - t0))
              keystroke → redraw (\(keys.count) keys: j×200 n×100 zoom pan G N×50 g k×20):
                p50 \(ms(p(0.5)))  p99 \(ms(p(0.99)))  max \(ms(sorted.last ?? 0))
                slowest: \(slowest.map { "\(ms($0.0)) (key \($0.1 + 1), \(name($0.2)))" }.joined(separator: ", "))
              audio levels settled after:   \(ms(levelsSettled)) (background decoding)
              levels for the last 20 s (inline, one stream): \(endLevels)
              walk every turn (n × \(turns)):   \(ms(walk)) total, slowest key \(ms(walkMax))
              memory: RSS \(fmt(rssBefore)) MB before open, \(fmt(rssAfterKeys)) MB after the key script, \
            \(fmt(residentMegabytes())) MB after walking the whole session; peak \(fmt(peakMegabytes())) MB
              held: \(model.primary.cachedCount) cached events, \(model.levelProviders.map(\.tileCount).reduce(0, +)) audio tiles
            """
    }

    private static func name(_ key: Key) -> String {
        if case .character(let c) = key { return String(c) }
        return "\(key)"
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

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
