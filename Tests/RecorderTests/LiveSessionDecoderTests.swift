import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct LiveSessionDecoderTests {
    /// A decoder after hello, mic frames 0–2, bot frame 0, VAD rows 0–2 and one event at 100 ms
    /// (lines 1–9; the next line is line 10).
    private func openSession() -> LiveSessionDecoder {
        var decoder = LiveSessionDecoder(defaultSessionID: "default-id")
        let lines = [
            LiveLines.hello(),
            LiveLines.audio("mic", 0, LiveLines.tone(frame: 0)),
            LiveLines.audio("mic", 1, LiveLines.tone(frame: 1), timeUs: 20_000),
            LiveLines.audio("mic", 2, LiveLines.tone(frame: 2)),
            LiveLines.audio("bot", 0, LiveLines.tone(frame: 0, pitch: 330)),
            LiveLines.vad(0), LiveLines.vad(1), LiveLines.vad(2),
        ]
        for line in lines { _ = decoder.feed(line) }
        _ = decoder.feed(LiveLines.event(100_000, "vad.start", data: ["onset_us": 40_000]))
        precondition(decoder.rejectedLines == 0 && decoder.hasSession, "the opening lines must all be accepted")
        return decoder
    }

    @Test func aValidSessionOpensRecordsEveryMessageAndFinishes() throws {
        var decoder = LiveSessionDecoder(defaultSessionID: "default-id")
        let open = decoder.feed(LiveLines.hello(rate: 24000, frameMs: 10, codec: "opus", sessionID: nil, extra: ["name": "demo"]))
        let hello = LiveMessage.Hello(
            format: AudioFormat(sampleRate: 24000, frameMs: 10), codec: "opus", sessionID: "default-id", name: "demo",
            client: nil, config: nil)
        #expect(open == .openArchive(hello))
        let samples = LiveLines.tone(frame: 0, samplesPerFrame: 240, rate: 24000)
        #expect(decoder.feed(LiveLines.audio("mic", 0, samples)) == .record([.frame(
            stream: .mic, frame: 0, time: .zero, samples: samples)]))
        #expect(decoder.feed(LiveLines.audio("mic", 1, samples, timeUs: 10_000)) == .record([.frame(
            stream: .mic, frame: 1, time: SimInstant(microseconds: 10_000), samples: samples)]))
        #expect(decoder.feed(LiveLines.vad(0, prob: 0.25, speech: false)) == .record([.vad(
            frame: 0, time: .zero, probability: 0.25, speech: false)]))
        // Events are held in the reorder window (1 s) and written at the end.
        #expect(decoder.feed(LiveLines.event(5_000, "vad.start", turn: 1, data: ["onset_us": 0])) == .record([]))
        // Equal times are in order; no turn and no data are fine.
        #expect(decoder.feed(#"{"type":"event","t_us":5000,"kind":"stt.partial"}"#) == .record([]))
        #expect(decoder.receivedTime == SimInstant(microseconds: 20_000))
        guard case .finishArchive(let finish) = decoder.feed(#"{"type":"end","t_us":30000}"#) else {
            Issue.record("end did not finish the archive")
            return
        }
        #expect(finish.rows == [
            .event(PipelineEvent(seq: 0, time: SimInstant(microseconds: 5_000), kind: .vadStart, turn: 1, data: ["onset_us": 0])),
            .event(PipelineEvent(seq: 1, time: SimInstant(microseconds: 5_000), kind: .sttPartial, turn: nil, data: [:])),
        ])
        let summary = finish.summary
        #expect(summary.reason == "end")
        #expect(summary.sessionID == "default-id")
        #expect(summary.events == 2)
        #expect(summary.frames == [.mic: 2, .caller: 0, .bot: 0])
        #expect(summary.vadRows == 1)
        #expect(summary.rejectedLines == 0)
        #expect(summary.endEvent == PipelineEvent(
            seq: 2, time: SimInstant(microseconds: 30_000), kind: .sessionEnd, turn: nil,
            data: ["reason": "end", "frames": 2, "rejected_lines": 0]))
        #expect(decoder.hasEnded)
    }

    /// One bad line each, sent after `openSession()` (as line 10), with what its error must say.
    static let badLines: [(String, String)] = [
        (LiveLines.audio("mic", 5, LiveLines.tone(frame: 5)), "audio: mic frame 5 skips frames 3…4"),
        (LiveLines.audio("mic", 4, LiveLines.tone(frame: 4)), "audio: mic frame 4 skips frame 3 "),
        (LiveLines.audio("mic", 2, LiveLines.tone(frame: 2)), "audio: mic frame 2 is a duplicate or out of order (the next mic frame is 3)"),
        (LiveLines.audio("bot", 0, LiveLines.tone(frame: 0)), "audio: bot frame 0 is a duplicate or out of order (the next bot frame is 1)"),
        (LiveLines.audio("mic", 3, Array(LiveLines.tone(frame: 3).prefix(319))), "audio: mic frame 3 holds 319 samples, expected 320 (16000 Hz × 20 ms)"),
        (LiveLines.audio("mic", 3, LiveLines.tone(frame: 3), timeUs: 61_000), "audio: mic frame 3 has t_us 61000, expected 60000"),
        (#"{"type":"audio","stream":"mic","frame":3,"pcm16":"AAAA"}"#, "not whole 16-bit samples"),
        (#"{"type":"audio","stream":"mic","frame":3,"pcm16":"@@@@"}"#, "audio: pcm16 is not valid base64"),
        (#"{"type":"audio","stream":"tts","frame":3,"pcm16":""}"#, "audio: unknown stream \"tts\" (expected one of caller, mic, bot)"),
        (LiveLines.chunk("mic", Array(repeating: 0, count: 160)), "audio: the mic stream was sent as frames by index; keep to one form per stream (next mic frame 3)"),
        (LiveLines.audio("mic", 3, LiveLines.tone(frame: 3), extra: ["sample_rate": 24000]), "audio: mic frame 3 says sample_rate 24000, but the stream is at 16000 Hz"),
        (LiveLines.vad(timeUs: 60_000), "vad: this session's vad rows are given by frame (next frame 3); keep to one form"),
        (LiveLines.event(200_000, "eot.prediction", data: ["probability": .double(1.2), "outcome": "complete"]), "event: eot.prediction data.probability must be a number in 0…1"),
        (LiveLines.event(200_000, "eot.prediction", data: ["probability": .double(0.2), "outcome": "maybe"]), "event: eot.prediction data.outcome must be \"complete\" or \"incomplete\""),
        (LiveLines.event(200_000, "eot.prediction", data: ["probability": .double(0.2), "outcome": "complete", "inference_ms": -3]), "event: eot.prediction data.inference_ms must be a non-negative number"),
        (LiveLines.event(200_000, "stt.final", data: ["text": "hi", "audio_end_us": "soon"]), "event: stt.final data.audio_end_us must be an integer time"),
        (#"{"type":"audio","stream":"mic","frame":"3","pcm16":""}"#, "audio: frame must be an integer, not a string"),
        (LiveLines.audio("mic", 3, LiveLines.tone(frame: 3), extra: ["gain": 2]), "audio: unknown field \"gain\""),
        (LiveLines.event(200_000, "llm.thought"), "event: unknown kind \"llm.thought\""),
        (LiveLines.event(200_000, "llm.thought"), "(expected one of caller.speech_start, caller.speech_end, vad.start,"),
        (LiveLines.event(200_000, "llm.thought"), ", eot.prediction"),
        (LiveLines.event(200_000, "session.end"), "session.end is written by crosstalk"),
        (LiveLines.event(200_000, "vad.stop", data: [1]), "event: data must be a JSON object"),
        (LiveLines.event(200_000, "vad.stop", turn: -1), "event: turn must be a non-negative integer or null"),
        (#"{"type":"event","kind":"vad.stop"}"#, "event: t_us is missing"),
        (#"{"type":"event","t_us":-5,"kind":"vad.stop"}"#, "event: t_us -5 is outside"),
        (LiveLines.vad(5), "vad: frame 5 skips frames 3…4 (the next vad frame is 3)"),
        (LiveLines.vad(1), "vad: frame 1 is a duplicate or out of order"),
        (LiveLines.vad(3), "vad: frame 3 describes a mic frame not received yet (3 mic frames so far)"),
        (LiveLines.vad(3, prob: 1.5), "vad: prob 1.5 is outside 0…1"),
        (#"{"type":"vad","frame":3,"prob":0.5,"speech":1}"#, "vad: speech must be true or false"),
        (LiveLines.hello(), "hello: the session live-test has already started"),
        (#"{"type":"end","t_us":99000}"#, "end: t_us 99000 is earlier than the latest event's 100000"),
        (#"{"type":"video"}"#, "unknown type \"video\" (expected one of hello, event, audio, vad, end)"),
        (#"{"kind":"vad.stop"}"#, "message has no \"type\""),
        (#"[1,2]"#, "a message must be a JSON object, not an array"),
        (#"{"type":"event","t_us":1"#, "invalid JSON at byte"),
        ("not json at all", "invalid JSON at byte 1: expected null"),
    ]

    @Test(arguments: badLines)
    func aBadLineIsRejectedNamingTheProblemAndChangesNothing(line: String, problem: String) throws {
        var decoder = openSession()
        guard case .reject(let error) = decoder.feed(line) else {
            Issue.record("accepted \(line)")
            return
        }
        #expect(error.line == 10)
        #expect(error.message.contains(problem), "\(error.message)")
        #expect(error.replyLine.hasPrefix(#"{"error":""#) && error.replyLine.hasSuffix(#","line":10}"#))
        #expect(decoder.rejectedLines == 1)
        // The session goes on exactly where it was.
        #expect(decoder.feed(LiveLines.audio("mic", 3, LiveLines.tone(frame: 3))) == .record([.frame(
            stream: .mic, frame: 3, time: SimInstant(microseconds: 60_000), samples: LiveLines.tone(frame: 3))]))
        #expect(decoder.feed(LiveLines.vad(3)) == .record([.vad(
            frame: 3, time: SimInstant(microseconds: 60_000), probability: 0.5, speech: true)]))
        #expect(decoder.feed(LiveLines.event(100_000, "vad.stop")) == .record([]))
        guard case .finishArchive(let finish) = decoder.feed(LiveLines.end) else {
            Issue.record("end after a rejected line did not finish")
            return
        }
        #expect(finish.rows.last == .event(PipelineEvent(
            seq: 1, time: SimInstant(microseconds: 100_000), kind: .vadStop, turn: 1, data: [:])))
        let summary = finish.summary
        #expect(summary.rejectedLines == 1)
        #expect(summary.frames[.mic] == 4 && summary.frames[.bot] == 1 && summary.vadRows == 4 && summary.events == 2)
    }

    @Test func invalidUTF8IsRejected() {
        var decoder = openSession()
        #expect(decoder.lineReceived([0x7B, 0xFF, 0x7D]) == .reject(LiveProtocolError(line: 10, "line is not valid UTF-8")))
    }

    @Test func nothingButAValidHelloOpensTheSession() {
        var decoder = LiveSessionDecoder(defaultSessionID: "x")
        func rejection(_ line: String) -> String? {
            if case .reject(let error) = decoder.feed(line) { return "\(error.line): \(error.message)" }
            return nil
        }
        #expect(rejection(LiveLines.event(0, "vad.start")) == "1: expected hello first, got event")
        #expect(rejection(LiveLines.audio("mic", 0, LiveLines.tone(frame: 0))) == "2: expected hello first, got audio")
        #expect(rejection(LiveLines.end) == "3: expected hello first, got end")
        #expect(rejection("{oops") == "4: invalid JSON at byte 1: expected a key")
        #expect(rejection(LiveLines.hello(rate: 44100)) == "5: hello: sample_rate 44100 is not one of 8000, 16000, 24000, 48000")
        #expect(rejection(LiveLines.hello(frameMs: 30)) == "6: hello: frame_ms 30 is not one of 10, 20, 40, 60")
        #expect(rejection(LiveLines.hello(codec: "mp3")) == "7: hello: codec \"mp3\" is not one of opus, pcm16")
        #expect(rejection(LiveLines.hello(sessionID: "")) == "8: hello: session_id must be 1 to 200 characters on one line")
        #expect(rejection(LiveLines.hello(extra: ["config": "x"])) == "9: hello: config must be a JSON object")
        #expect(rejection(LiveLines.hello(extra: ["samplerate": 16000])) == "10: hello: unknown field \"samplerate\"")
        #expect(rejection(#"{"type":"hello","frame_ms":20}"#) == "11: hello: sample_rate is missing")
        #expect(!decoder.hasSession)
        #expect(decoder.connectionClosed(reason: "disconnected") == nil)
        guard case .openArchive(let hello) = decoder.feed(LiveLines.hello(extra: ["config": ["vad": ["engine": "silero"]], "client": "pipecat"])) else {
            Issue.record("a valid hello after bad ones was not accepted")
            return
        }
        #expect(hello.sessionID == "live-test" && hello.client == "pipecat" && hello.config == ["vad": ["engine": "silero"]])
        #expect(decoder.rejectedLines == 11)
    }

    @Test func blankLinesAreSkippedButCountedAndCRLFIsAccepted() {
        var decoder = LiveSessionDecoder(defaultSessionID: "x")
        #expect(decoder.feed("") == nil)
        #expect(decoder.feed("  \r") == nil)
        guard case .openArchive = decoder.feed(LiveLines.hello() + "\r") else {
            Issue.record("a CRLF hello was not accepted")
            return
        }
        #expect(decoder.feed("{") == .reject(LiveProtocolError(line: 4, "invalid JSON at byte 1: expected a key")))
    }

    @Test func anOversizedLineIsRejectedWithItsNumber() {
        var decoder = openSession()
        #expect(decoder.oversizedLineReceived(maxLineBytes: 1024)
            == .reject(LiveProtocolError(line: 10, "line is longer than 1024 bytes; it was skipped")))
        #expect(decoder.rejectedLines == 1)
    }

    @Test func aClosedConnectionEndsTheSessionAfterEverythingReceived() {
        var decoder = openSession()
        let summary = decoder.connectionClosed(reason: "disconnected")?.summary
        #expect(summary?.reason == "disconnected")
        // After the event (100 ms) and the mic's last frame (ends at 60 ms): 100 ms.
        #expect(summary?.endEvent == PipelineEvent(
            seq: 1, time: SimInstant(microseconds: 100_000), kind: .sessionEnd, turn: nil,
            data: ["reason": "disconnected", "frames": 3, "rejected_lines": 0]))
        #expect(decoder.hasEnded)
        #expect(decoder.connectionClosed(reason: "disconnected") == nil)
    }

    @Test func linesAfterTheEndAreRejected() {
        var decoder = openSession()
        guard case .finishArchive(let finish) = decoder.feed(LiveLines.end) else {
            Issue.record("end did not finish")
            return
        }
        #expect(finish.summary.endEvent.time == SimInstant(microseconds: 100_000))
        #expect(decoder.feed(LiveLines.audio("mic", 3, LiveLines.tone(frame: 3)))
            == .reject(LiveProtocolError(line: 11, "the session has ended; open a new connection for a new session")))
    }

    @Test func theSummaryReplyCountsEverything() throws {
        var decoder = openSession()
        _ = decoder.feed("{")
        guard case .finishArchive(let finish) = decoder.feed(LiveLines.end) else {
            Issue.record("end did not finish")
            return
        }
        let summary = finish.summary
        let reply = try JSONParser.parse(summary.replyLine(archive: "out.ctk"))
        #expect(reply == [
            "ok": true, "type": "end", "archive": "out.ctk", "session_id": "live-test", "events": 1, "frames": 4,
            "streams": ["mic": 3, "bot": 1], "vad": 3, "rejected": 1, "duration_us": 100_000,
        ])
        #expect(summary.text == "session live-test: 1 events, 4 frames (mic 3, bot 1), 3 vad rows, 1 rejected lines, 0.10 s, ended by end")
    }
}
