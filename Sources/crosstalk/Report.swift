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

    func run() throws {
        let session = try SessionArchive(path: archive)
        // One pass through a cursor: the metrics keep the few events they read, the hash sees every one.
        var accumulator = SessionMetrics.Accumulator()
        var hasher = FNV1a64()
        try session.forEachEvent { event in
            accumulator.add(event)
            if !json { hasher.combine(event.canonicalLine) }
        }
        let metrics = accumulator.metrics
        if json {
            print(metrics.json.canonicalText)
        } else {
            let name = session.meta["scenario_name"] ?? session.meta["session_id"] ?? archive
            // `hasher` is `EventStreamHash.of(events)` computed on the way.
            print(TurnTable.render(metrics, title: "\(name) (events \(accumulator.count), hash \(hasher.hex))"), terminator: "")
        }
    }
}
