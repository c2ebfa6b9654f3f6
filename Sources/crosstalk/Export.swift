import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk export`: a stereo WAV to listen to, or a Perfetto trace to look at.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a session as a stereo WAV (caller left, bot right) and/or a Perfetto trace.",
        discussion: "A live recording without a caller stream puts its mic stream on the left.")

    @Argument(help: "Session archive (.ctk).")
    var archive: String

    @Option(help: "Write a stereo 16-bit WAV: caller (or mic) on the left, bot on the right.")
    var wav: String?

    @Option(help: "Write a Chrome/Perfetto trace-event JSON (open it in ui.perfetto.dev).")
    var trace: String?

    @Flag(help: "Overwrite existing output files.")
    var force = false

    func validate() throws {
        guard wav != nil || trace != nil else { throw ValidationError("nothing to export: give --wav FILE and/or --trace FILE") }
    }

    func run() throws {
        if let wav { try OutputFile.check(wav, overwrite: force, inputs: [archive], otherOutputs: trace.map { [$0] } ?? []) }
        if let trace { try OutputFile.check(trace, overwrite: force, inputs: [archive]) }
        let session = try SessionArchive(path: archive, makeDecoder: ArchiveCodecs.decoder(codec:format:))
        // Each through a temporary file renamed into place (OutputFile): a failure leaves nothing.
        if let wav {
            try OutputFile.write(wav, overwrite: force) { try WAVExporter(archive: session).export(to: $0) }
            print("wrote \(wav)")
        }
        if let trace {
            let exporter = TraceExporter(sessionName: session.meta["scenario_name"] ?? "crosstalk session")
            try OutputFile.write(trace, overwrite: force) { try exporter.export(session, to: $0) }
            print("wrote \(trace)")
        }
    }
}
