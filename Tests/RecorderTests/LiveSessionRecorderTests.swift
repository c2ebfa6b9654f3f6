import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct LiveSessionRecorderTests {
    /// A two-second session: mic and bot frames (the bot stream shorter), VAD rows for half the
    /// mic frames, and events every 100 ms, as lines, with what the archive must then hold.
    private struct Stream {
        var lines: [String] = []
        var mic: [Int16] = []
        var bot: [Int16] = []
        var vad: [VADFrame] = []
        var events: [PipelineEvent] = []

        init(frames: Int = 100) {
            let kinds: [EventKind] = [.vadStart, .sttPartial, .vadStop, .sttFinal, .turnEnd, .playStart, .playStop]
            for frame in 0..<frames {
                let time = SimInstant(microseconds: Int64(frame) * 20_000)
                let micSamples = LiveLines.tone(frame: frame)
                lines.append(LiveLines.audio("mic", frame, micSamples, timeUs: time.microseconds))
                mic += micSamples
                if frame < frames / 2 {
                    lines.append(LiveLines.vad(frame, prob: Double(frame % 10) / 10, speech: frame % 10 > 4))
                    vad.append(VADFrame(frame: frame, time: time, probability: Double(frame % 10) / 10, speech: frame % 10 > 4))
                }
                if frame < frames * 3 / 4 {
                    let botSamples = LiveLines.tone(frame: frame, pitch: 330)
                    lines.append(LiveLines.audio("bot", frame, botSamples))
                    bot += botSamples
                }
                if frame % 5 == 0 {
                    let kind = kinds[(frame / 5) % kinds.count]
                    let data: JSONValue = ["text": .string("turn \(frame / 35 + 1) \"q\"\nline"), "n": .int(Int64(frame))]
                    lines.append(LiveLines.event(time.microseconds, kind.rawValue, turn: frame / 35 + 1, data: data))
                    events.append(PipelineEvent(seq: Int64(events.count), time: time, kind: kind, turn: frame / 35 + 1, data: data))
                }
            }
        }
    }

    private func send(_ lines: [String], to recorder: LiveSessionRecorder) throws -> [LiveSessionRecorder.Outcome] {
        try lines.map { try recorder.lineReceived(Array($0.utf8)) }
    }

    private func verifierFindings(_ path: String) throws -> [ArchiveVerifier.Finding] {
        try ArchiveVerifier(makeDecoder: ArchiveCodecs.decoder(codec:format:)).verify(path: path)
    }

    @Test func aValidStreamIsArchivedExactlyAsSent() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("live.ctk")
        let stream = Stream()
        let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "unused", peer: "127.0.0.1:5000")
        let opened = try recorder.lineReceived(Array(LiveLines.hello(extra: ["name": "demo", "client": "test", "config": ["stt": "x"]]).utf8))
        guard case .opened(_, let reply) = opened else {
            Issue.record("hello was not accepted: \(opened)")
            return
        }
        #expect(try JSONParser.parse(reply) == [
            "ok": true, "type": "hello", "session_id": "live-test", "archive": .string(path), "codec": "pcm16",
            "samples_per_frame": 320,
        ])
        #expect(try send(stream.lines, to: recorder).allSatisfy { $0 == .recorded })
        guard case .finished(let summary, _) = try recorder.lineReceived(Array(LiveLines.end.utf8)) else {
            Issue.record("end did not finish the session")
            return
        }
        #expect(summary.events == stream.events.count)
        #expect(recorder.hasEnded)

        let archive = try SessionArchive(path: path)
        #expect(archive.meta["source"] == "live")
        #expect(archive.meta["session_id"] == "live-test")
        #expect(archive.meta["scenario_name"] == "demo")
        #expect(archive.meta["client"] == "test")
        #expect(archive.meta["config"] == #"{"stt":"x"}"#)
        #expect(archive.meta["peer"] == "127.0.0.1:5000")
        #expect(archive.meta["created_by"]?.hasPrefix("crosstalk ") == true)
        #expect(archive.format == AudioFormat(sampleRate: 16000, frameMs: 20))
        let events = try archive.events()
        #expect(Array(events.dropLast()) == stream.events)
        #expect(events.last == summary.endEvent)
        #expect(events.last?.kind == .sessionEnd && events.last?.data["reason"] == "end")
        #expect(try archive.decodedAudio(.mic) == stream.mic)
        #expect(try archive.decodedAudio(.bot) == stream.bot)
        #expect(try archive.frameCount(.caller) == 0)
        #expect(try archive.vadFrames() == stream.vad)
        #expect(try verifierFindings(path) == [])
    }

    @Test func badLinesLeaveExactlyTheGoodMessagesInTheArchive() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("live.ctk")
        let stream = Stream(frames: 30)
        var lines = [LiveLines.audio("mic", 0, LiveLines.tone(frame: 0)), LiveLines.hello()]
        // A bad line after every good one.
        let bad = [
            LiveLines.audio("mic", 10_000, LiveLines.tone(frame: 7)), "{not json", LiveLines.event(0, "nope"),
            LiveLines.audio("mic", 0, LiveLines.tone(frame: 0)), #"{"type":"vad","frame":99,"prob":0.5,"speech":true}"#,
            String(repeating: "x", count: 10), LiveLines.audio("bot", 0, [1, 2, 3]),
        ]
        for (i, line) in stream.lines.enumerated() {
            lines.append(line)
            lines.append(bad[i % bad.count])
        }
        let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "s")
        let outcomes = try send(lines, to: recorder)
        let rejected = outcomes.filter { if case .rejected = $0 { return true } else { return false } }
        #expect(rejected.count == stream.lines.count + 1)
        #expect(outcomes.filter { $0 == .recorded }.count == stream.lines.count)
        let summary = try recorder.stop(reason: "disconnected")
        #expect(summary?.rejectedLines == stream.lines.count + 1)

        let archive = try SessionArchive(path: path)
        let events = try archive.events()
        #expect(Array(events.dropLast()) == stream.events)
        #expect(events.last?.data == ["reason": "disconnected", "frames": 30, "rejected_lines": .int(Int64(stream.lines.count + 1))])
        #expect(try archive.decodedAudio(.mic) == stream.mic)
        #expect(try archive.decodedAudio(.bot) == stream.bot)
        #expect(try archive.vadFrames() == stream.vad)
        #expect(try verifierFindings(path) == [])
    }

    @Test func aSessionCutShortLeavesAVerifiableArchiveWithEverythingReceived() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("cut.ctk")
        let stream = Stream(frames: 60)
        let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "s")
        _ = try send([LiveLines.hello(codec: "opus")] + stream.lines.prefix(77), to: recorder)
        let summary = try #require(try recorder.stop(reason: "disconnected"))
        #expect(try recorder.stop(reason: "disconnected") == nil)
        let archive = try SessionArchive(path: path)
        #expect(try archive.frameCount(.mic) == summary.frames[.mic])
        #expect(try archive.frameCount(.bot) == summary.frames[.bot])
        #expect(try archive.packets(.mic).allSatisfy { $0.codec == "opus" })
        #expect(try archive.events().count == summary.events + 1)
        #expect(try verifierFindings(path) == [])
    }

    @Test func aLiveArchiveWithoutVADRowsOrSomeStreamsVerifies() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("sparse.ctk")
        let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "s")
        var lines = [LiveLines.hello(rate: 8000, frameMs: 60, codec: "opus")]
        for frame in 0..<20 { lines.append(LiveLines.audio("caller", frame, LiveLines.tone(frame: frame, samplesPerFrame: 480, rate: 8000))) }
        lines.append(LiveLines.event(1_000_000, "stt.final", data: ["text": "hello"]))
        lines.append(LiveLines.end)
        #expect(try send(lines, to: recorder).allSatisfy { if case .rejected = $0 { false } else { true } })
        #expect(try verifierFindings(path) == [])
        // A VAD row without its mic frame is still a finding (the recorder never writes one).
        try mutate(path, "INSERT INTO vad (frame, t_us, prob, speech) VALUES (0, 0, 0.5, 1)")
        #expect(try verifierFindings(path) == [ArchiveVerifier.Finding(
            check: "vad", message: "1 vad rows for 0 mic frames (at most one per mic frame)")])
    }

    @Test func anExistingArchiveIsRefusedAtTheHelloUnlessOverwriting() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("exists.ctk")
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        let refusing = LiveSessionRecorder(path: path, overwrite: false, sessionID: "s")
        #expect(throws: ArchiveError.exists(path: path)) { try refusing.lineReceived(Array(LiveLines.hello().utf8)) }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
        let overwriting = LiveSessionRecorder(path: path, overwrite: true, sessionID: "s")
        _ = try send([LiveLines.hello(), LiveLines.end], to: overwriting)
        #expect(try verifierFindings(path) == [])
    }

    @Test func idleAndEverySecondOfSessionTimeCommit() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("commit.ctk")
        let recorder = LiveSessionRecorder(path: path, overwrite: false, sessionID: "s")
        _ = try send([LiveLines.hello()], to: recorder)
        // 0.5 s of frames: nothing is due yet, so nothing reaches the file.
        _ = try send((0..<25).map { LiveLines.audio("mic", $0, LiveLines.tone(frame: $0)) }, to: recorder)
        try recorder.commitIfDue(idle: false)
        #expect(try committedMicFrames(path) == 0)
        // Idle: committed (the worker commits in the background; wait for it).
        try recorder.commitIfDue(idle: true)
        #expect(try waitForCommittedMicFrames(path, atLeast: 25) == 25)
        // Passing a second of session time commits without an idle moment.
        _ = try send((25..<76).map { LiveLines.audio("mic", $0, LiveLines.tone(frame: $0)) }, to: recorder)
        #expect(try waitForCommittedMicFrames(path, atLeast: 75) >= 75)
        _ = try recorder.stop(reason: "interrupted")
        #expect(try SessionArchive(path: path).events().last?.data["reason"] == "interrupted")
    }

    /// Mic frames committed so far into the archive being written (`PATH.partial` until it is finished).
    private func committedMicFrames(_ path: String) throws -> Int {
        try SessionArchive(path: path + ".partial").frameCount(.mic)
    }

    private func waitForCommittedMicFrames(_ path: String, atLeast count: Int) throws -> Int {
        var frames = 0
        for _ in 0..<100 {
            frames = try committedMicFrames(path)
            if frames >= count { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return frames
    }
}
