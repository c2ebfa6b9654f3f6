import ArgumentParser
import Core
import Foundation
import Replayer

/// `crosstalk merge`: combine the partial results of a sharded sweep.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the partial --json results of `crosstalk sweep --shard i/n` into the whole sweep.",
        discussion: """
            Prints the same table, and writes the same --csv/--json/--plot, as the unsharded sweep would. \
            The parts must come from the same grid, --set overrides and archives; every work item must be \
            covered.
            Example: crosstalk merge part0.json part1.json part2.json --json sweep.json --plot sweep.svg
            """)

    @Argument(help: "Partial results (--json files of `crosstalk sweep --shard`).")
    var parts: [String] = []

    @OptionGroup var outputs: SweepOutputs

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("give the partial result files to merge") }
    }

    func run() throws {
        try outputs.checkWritable(inputs: parts)
        let read = try parts.map { (source: $0, result: try SweepResult.read(path: $0)) }
        let result = try SweepResult.merge(read)
        print(result.table(), terminator: "")
        try outputs.write(result)
    }
}
