import Foundation

extension CLIHarness {
    /// What `runBounded` saw.
    struct BoundedResult {
        var result: Result
        /// The process was still running after the timeout and was killed.
        var timedOut: Bool
    }

    /// Runs crosstalk like `run`, but kills it after `timeout` seconds, so a command that blocks
    /// fails its test instead of hanging the suite (the timeout is generous: it is not a speed check).
    /// - Parameters:
    ///   - fileSizeLimitKiB: runs it under `ulimit -f` (each file it writes stops growing there,
    ///     as on a full disk).
    ///   - unprivileged: runs it as `nobody` when the tests run as root (root ignores permissions,
    ///     so a read-only folder would not be read-only to it).
    ///   - stdin: bytes given on standard input (then closed).
    static func runBounded(
        _ arguments: [String], timeout: TimeInterval = 120, fileSizeLimitKiB: Int? = nil, unprivileged: Bool = false,
        stdin: Data? = nil
    ) throws -> BoundedResult {
        var command = [binary.path] + arguments
        if unprivileged, getuid() == 0 {
            command = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + command
        }
        if let fileSizeLimitKiB {
            command = ["/bin/sh", "-c", "ulimit -f \(fileSizeLimitKiB) && exec \"$@\"", "sh"] + command
        }
        let dir = try tempDir()
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: dir)
        return BoundedResult(result: Result(status: process.terminationStatus, stdout: out, stderr: err), timedOut: timedOut)
    }

    /// The files in `dir` whose names start with `prefix` (an output and its temporary or journal files).
    static func files(in dir: URL, startingWith prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
