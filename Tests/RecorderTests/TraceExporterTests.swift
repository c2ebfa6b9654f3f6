import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct TraceExporterTests {
    private func event(_ seq: Int64, _ ms: Int64, _ kind: EventKind, turn: Int? = 1, _ data: JSONValue = [:]) -> PipelineEvent {
        PipelineEvent(seq: seq, time: .milliseconds(ms), kind: kind, turn: turn, data: data)
    }

    private var conversation: [PipelineEvent] {
        [
            event(0, 100, .callerSpeechStart, ["text": "Hi there"]),
            event(1, 160, .vadStart),
            event(2, 400, .sttPartial, ["text": "Hi"]),
            event(3, 900, .callerSpeechEnd, ["text": "Hi there"]),
            event(4, 1100, .vadStop),
            event(5, 1150, .sttFinal, ["text": "Hi there."]),
            event(6, 1600, .turnEnd, ["reason": "silence", "waited_ms": 500, "transcript": "Hi there."]),
            event(7, 1600, .llmRequest),
            event(8, 1800, .llmToken, ["text": "Hello"]),
            event(9, 1810, .ttsRequest, ["text": "Hello"]),
            event(10, 1900, .llmDone),
            event(11, 2000, .ttsChunk, ["bytes": 640]),
            event(12, 2020, .playStart),
            event(13, 2050, .ttsDone),
            event(14, 2500, .bargeIn, ["trigger": "vad", "speech_ms": 300]),
            event(15, 2510, .playStop, ["reason": "interrupted", "heard_text": "Hel"]),
            event(16, 2600, .llmRequest, turn: 2),
        ]
    }

    private func parse(_ trace: JSONValue) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(trace.canonicalText.utf8)) as? [String: Any]
        #expect(object?["displayTimeUnit"] as? String == "ms")
        return try #require(object?["traceEvents"] as? [[String: Any]])
    }

    @Test func traceIsValidJSONWithOneNamedThreadPerLane() throws {
        let events = try parse(TraceExporter(sessionName: "s1").trace(events: conversation))
        let threadNames = events.filter { $0["name"] as? String == "thread_name" }
        #expect(threadNames.count == TraceExporter.Lane.allCases.count)
        let tids = Set(threadNames.compactMap { $0["tid"] as? Int })
        #expect(tids == Set(TraceExporter.Lane.allCases.map(\.rawValue)))
        let titles = Set(threadNames.compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        #expect(titles.contains("Caller (ground truth)") && titles.contains("Barge-in"))
    }

    @Test func spansAndInstantsLandOnTheirLanes() throws {
        let events = try parse(TraceExporter().trace(events: conversation))
        func spans(_ tid: TraceExporter.Lane) -> [[String: Any]] {
            events.filter { $0["ph"] as? String == "X" && $0["tid"] as? Int == tid.rawValue }
        }
        let caller = spans(.caller)
        #expect(caller.count == 1)
        #expect(caller.first?["ts"] as? Int == 100_000)
        #expect(caller.first?["dur"] as? Int == 800_000)
        #expect(spans(.vad).first?["dur"] as? Int == 940_000)
        let playback = spans(.playout).first
        #expect(playback?["dur"] as? Int == 490_000)
        #expect(((playback?["args"] as? [String: Any])?["end"] as? [String: Any])?["reason"] as? String == "interrupted")
        #expect(spans(.tts).first?["dur"] as? Int == 240_000)
        let llm = spans(.llm)
        #expect(llm.count == 2)
        let unterminated = llm.first { ($0["args"] as? [String: Any])?["unterminated"] as? Bool == true }
        #expect(unterminated?["ts"] as? Int == 2_600_000)
        let instants = events.filter { $0["ph"] as? String == "i" }
        #expect(instants.count == 6)
        #expect(instants.contains { $0["tid"] as? Int == TraceExporter.Lane.bargeIn.rawValue })
        #expect(instants.contains { $0["name"] as? String == "final \"Hi there.\"" })
    }

    @Test func traceOfAnArchiveIsDeterministic() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 120).write(to: path)
        let archive = try SessionArchive(path: path)
        let first = dir.path("a.json")
        let second = dir.path("b.json")
        try TraceExporter(sessionName: "x", includesVADProbability: true).export(archive, to: first)
        try TraceExporter(sessionName: "x", includesVADProbability: true).export(archive, to: second)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: first))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: second))))
        let object = try JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        let events = try #require(object?["traceEvents"] as? [[String: Any]])
        #expect(events.filter { $0["ph"] as? String == "C" }.count == 120)
    }

    @Test func theStreamedExportIsTheDocumentOfTheWholeStream() throws {
        let dir = TemporaryDirectory()
        let path = dir.path("session.ctk")
        try SyntheticSession(frameCount: 300).write(to: path)
        let archive = try SessionArchive(path: path)
        for vad in [false, true] {
            let file = dir.path("trace-\(vad).json")
            let exporter = TraceExporter(sessionName: "s \"q\"", includesVADProbability: vad)
            try exporter.export(archive, to: file)
            let expected = exporter.trace(events: try archive.events(), vadFrames: vad ? try archive.vadFrames() : []).canonicalText
            #expect(try String(contentsOfFile: file, encoding: .utf8) == expected, "vad \(vad)")
        }
        // No events at all still makes a whole document.
        let empty = dir.path("empty.ctk")
        try SyntheticSession(frameCount: 0).write(to: empty)
        try TraceExporter().export(try SessionArchive(path: empty), to: dir.path("empty.json"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("empty.json")))) as? [String: Any]
        #expect((object?["traceEvents"] as? [Any])?.count == 1 + 2 * TraceExporter.Lane.allCases.count)
    }
}
