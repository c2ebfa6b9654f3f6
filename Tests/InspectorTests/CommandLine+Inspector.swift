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
///
/// The command runs under `timeout` and its exit status is printed in the pane, which closes
/// itself 5 s later: a test that dies half-way leaves nothing running for long.
final class TmuxPane {
    let socket = "crosstalk-inspect-\(UUID().uuidString.prefix(8))"
    let tmux: String

    /// Starts `command` in a detached `width` × `height` session.
    init(command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        tmux = InspectorCLI.tmux!
        let env = environment.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        let script = "env \(env) timeout --foreground -k 5 300 \(command); echo \"[exited $?]\"; sleep 5"
        let start = try InspectorCLI.run(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)",
                                                "-y", "\(height)", "sh", "-c", script], capture: false)
        guard start.status == 0 else { throw TmuxError(message: "tmux could not start a session (status \(start.status))") }
    }

    deinit { close() }

    /// Ends what runs in the pane and the tmux server. The pane's processes are killed by process
    /// group first: they inherit the test runner's blocked signals, so the SIGHUP that
    /// `kill-server` sends would leave them (and the server waiting on them) running.
    func close() {
        if let pids = try? InspectorCLI.run(tmux, ["-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"]) {
            for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) where pid > 1 {
                kill(-pid, SIGKILL)
            }
        }
        _ = try? InspectorCLI.run(tmux, ["-L", socket, "kill-server"], capture: false)
    }

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

    /// Sends keys one at a time (as typed).
    func send(_ keys: String...) throws {
        for key in keys {
            try tmuxCommand(["send-keys", key])
            usleep(20_000)
        }
    }

    /// Polls the pane until `condition` holds (up to `timeout` seconds); returns the last capture.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            usleep(100_000)
        }
        throw TmuxError(message: "timed out waiting for \(what); the pane shows:\n\(screen)")
    }

    /// The command's exit status once it has exited (waits up to `timeout` seconds).
    func exitStatus(timeout: Double = 10) throws -> Int32? {
        let screen = try waitFor("the command to exit", timeout: timeout) { $0.contains("[exited ") }
        guard let range = screen.range(of: #"\[exited (\d+)\]"#, options: .regularExpression) else { return nil }
        return Int32(screen[range].dropFirst(8).dropLast())
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
