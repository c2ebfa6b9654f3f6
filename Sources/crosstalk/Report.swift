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
        let events = try session.events()
        let metrics = SessionMetrics(events: events)
        if json {
            print(metrics.json.canonicalText)
        } else {
            let name = session.meta["scenario_name"] ?? session.meta["session_id"] ?? archive
            print(TurnTable.render(metrics, title: "\(name) (events \(events.count), hash \(EventStreamHash.of(events)))"), terminator: "")
        }
    }
}
