import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk report`: the per-turn table from an archive alone.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the per-turn metrics of a recorded session.")

    @Argument(help: "Session archive (.ctk).")
    var archive: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .customLong("caller-turns"), help: ArgumentHelp(
        "QA's labels of the caller's turns (the import transcript's JSON: a `caller` list of {start, end, text} in seconds): ground truth for a live or imported session, read here, never written to the archive.",
        valueName: "labels.json"))
    var callerTurns: String?

    @Option(name: .customLong("resume-within-ms"), help: "Probable cut-off hint (sessions without caller labels): the caller speaks again within this long after turn.end.")
    var resumeWithinMs: Int64 = CutOffHint.standard.resumeWithinMs

    @Option(name: .customLong("interrupt-within-ms"), help: "Probable cut-off hint: … and before the reply or within this long after its play.start.")
    var interruptWithinMs: Int64 = CutOffHint.standard.interruptWithinMs

    func validate() throws {
        guard (0...600_000).contains(resumeWithinMs), (0...600_000).contains(interruptWithinMs) else {
            throw ValidationError("--resume-within-ms and --interrupt-within-ms must be 0…600000")
        }
    }

    func run() throws {
        let session = try SessionArchive(path: archive)
        // One pass through a cursor: the metrics keep the few events they read, the hash sees every one.
        // Labels replace any recorded ground truth; they enter the stream at their times.
        var accumulator = SessionMetrics.Accumulator(labels: try callerTurns.map(CallTranscript.callerLabels(path:)))
        var hasher = FNV1a64()
        try session.forEachEvent { event in
            if !json { hasher.combine(event.canonicalLine) }
            accumulator.add(event)
        }
        let metrics = accumulator.metrics(hint: CutOffHint(resumeWithinMs: resumeWithinMs, interruptWithinMs: interruptWithinMs))
        if json {
            print(metrics.json.canonicalText)
        } else {
            let name = session.meta["scenario_name"] ?? session.meta["session_id"] ?? archive
            // `hasher` is `EventStreamHash.of(events)` computed on the way.
            print(TurnTable.render(metrics, title: "\(name) (events \(accumulator.count), hash \(hasher.hex))"), terminator: "")
        }
    }
}
