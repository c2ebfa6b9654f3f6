import Foundation

/// Runs the built `crosstalk` binary (next to the test bundle) and tmux.
enum InspectorCLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `crosstalk` binary next to the test bundle.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("crosstalk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir.deleteLastPathComponent()
        }
        return InspectorFixture.root.appendingPathComponent(".build/debug/crosstalk").path
    }

    /// Runs `executable` with `arguments`, collecting its output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    capture: Bool = true) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        guard capture else {
            // A process that daemonizes (the tmux server) inherits whatever Foundation's Process uses
            // to notice the child's exit and keeps it open, so `waitUntilExit` never returns: spawn
            // and reap it directly instead, with stdio on /dev/null.
            return Result(status: try spawnAndWait(executable, arguments, environment: environment), stdout: "", stderr: "")
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// posix_spawn + waitpid, nothing inherited but /dev/null on stdio.
    static func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]?) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, env)
        guard rc == 0 else { throw TmuxError(message: "cannot start \(executable): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// `crosstalk ARGS`.
    @discardableResult
    static func crosstalk(_ arguments: [String]) throws -> Result { try run(binary, arguments) }

    /// The tmux executable, if installed.
    static var tmux: String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/opt/homebrew/bin"] {
            let path = dir + "/tmux"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// One tmux server of its own (a private socket), holding one pane that runs a command.
final class TmuxPane {
    let socket = "crosstalk-inspect-\(UUID().uuidString.prefix(8))"
    let tmux: String

    /// Starts `command` in a detached `width` × `height` session; the pane stays after it exits.
    init(command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        tmux = InspectorCLI.tmux!
        var env = environment.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        if !env.isEmpty { env = "env " + env + " " }
        let start = try InspectorCLI.run(tmux, ["-L", socket, "-f", "/dev/null", "start-server", ";",
                                                "set-option", "-g", "remain-on-exit", "on", ";",
                                                "new-session", "-d", "-x", "\(width)", "-y", "\(height)", env + command],
                                         capture: false)
        guard start.status == 0 else { throw TmuxError(message: "tmux could not start a session (status \(start.status))") }
    }

    deinit { _ = try? InspectorCLI.run(tmux, ["-L", socket, "kill-server"], capture: false) }

    @discardableResult
    func tmuxCommand(_ arguments: [String]) throws -> String {
        let result = try InspectorCLI.run(tmux, ["-L", socket] + arguments)
        guard result.status == 0 else { throw TmuxError(message: "tmux \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// What the pane shows now (`escapes`: with colour and attribute sequences).
    func capture(escapes: Bool = false) throws -> String {
        try tmuxCommand(["capture-pane", "-p"] + (escapes ? ["-e"] : []))
    }

    func send(_ keys: String...) throws { try tmuxCommand(["send-keys"] + keys) }

    /// Polls the pane until `condition` holds (up to `timeout` seconds); returns the last capture.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 15, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            usleep(100_000)
        }
        throw TmuxError(message: "timed out waiting for \(what); the pane shows:\n\(screen)")
    }

    /// Whether the command exited, and its status.
    func exitStatus() throws -> Int32? {
        let out = try tmuxCommand(["display-message", "-p", "#{pane_dead} #{pane_dead_status}"])
        let parts = out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.first == "1", parts.count > 1 else { return nil }
        return Int32(parts[1])
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
