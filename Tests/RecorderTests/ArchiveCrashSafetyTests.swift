import Core
import Foundation
import Testing
@testable import Recorder

/// A recorder that dies mid-session must leave an archive that opens and holds everything up to its
/// last commit (DESIGN.md §3).
@Suite struct ArchiveCrashSafetyTests {
    private static let childArchiveVariable = "CROSSTALK_TEST_KILLED_WRITER_ARCHIVE"
    private static let checkpointFrames = 50

    /// Frozen copies of the files of a writer that is open mid-session (after a commit, with more
    /// rows buffered in memory): what a SIGKILL at that moment leaves on disk.
    @Test(arguments: [true, false])
    func copyOfAnOpenArchiveHoldsEverythingUpToTheLastCommit(withSharedMemoryFile: Bool) throws {
        let dir = TemporaryDirectory()
        let path = dir.path("live.ctk")
        let session = SyntheticSession(frameCount: 400)
        let samplesPerFrame = session.format.samplesPerFrame
        let writer = try SessionArchiveWriter(
            path: path, meta: session.meta, format: session.format, packetCodec: "pcm16",
            makeCodec: { PCM16Codec(samplesPerFrame: samplesPerFrame) })
        try session.record(into: writer, checkpointEvery: 50, upTo: 150)
        try writer.commit()
        // Recorded but not yet committed: lost in a crash.
        try session.record(into: UncheckpointedTail(writer, from: 150), checkpointEvery: 1000, upTo: 170)

        let crashed = dir.path("crashed.ctk")
        let live = writer.temporaryPath
        #expect(live == path + ".partial", "written beside the output until finished")
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is at the output's name before it is finished")
        #expect(FileManager.default.fileExists(atPath: live + "-wal"), "the live archive is in WAL mode")
        for suffix in withSharedMemoryFile ? ["", "-wal", "-shm"] : ["", "-wal"] {
            try copyFile(live + suffix, crashed + suffix)
        }
        try session.record(into: UncheckpointedTail(writer, from: 170), checkpointEvery: 50)
        try writer.finish()

        let archive = try SessionArchive(path: crashed)
        #expect(try ArchiveVerifier().verify(archive) == [])
        for stream in AudioStream.sessionStreams {
            #expect(try archive.frameCount(stream) == 150)
        }
        #expect(try archive.decodedAudio(.caller) == Array(session.stream(.caller).prefix(150 * samplesPerFrame)))
        #expect(try archive.events() == session.events.filter { $0.time < .milliseconds(3000) })
        // The original, finished, has it all.
        #expect(try SessionArchive(path: path).frameCount(.bot) == 400)
    }

    #if os(Linux)
    /// Runs this test binary again as a child that records a long session, kills it with SIGKILL
    /// while it writes, and checks what it left.
    @Test func sigkilledWriterLeavesAReadableArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("killed.ctk")
        let progress = path + ".progress"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childProcessThatWritesUntilKilled"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childArchiveVariable] = path
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Wait until the child has committed at least 1000 frames, let it write on for a while
        // (asynchronous commits in flight), then kill it wherever it is.
        var committedFrames = 0
        let deadline = Date().addingTimeInterval(60)
        while committedFrames < 1000, child.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            committedFrames = Self.lastProgress(progress)
        }
        Thread.sleep(forTimeInterval: 0.15)
        committedFrames = Self.lastProgress(progress)
        let wasRunning = child.isRunning
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try #require(wasRunning, "the child exited on its own (status \(child.terminationStatus))")
        try #require(committedFrames >= 1000, "the child reported \(committedFrames) committed frames")
        #expect(child.terminationReason == .uncaughtSignal)

        // A killed writer leaves its archive where it was being written.
        #expect(!FileManager.default.fileExists(atPath: path))
        let archive = try SessionArchive(path: path + ".partial")
        #expect(try ArchiveVerifier().verify(archive) == [])
        let frames = try archive.frameCount(.mic)
        #expect(frames >= committedFrames)
        #expect(frames % Self.checkpointFrames == 0, "commits hold whole checkpoints")
        let session = Self.childSession
        let samplesPerFrame = session.format.samplesPerFrame
        #expect(try archive.decodedAudio(.bot) == Array(session.stream(.bot).prefix(frames * samplesPerFrame)))
        let end = SimInstant(microseconds: Int64(frames) * 20_000)
        #expect(try archive.events() == session.events.filter { $0.time < end })
    }
    #endif

    private static var childSession: SyntheticSession { SyntheticSession(frameCount: 30_000, seed: 9) }

    private static func lastProgress(_ path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").last.flatMap { Int($0) } ?? 0
    }

    /// The child half of `sigkilledWriterLeavesAReadableArchive`: runs only when that test starts it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childArchiveVariable] != nil))
    func childProcessThatWritesUntilKilled() throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childArchiveVariable])
        let session = Self.childSession
        let samplesPerFrame = session.format.samplesPerFrame
        let writer = try SessionArchiveWriter(
            path: path, meta: session.meta, format: session.format, packetCodec: "pcm16",
            makeCodec: { PCM16Codec(samplesPerFrame: samplesPerFrame) })
        _ = FileManager.default.createFile(atPath: path + ".progress", contents: nil)
        let progress = try FileHandle(forWritingTo: URL(fileURLWithPath: path + ".progress"))
        // Checkpoints hand batches to the worker asynchronously; every tenth one also waits for the
        // commit and reports it, so the parent knows a floor for what must survive.
        try session.record(into: writer, checkpointEvery: Self.checkpointFrames) { frames in
            if frames % (10 * Self.checkpointFrames) == 0 {
                try writer.commit()
                progress.write(Data("\(frames)\n".utf8))
            }
        }
        try writer.finish()
    }
}

/// Forwards frames from `from` on (the test session's `record` starts at frame 0).
private final class UncheckpointedTail: SessionRecording {
    let writer: SessionArchiveWriter
    let from: Int

    init(_ writer: SessionArchiveWriter, from: Int) {
        self.writer = writer
        self.from = from
    }

    func record(event: PipelineEvent) {
        if event.time >= .milliseconds(Int64(from) * 20) { writer.record(event: event) }
    }

    func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?) {
        if frame >= from { writer.record(stream: stream, frame: frame, time: time, samples: samples, packet: packet) }
    }

    func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool) {
        if frame >= from { writer.record(vadFrame: frame, time: time, probability: probability, speech: speech) }
    }

    func checkpoint(at time: SimInstant) throws {
        if time > .milliseconds(Int64(from) * 20) { try writer.checkpoint(at: time) }
    }
}
