import Core
import Foundation
import LiveTestSupport
import Testing
@testable import Recorder
#if canImport(Glibc)
import Glibc
#endif

/// The server in this process, on its own thread, with a wall clock the test moves: timeouts are
/// exact and no test waits for real seconds (every real wait is a generous upper bound).
@Suite struct LiveRecordingServerTests {
    private func frames(_ range: Range<Int>) -> [String] {
        range.map { LiveLines.audio("mic", $0, LiveLines.tone(frame: $0)) }
    }

    private func parse(_ line: String?) throws -> JSONValue {
        try JSONParser.parse(try #require(line))
    }

    /// Issue 10: rows and `end` in one read, with the wall clock a second past the last commit
    /// before the server's commit check (as when finishing a big archive takes that long), trapped
    /// the recorder. The client must get its `end` reply, and the next session must be served.
    @Test func anEndReadWithUncommittedRowsIsAnsweredAndTheNextSessionServed() throws {
        let dir = TemporaryDirectory()
        let server = try ServerThread(output: dir.path("a.ctk"))
        // The session's log line comes after the read and before the commit check: move the
        // clock there.
        server.onLog = { line in if line.contains(" → ") { server.clock.advance(.seconds(2)) } }
        let first = try LineClient(port: server.port)
        first.sendRaw(Array(([LiveLines.hello()] + frames(0..<10) + [LiveLines.end]).joined(separator: "\n").utf8) + [0x0A])
        let replies = first.readAll()
        #expect(replies.count == 2, "\(replies)")
        let summary = try parse(replies.last)
        #expect(summary["type"] == "end" && summary["frames"] == 10, "\(summary)")

        let second = try LineClient(port: server.port)
        for line in [LiveLines.hello(sessionID: "second")] + frames(0..<3) + [LiveLines.end] { second.send(line) }
        #expect(try parse(second.readAll().last)["frames"] == 3)
        #expect(try server.stop() == 2)
        #expect(try SessionArchive(path: dir.path("a.ctk")).frameCount(.mic) == 10)
        #expect(try SessionArchive(path: dir.path("a-2.ctk")).frameCount(.mic) == 3)
        for path in [dir.path("a.ctk"), dir.path("a-2.ctk")] {
            #expect(try ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: path) == [])
        }
    }

    @Test func aConnectionWithoutAValidHelloIsClosedAtTheHelloTimeoutAndTheWaitingPipelineServed() throws {
        let dir = TemporaryDirectory()
        let server = try ServerThread(output: dir.path("h.ctk"))
        let slow = try LineClient(port: server.port)
        slow.sendRaw(Array(#"{"ty"#.utf8))  // and never the rest
        try server.waitForLog("connected")
        let pipeline = try LineClient(port: server.port)
        pipeline.send(LiveLines.hello())
        try server.waitForLog("waiting for")
        server.clock.advance(.seconds(9))
        slow.send(#"pe":"hello"}"#)  // completes an invalid hello: rejected, and no more time
        let rejected = try parse(slow.readLine())
        #expect(rejected["error"]?.stringValue?.hasPrefix("hello: ") == true && rejected["line"] == 1, "\(rejected)")
        server.clock.advance(.seconds(2))
        let error = try parse(slow.readLine())
        #expect(error == ["error": "hello timeout: no valid hello within 10 s of connecting; closing", "line": 0])
        #expect(slow.readLine() == nil)
        #expect(try parse(pipeline.readLine())["ok"] == true)
        for line in frames(0..<3) + [LiveLines.end] { pipeline.send(line) }
        #expect(try parse(pipeline.readAll().last)["frames"] == 3)
        #expect(try server.stop() == 1)
        #expect(try SessionArchive(path: dir.path("h.ctk")).frameCount(.mic) == 3)
        #expect(server.log.contains { $0.contains("no valid hello within 10 s; closing it (nothing recorded)") }, "\(server.log)")
    }

    @Test func aQuietSessionIsFinishedAndKeptAtTheIdleTimeoutAndEveryLineKeepsItAlive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("idle.ctk")
        let server = try ServerThread(output: path)
        let client = try LineClient(port: server.port)
        client.send(LiveLines.hello())
        #expect(try parse(client.readLine())["ok"] == true)
        for line in frames(0..<5) { client.send(line) }
        // 120 s of wall time, never 60 s without a line (a rejected one counts; its reply says it was read).
        for _ in 0..<3 {
            server.clock.advance(.seconds(40))
            client.send("{}")
            #expect(try parse(client.readLine())["error"] != nil)
        }
        client.sendRaw(Array(#"{"type":"au"#.utf8))  // a line that never completes
        server.clock.advance(.seconds(61))
        let error = try parse(client.readLine())
        #expect(error == [
            "error": .string("idle timeout: no complete line for 60 s; the session was finished and kept in \(path)"), "line": 0,
        ])
        #expect(client.readLine() == nil)

        // The recorder goes on serving.
        let next = try LineClient(port: server.port)
        for line in [LiveLines.hello(sessionID: "next"), LiveLines.end] { next.send(line) }
        #expect(try parse(next.readAll().last)["type"] == "end")
        #expect(try server.stop() == 2)
        #expect(server.finished.first?.1.reason == "idle_timeout")
        let archive = try SessionArchive(path: path)
        #expect(try archive.frameCount(.mic) == 5)
        #expect(try archive.events().last?.data == ["reason": "idle_timeout", "frames": 5, "rejected_lines": 3])
        #expect(try ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: path) == [])
    }

    @Test func aConnectionWaitingLongerThanTheHelloTimeoutIsToldBusy() throws {
        let dir = TemporaryDirectory()
        let server = try ServerThread(output: dir.path("b.ctk"))
        let first = try LineClient(port: server.port)
        first.send(LiveLines.hello())
        #expect(try parse(first.readLine())["ok"] == true)
        let second = try LineClient(port: server.port)
        try server.waitForLog("waiting for")
        server.clock.advance(.seconds(11))
        let busy = try parse(second.readLine())
        #expect(busy["error"]?.stringValue?.hasPrefix("busy: crosstalk is recording 127.0.0.1:") == true, "\(busy)")
        #expect(second.readLine() == nil)
        first.send(LiveLines.end)
        #expect(try parse(first.readLine())["type"] == "end")
        #expect(try server.stop() == 1)
    }
}

/// `LiveRecordingServer.run` on a thread of its own, listening on a free port of 127.0.0.1.
private final class ServerThread: @unchecked Sendable {
    let clock = LiveTestClock()
    let port: UInt16
    /// Called with each log line, on the server's thread.
    var onLog: (@Sendable (String) -> Void)? {
        get { lock.withLock { logHook } }
        set { lock.withLock { logHook = newValue } }
    }

    private let lock = NSLock()
    private var logHook: (@Sendable (String) -> Void)?
    private var logLines: [String] = []
    private var finishedSessions: [(String, LiveSessionSummary)] = []
    private var stopRequested = false
    private var outcome: Result<Int, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(output: String) throws {
        let options = LiveRecordingServer.Options(output: output)
        let server = try LiveRecordingServer(listen: try LiveListenAddress(parsing: "127.0.0.1:0"), options: options, now: clock.now)
        guard let port = server.address.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            throw TestClientError("no port in \(server.address)")
        }
        self.port = port
        let box = UncheckedBox(server)
        Thread.detachNewThread { [self] in
            let result = Result {
                try box.value.run(
                    observer: .init(
                        log: { line in
                            let hook = self.lock.withLock { self.logLines.append(line); return self.logHook }
                            hook?(line)
                        },
                        sessionFinished: { path, summary in self.lock.withLock { self.finishedSessions.append((path, summary)) } }),
                    shouldStop: { self.lock.withLock { self.stopRequested } })
            }
            self.lock.withLock { self.outcome = result }
            self.done.signal()
        }
    }

    /// The log lines so far.
    var log: [String] { lock.withLock { logLines } }
    /// The sessions finished so far: archive and summary.
    var finished: [(String, LiveSessionSummary)] { lock.withLock { finishedSessions } }

    /// Waits (up to a generous bound) for a log line containing `text`.
    func waitForLog(_ text: String) throws {
        for _ in 0..<1000 where !log.contains(where: { $0.contains(text) }) { Thread.sleep(forTimeInterval: 0.02) }
        guard log.contains(where: { $0.contains(text) }) else { throw TestClientError("no log line with '\(text)': \(log)") }
    }

    /// Stops the server (as Ctrl-C does) and returns how many sessions it recorded.
    func stop() throws -> Int {
        lock.withLock { stopRequested = true }
        guard done.wait(timeout: .now() + 30) == .success else { throw TestClientError("the server did not stop within 30 s") }
        return try lock.withLock { outcome! }.get()
    }
}

/// Hands a value to another thread that alone uses it from then on.
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}


private struct TestClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
