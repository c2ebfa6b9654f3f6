import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk record`: record the sessions a running voice pipeline streams to crosstalk.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record live sessions that a running voice pipeline streams over TCP (JSON lines).",
        discussion: """
            The pipeline connects, sends a hello (audio format), then its events, audio frames and VAD \
            rows as JSON lines, then an end; crosstalk writes the archive as they arrive and answers bad \
            lines with {"error": …, "line": N} without recording them. A connection that closes without \
            end still leaves a finished archive holding everything received; so does Ctrl-C. Prints \
            "listening on HOST:PORT" first, then one "wrote" line per session. Protocol: docs/record-protocol.md.
            Without --once it keeps listening: later sessions go to NAME-2.ctk, NAME-3.ctk, … (one client at a time: \
            a connection that arrives during a session waits for it to end, up to the hello timeout, then is told busy). \
            A connection that sends no valid hello within --hello-timeout-s is closed; a session with no complete line \
            for --idle-timeout-s is finished and kept (session.end reason idle_timeout).
            Examples:
              crosstalk record --listen 127.0.0.1:7070 -o live.ctk --once
              python3 examples/live_client.py --port 7070
            """)

    @Option(help: ArgumentHelp("Address to listen on: an IPv4 address and a port (0 picks a free one).", valueName: "host:port"))
    var listen: String

    @Option(name: .shortAndLong, help: "Archive to write (.ctk); later sessions are numbered beside it.")
    var output: String

    @Flag(help: "Overwrite existing archives.")
    var force = false

    @Flag(help: "Stop after the first session.")
    var once = false

    @Option(help: "Longest line accepted, in bytes (longer ones are rejected and skipped).")
    var maxLineBytes = 1 << 20

    @Option(help: ArgumentHelp(
        "Seconds a connection may take to send a valid hello before it is closed (also how long a connection waits for the session in progress).",
        valueName: "seconds"))
    var helloTimeoutS = 10.0

    @Option(help: ArgumentHelp("Seconds a session may go without a complete line before it is finished and kept.", valueName: "seconds"))
    var idleTimeoutS = 60.0

    /// The longest timeout accepted: a day (a pipeline that pauses longer reconnects).
    private static let maxTimeoutS = 86_400.0

    func validate() throws {
        guard (1024...(64 << 20)).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 1024 and \(64 << 20)")
        }
        for (name, value) in [("--hello-timeout-s", helloTimeoutS), ("--idle-timeout-s", idleTimeoutS)] {
            // nan fails both comparisons, so it is refused too.
            guard value > 0, value <= Self.maxTimeoutS else {
                throw ValidationError("\(name) must be more than 0 and at most \(Int(Self.maxTimeoutS)) seconds, got \(value)")
            }
        }
    }

    func run() throws {
        let address = try LiveListenAddress(parsing: listen)
        try checkOutput()
        let options = LiveRecordingServer.Options(
            output: output, overwrite: force, once: once, maxLineBytes: maxLineBytes,
            helloTimeout: .seconds(helloTimeoutS), idleTimeout: .seconds(idleTimeoutS))
        let server = try LiveRecordingServer(listen: address, options: options)
        StopSignal.install()
        printLine("listening on \(server.address)")
        if address.isEveryInterface {
            printError("crosstalk record: warning: listening on \(server.address) (every interface): any machine that can "
                + "reach this one may connect and stream sessions, with no authentication; use 127.0.0.1 to accept only local pipelines")
        }
        let observer = LiveRecordingServer.Observer(
            log: { printError("crosstalk record: " + $0) },
            sessionFinished: { path, summary in printLine("wrote \(path): \(summary.text)") })
        let sessions = try server.run(observer: observer, shouldStop: StopSignal.requested)
        if sessions == 0 {
            printError("crosstalk: stopped before any session was recorded")
            throw ExitCode(2)
        }
    }

    /// Refuses an existing output (without --force) or a missing directory before listening.
    private func checkOutput() throws {
        try OutputFile.check(output, overwrite: force)
    }

    /// Prints a line on stdout at once (scripts wait for "listening on").
    private func printLine(_ text: String) {
        StandardStream.output.write(text + "\n")
    }
}
