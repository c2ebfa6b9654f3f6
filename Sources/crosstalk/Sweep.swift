import ArgumentParser
import Core
import Foundation
import Recorder
import Replayer

/// `crosstalk sweep`: replay archives at every point of a parameter grid and compare the points.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay archives at every point of a parameter grid and report each point's turn-taking metrics.",
        discussion: """
            Each --param is KEY=START:STOP:STEP (inclusive, integers or decimals) or KEY=v1,v2,…; several \
            give their cartesian product (the first --param varies slowest). Every archive is replayed at \
            every point (counterfactual replay, on the fast path when the change cannot alter what the \
            microphone heard) and the turns of all archives are pooled per point: caller turns, false \
            cut-off rate (caller turns with a cut-off / caller turns that got a turn.end), endpoint delay \
            p50/p90 (turns not cut off), voice-to-voice p50/p90, barge-ins and reaction p50, \
            self-interruptions, unanswered caller turns. Then the livekit/eot-bench headline: latency \
            (median endpoint delay) at 5% and 10% false cut-off rate, false cut-off rate at 300 and 600 ms, \
            and the Pareto front.
            Work item k is archive k % ARCHIVES at point k / ARCHIVES; --shard i/n (0-based) runs the items \
            with k % n == i and writes a partial --json; `crosstalk merge` combines the parts.
            Example: crosstalk sweep a.ctk b.ctk --param pipeline.endpointing.silence_ms=300:1200:100 --plot sweep.svg
            """)

    @Argument(help: "Session archives (.ctk) to replay.")
    var archives: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "A swept setting: KEY=START:STOP:STEP or KEY=v1,v2,… (repeatable).", valueName: "key=range|list"))
    var params: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Change a setting at every point (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("retime"), help: ArgumentHelp("Re-time a stage at every point, e.g. tts.ttfb_ms=+100 or llm.ttft_ms=*0.5 (repeatable).", valueName: "stage.latency=value"))
    var retime: [String] = []

    @Option(help: "Worker threads (default: the number of cores).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only work items k with k % n == i (0 ≤ i < n) and write a partial --json for `crosstalk merge`.", valueName: "i/n"))
    var shard: String?

    @Option(name: .customLong("caller-turns"), help: ArgumentHelp(
        "QA's labels of an archive's caller turns (the import transcript's JSON), one per archive in their order (repeatable): the ground truth of its samples.",
        valueName: "labels.json"))
    var callerTurns: [String] = []

    @OptionGroup var outputs: SweepOutputs

    func validate() throws {
        guard !archives.isEmpty else { throw ValidationError("give at least one archive (.ctk)") }
        guard !params.isEmpty else { throw ValidationError("give at least one --param KEY=START:STOP:STEP or KEY=v1,v2,…") }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be 1 or more") }
        if shard != nil {
            guard outputs.json != nil else { throw ValidationError("--shard writes a partial result: give --json FILE") }
            guard outputs.csv == nil, outputs.plot == nil else {
                throw ValidationError("--csv and --plot need the whole sweep: give them to `crosstalk merge`")
            }
        }
    }

    func run() throws {
        let grid = try SweepGrid(specs: params)
        let shard = try self.shard.map(SweepShard.init(parsing:))
        try outputs.checkWritable(inputs: archives)
        var runner = SweepRunner(archives: archives, grid: grid, overrides: overrides, retime: retime, jobs: jobs ?? SweepRunner.defaultJobs, shard: shard)
        if !callerTurns.isEmpty {
            guard callerTurns.count == archives.count else {
                throw ValidationError("--caller-turns: give one labels file per archive, in their order (\(archives.count) archives, \(callerTurns.count) labels files)")
            }
            runner.callerLabels = try callerTurns.map(CallTranscript.callerLabels(path:))
        }
        let bar = stderrIsTerminal ? ProgressBar(label: "sweep") : nil
        var progress: (@Sendable (Int, Int) -> Void)?
        if let bar { progress = { done, total in bar.update(done, total) } }
        runner.endOfTurnScoreUsage = { reused, computed in
            guard reused + computed > 0 else { return }
            StandardStream.error.write("end-of-turn scores: \(reused) reused, \(computed) computed by the model\n")
        }
        let result = try runner.run(progress: progress)
        bar?.clear()
        if let shard {
            try outputs.write(result)
            let count = result.samples.filter { $0 != nil }.count
            print("shard \(shard): \(count) of \(result.workItemCount) work items")
            return
        }
        print(result.table(), terminator: "")
        try outputs.write(result)
    }
}

/// The output files of `sweep` and `merge`.
struct SweepOutputs: ParsableArguments {
    @Option(help: ArgumentHelp("Write one CSV row per grid point.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Write the result as canonical JSON (with the raw per-archive figures; the merge format).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write an SVG plot: false cut-off rate vs latency, Pareto front highlighted.", valueName: "file"))
    var plot: String?

    @Flag(help: "Overwrite existing output files.")
    var force = false

    private var paths: [String] { [csv, json, plot].compactMap { $0 } }

    /// Refuses existing outputs (without --force), non-regular files, inputs and one path given
    /// twice, before any work.
    func checkWritable(inputs: [String]) throws {
        guard Set(paths).count == paths.count else { throw ValidationError("--csv, --json and --plot must name different files") }
        for (i, path) in paths.enumerated() {
            try OutputFile.check(path, overwrite: force, inputs: inputs, otherOutputs: paths.enumerated().filter { $0.offset != i }.map(\.element))
        }
    }

    /// Writes the requested files (CSV and plot only for a complete result) and says so.
    func write(_ result: SweepResult) throws {
        if let json { try save(result.json.canonicalText + "\n", to: json) }
        if let csv { try save(result.csv(), to: csv) }
        if let plot { try save(SweepPlot(result: result).svg(), to: plot) }
    }

    /// Writes through a temporary file renamed into place (OutputFile): a full disk leaves no
    /// 0-byte file that would block the retry.
    private func save(_ text: String, to path: String) throws {
        try OutputFile.write(Data(text.utf8), to: path, overwrite: force)
        print("wrote \(path)")
    }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second (called from any thread).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private let started = Date()
    private var lastDraw = Date.distantPast

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let width = 30
        let filled = total > 0 ? done * width / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let elapsed = Int(now.timeIntervalSince(started))
        StandardStream.error.write("\r\(label) [\(bar)] \(done)/\(total) work items, \(elapsed / 60):\(String(format: "%02d", elapsed % 60))")
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        StandardStream.error.write("\r\u{1B}[K")
    }
}
