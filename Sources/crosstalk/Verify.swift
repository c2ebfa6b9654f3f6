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
            let session = try SessionArchive(path: archive, makeDecoder: ArchiveCodecs.decoder(codec:format:))
            let untracked = try ArchiveVerifier.eventsWithoutTurn(in: session)
            if untracked > 0 {
                printError("\(archive.terminalSafe): warning: \(untracked) pipeline event\(untracked == 1 ? "" : "s") (vad.*, stt.*, eot.prediction, turn.end, bargein) carry no turn; the protocol numbers user turns 1, 2, 3, … (docs/record-protocol.md, turn convention)")
            }
            return
        }
        for finding in findings { print("\(archive.terminalSafe): \(String(describing: finding).terminalSafe)") }
        throw ExitCode(1)
    }
}
