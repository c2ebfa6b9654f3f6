import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk verify`: check an archive's schema, frame continuity and event order.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a session archive (schema, frame continuity, event order). Exit 0 ok, 1 findings.")

    @Argument(help: "Session archive (.ctk).")
    var archive: String

    func run() throws {
        let findings = try ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: archive)
        if findings.isEmpty {
            print("\(archive.terminalSafe): ok")
            return
        }
        for finding in findings { print("\(archive.terminalSafe): \(String(describing: finding).terminalSafe)") }
        throw ExitCode(1)
    }
}
