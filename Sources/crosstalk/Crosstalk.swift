import ArgumentParser
import Core
import Foundation
import Recorder
import Replayer

/// The `crosstalk` command: simulate, record, report, export and verify voice-agent sessions.
@main
struct Crosstalk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosstalk",
        abstract: "Conversation simulator and replay debugger for real-time voice assistants.",
        discussion: "Exit codes: 0 ok, 1 a finding (failed check), 2 usage or input error, 130/143 simulate stopped by Ctrl-C/SIGTERM (the archive is finished).",
        version: CrosstalkVersion.current,
        subcommands: [Simulate.self, Import.self, Record.self, Replay.self, Resimulate.self, Sweep.self, Merge.self, Report.self, Export.self, Verify.self, Inspect.self, EOT.self]
    )

    /// Runs the command, mapping every error to one line on stderr and exit code 2
    /// (ArgumentParser's own usage errors included, which it would otherwise exit with 64).
    static func main() {
        // A file size limit (`ulimit -f`) must fail the write (EFBIG: one clear line, the output
        // left as it was), not kill the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let exit = exitCode(for: error)
            if exit == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Messages quote names and values read from files: never let them drive the terminal.
            StandardStream.error.write("crosstalk: " + oneLine(error).terminalSafe + "\n")
            Foundation.exit(2)
        }
    }

    static func oneLine(_ error: Error) -> String {
        let text: String
        switch error {
        case let e as ScenarioError: text = e.message
        case let e as ReplayError: text = e.message
        case let e as CustomStringConvertible where !(error is ValidationError): text = e.description
        default: text = message(for: error)
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }.first ?? text
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    StandardStream.error.write(text.terminalSafe + "\n")
}

/// Whether standard error is a terminal (progress is shown only then).
var stderrIsTerminal: Bool { isatty(2) == 1 }
