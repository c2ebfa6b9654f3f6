import Foundation
import GRDB
import Testing

/// The rules every written file follows (README "Output files"): written to NAME.partial and renamed
/// into place when complete, a symbolic link replaced rather than written through, a dangling one
/// refused without --force, and messages that say what is wrong with the folder.
@Suite(.serialized) struct OutputFileCommandTests {
    /// A finished archive of the happy-path scenario in `dir`.
    func archive(in dir: URL, _ name: String = "a.ctk") throws -> String {
        let path = dir.appendingPathComponent(name).path
        let r = try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "-o", path])
        try #require(r.status == 0, "\(r.stderr)")
        return path
    }

    func expectOneLineError(_ r: CLIHarness.BoundedResult, mentions needles: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.timedOut, sourceLocation: sourceLocation)
        #expect(r.result.status == 2, "exit \(r.result.status): \(r.result.stderr)", sourceLocation: sourceLocation)
        let lines = r.result.stderr.split(separator: "\n").filter { $0.hasPrefix("crosstalk") }
        #expect(lines.count == 1, "stderr: \(r.result.stderr)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(r.result.stderr.contains(needle), "stderr: \(r.result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func aFullDiskLeavesNoPartialOutputAndTheRetryIsNotBlocked() throws {
        let dir = try CLIHarness.tempDir()
        let a = try archive(in: dir)
        // Every file stops growing at 32 KiB (as on a full disk): the outputs below are all larger.
        let limit = 32
        let json = dir.appendingPathComponent("s.json").path
        let sweep = ["sweep", a, "--param", "pipeline.endpointing.silence_ms=100:2000:30", "--json", json]
        expectOneLineError(try CLIHarness.runBounded(sweep, fileSizeLimitKiB: limit), mentions: ["s.json", "file too large"])
        #expect(CLIHarness.files(in: dir, startingWith: "s.json").isEmpty, "no s.json, no s.json.partial")
        // The retry is not told "s.json exists".
        let retry = try CLIHarness.runBounded(sweep)
        #expect(retry.result.status == 0, "\(retry.result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: json)).count > limit * 1024)
        #expect(CLIHarness.files(in: dir, startingWith: "s.json") == ["s.json"])

        // With --force, an existing file stays as it was when writing its replacement fails.
        let precious = Data("precious".utf8)
        for (name, command) in [
            ("a.wav", ["export", a, "--wav"]),
            ("b.ctk", ["simulate", CLIHarness.scenario("happy-path"), "-o"]),
            ("c.ctk", ["replay", a, "--set", "pipeline.endpointing.silence_ms=800", "-o"]),
            ("d.json", ["export", a, "--trace"]),
        ] {
            let path = dir.appendingPathComponent(name).path
            try precious.write(to: URL(fileURLWithPath: path))
            let r = try CLIHarness.runBounded(command + [path, "--force"], fileSizeLimitKiB: name == "d.json" ? 16 : limit)
            expectOneLineError(r, mentions: [name])
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == precious, "\(name) is untouched")
            #expect(CLIHarness.files(in: dir, startingWith: name) == [name], "no temporary or journal files left beside \(name)")
        }
    }

    @Test func outputsReplaceASymbolicLinkAndNeverWriteThroughIt() throws {
        let dir = try CLIHarness.tempDir()
        let a = try archive(in: dir)
        let files = FileManager.default
        for (name, command) in [
            ("out.wav", ["export", a, "--wav"]),
            ("out.json", ["export", a, "--trace"]),
            ("out.ctk", ["simulate", CLIHarness.scenario("happy-path"), "-o"]),
            ("out.csv", ["sweep", a, "--param", "pipeline.endpointing.silence_ms=300,500", "--csv"]),
        ] {
            let target = dir.appendingPathComponent("target-" + name).path
            try Data("target".utf8).write(to: URL(fileURLWithPath: target))
            let link = dir.appendingPathComponent(name).path
            try files.createSymbolicLink(atPath: link, withDestinationPath: target)
            let refused = try CLIHarness.runBounded(command + [link])
            expectOneLineError(refused, mentions: [name, "symbolic link", "--force"])
            let r = try CLIHarness.runBounded(command + [link, "--force"])
            #expect(r.result.status == 0, "\(name): \(r.result.stderr)")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "target", "\(name): the link's target is untouched")
            #expect(try files.attributesOfItem(atPath: link)[.type] as? FileAttributeType == .typeRegular, "\(name): the link was replaced")
        }
    }

    @Test func aDanglingLinkIsRefusedWithoutForceAndReplacedWithIt() throws {
        let dir = try CLIHarness.tempDir()
        let target = dir.appendingPathComponent("elsewhere.ctk").path
        let link = dir.appendingPathComponent("out.ctk").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let simulate = ["simulate", CLIHarness.scenario("happy-path"), "-o", link]
        expectOneLineError(try CLIHarness.runBounded(simulate), mentions: ["out.ctk", "symbolic link to \(target)", "--force"])
        #expect(!FileManager.default.fileExists(atPath: target), "the link is not followed")
        let forced = try CLIHarness.runBounded(simulate + ["--force"])
        #expect(forced.result.status == 0, "\(forced.result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "the link is replaced, not followed")
        #expect(try CLIHarness.run(["verify", link]).status == 0)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil, "out.ctk is a file now")
    }

    @Test func twoForcedSimulationsOfOneOutputBothFinish() throws {
        let dir = try CLIHarness.tempDir()
        let out = dir.appendingPathComponent("same.ctk").path
        let processes = try (0..<2).map { _ -> (Process, Pipe) in
            let process = Process()
            process.executableURL = CLIHarness.binary
            process.arguments = ["simulate", CLIHarness.scenario("hesitation"), "--force", "-o", out]
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            return (process, err)
        }
        for (process, err) in processes {
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // Each writes its own temporary file and renames it into place: both succeed.
            #expect(process.terminationStatus == 0, "\(stderr)")
        }
        #expect(try CLIHarness.run(["verify", out]).status == 0)
        #expect(CLIHarness.files(in: dir, startingWith: "same.ctk") == ["same.ctk"])
    }

    @Test func aReadOnlyFolderIsNamedAsSuch() throws {
        let dir = try CLIHarness.tempDir()
        let a = try archive(in: dir)
        let readOnly = dir.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: false)
        // An unfinished archive (WAL mode, as a killed writer leaves it) in that folder.
        let wal = readOnly.appendingPathComponent("wal.ctk").path
        try FileManager.default.copyItem(atPath: a, toPath: wal)
        try DatabaseQueue(path: wal).writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: readOnly.path) }

        let out = readOnly.appendingPathComponent("x.ctk").path
        let simulate = try CLIHarness.runBounded(["simulate", CLIHarness.scenario("happy-path"), "-o", out], unprivileged: true)
        expectOneLineError(simulate, mentions: ["x.ctk: cannot write in folder \(readOnly.path): permission denied"])
        let export = try CLIHarness.runBounded(["export", a, "--wav", readOnly.appendingPathComponent("x.wav").path], unprivileged: true)
        expectOneLineError(export, mentions: ["cannot write in folder \(readOnly.path): permission denied"])
        let report = try CLIHarness.runBounded(["report", wal], unprivileged: true)
        expectOneLineError(report, mentions: ["wal.ctk: is an unfinished (WAL-mode) archive", "read-only folder \(readOnly.path)", "copy it"])
        #expect(!report.result.stderr.contains("not a Crosstalk archive"))
    }
}
