import Core
import Foundation

/// Exports a session's events as Chrome/Perfetto trace-event JSON (`{"traceEvents": [...]}`), one
/// track per pipeline lane, so ui.perfetto.dev or chrome://tracing shows the session as a timeline.
///
/// Spans ("X" events, `ts`/`dur` in µs of virtual time) cover caller speech, VAD speech, LLM streams,
/// TTS requests and playback; instants ("i") mark partials, finals, turn ends, tokens, chunks and
/// barge-ins. `args` carry each event's data. Output is canonical JSON (sorted keys), so the same
/// session always gives the same bytes.
public struct TraceExporter {
    /// A track in the trace (its `tid`).
    public enum Lane: Int, CaseIterable, Sendable {
        case caller = 1, vad, stt, turns, llm, tts, playout, bargeIn

        /// The track's name, shown by the viewer.
        public var title: String {
            switch self {
            case .caller: return "Caller (ground truth)"
            case .vad: return "VAD"
            case .stt: return "STT"
            case .turns: return "Endpointer / turns"
            case .llm: return "LLM"
            case .tts: return "TTS"
            case .playout: return "Playout"
            case .bargeIn: return "Barge-in"
            }
        }
    }

    /// The trace's process name (e.g. the session id).
    public var sessionName: String
    /// Adds a `vad.prob` counter track from the archive's VAD rows (one sample per mic frame).
    public var includesVADProbability: Bool

    /// Creates an exporter.
    public init(sessionName: String = "crosstalk session", includesVADProbability: Bool = false) {
        self.sessionName = sessionName
        self.includesVADProbability = includesVADProbability
    }

    /// Writes the trace of `archive` to `path`, item by item as the events are read (a cursor), so
    /// memory does not grow with the number of events; the bytes are those of `trace(events:vadFrames:)`.
    public func export(_ archive: SessionArchive, to path: String) throws {
        let file = try TextFileWriter(path: path, what: "cannot write trace")
        // The document with no items, split where they go: "traceEvents" sorts last, so its array closes the text.
        let empty = document(items: []).canonicalText
        precondition(empty.hasSuffix("[]}"), "traceEvents is the document's last member")
        try file.write(String(empty.dropLast(2)))
        var first = true
        try items(
            events: { try archive.forEachEvent($0) },
            vadFrames: { body in if includesVADProbability { try archive.forEachVADFrame(body) } }
        ) { item in
            try file.write(first ? item.canonicalText : "," + item.canonicalText)
            first = false
        }
        try file.write("]}")
        try file.close()
    }

    /// The trace document for `events` (in seq order) and optional VAD frames.
    public func trace(events: [PipelineEvent], vadFrames: [VADFrame] = []) -> JSONValue {
        var out: [JSONValue] = []
        // The closures throw nothing here: they walk arrays.
        try? items(events: { body in try events.forEach(body) }, vadFrames: { body in try vadFrames.forEach(body) }) {
            out.append($0)
        }
        return document(items: out)
    }

    /// Emits the trace items in document order: metadata, spans and instants as the events go by,
    /// the spans left open at the last event's time, then the VAD counter samples.
    private func items(
        events: ((PipelineEvent) throws -> Void) throws -> Void,
        vadFrames: ((VADFrame) throws -> Void) throws -> Void,
        emit outerEmit: (JSONValue) throws -> Void
    ) throws {
        // `emit` is called only while this function runs; the sources below are non-escaping too.
        try withoutActuallyEscaping(outerEmit) { emit in
        for item in metadata() { try emit(item) }
        var builder = SpanBuilder()
        var end: Int64?
        try events { event in
            end = max(end ?? event.time.microseconds, event.time.microseconds)
            for item in builder.consume(event) { try emit(item) }
        }
        for item in builder.closeAll(at: end ?? 0) { try emit(item) }
        try vadFrames { frame in
            try emit([
                "name": "vad.prob", "ph": "C", "pid": 1, "ts": .int(frame.time.microseconds),
                "args": ["prob": .double(frame.probability)],
            ])
        }
        }
    }

    private func document(items: [JSONValue]) -> JSONValue {
        [
            "displayTimeUnit": "ms",
            "otherData": ["session": .string(sessionName), "time": "virtual (µs since session start)"],
            "traceEvents": .array(items),
        ]
    }

    private func metadata() -> [JSONValue] {
        var out: [JSONValue] = [
            ["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": .string(sessionName)]],
        ]
        for lane in Lane.allCases {
            let tid = JSONValue.int(Int64(lane.rawValue))
            out.append(["name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": ["name": .string(lane.title)]])
            out.append(["name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid,
                        "args": ["sort_index": .int(Int64(lane.rawValue))]])
        }
        return out
    }
}

/// Pairs start and end events into spans, lane by lane.
///
/// An end event closes the open span with the same `id` in its data when there is one, else the
/// oldest open span of its lane; a cancel closes every open span of its lane. Spans still open when
/// the events run out end at the last event and are marked `unterminated`.
private struct SpanBuilder {
    private struct OpenSpan {
        var name: String
        var event: PipelineEvent
    }

    private var open: [TraceExporter.Lane: [OpenSpan]] = [:]

    /// What an event kind does on the timeline.
    private enum Role {
        case start(TraceExporter.Lane, String)
        case end(TraceExporter.Lane, cancelsAll: Bool)
        case instant(TraceExporter.Lane, String)
    }

    // A table rather than a switch, so a kind added to Core later shows up (as an instant on the
    // turns lane) instead of breaking the build.
    private static let roles: [EventKind: Role] = [
        .callerSpeechStart: .start(.caller, "caller speech"), .callerSpeechEnd: .end(.caller, cancelsAll: false),
        .vadStart: .start(.vad, "speech"), .vadStop: .end(.vad, cancelsAll: false),
        .llmRequest: .start(.llm, "LLM stream"), .llmDone: .end(.llm, cancelsAll: false),
        .llmCancel: .end(.llm, cancelsAll: true),
        .ttsRequest: .start(.tts, "TTS"), .ttsDone: .end(.tts, cancelsAll: false),
        .ttsCancel: .end(.tts, cancelsAll: true),
        .playStart: .start(.playout, "playback"), .playStop: .end(.playout, cancelsAll: false),
        .sttPartial: .instant(.stt, "partial"), .sttFinal: .instant(.stt, "final"),
        .turnEnd: .instant(.turns, "turn end"), .llmToken: .instant(.llm, "token"),
        .ttsChunk: .instant(.tts, "chunk"), .bargeIn: .instant(.bargeIn, "barge-in"),
        .sessionEnd: .instant(.turns, "session end"),
    ]

    mutating func consume(_ event: PipelineEvent) -> [JSONValue] {
        switch Self.roles[event.kind] ?? .instant(.turns, event.kind.rawValue) {
        case .start(let lane, let name): return start(lane, name + Self.quoted(event.data["text"]), event)
        case .end(let lane, let cancelsAll): return end(lane, event, all: cancelsAll)
        case .instant(let lane, let name): return [Self.instant(lane, name + Self.quoted(event.data["text"]), event)]
        }
    }

    private mutating func start(_ lane: TraceExporter.Lane, _ name: String, _ event: PipelineEvent) -> [JSONValue] {
        open[lane, default: []].append(OpenSpan(name: name, event: event))
        return []
    }

    private mutating func end(_ lane: TraceExporter.Lane, _ event: PipelineEvent, all: Bool) -> [JSONValue] {
        var spans = open[lane] ?? []
        guard !spans.isEmpty else { return [Self.instant(lane, event.kind.rawValue + " (no start)", event)] }
        let closing: [OpenSpan]
        if all {
            closing = spans
            spans = []
        } else if let id = event.data["id"], let index = spans.firstIndex(where: { $0.event.data["id"] == id }) {
            closing = [spans.remove(at: index)]
        } else {
            closing = [spans.removeFirst()]
        }
        open[lane] = spans
        return closing.map { Self.span(lane, $0, endKind: event.kind.rawValue, endTime: event.time, endData: event.data) }
    }

    mutating func closeAll(at endUs: Int64) -> [JSONValue] {
        var out: [JSONValue] = []
        for lane in TraceExporter.Lane.allCases {
            for span in open[lane] ?? [] {
                out.append(Self.span(lane, span, endKind: nil, endTime: SimInstant(microseconds: endUs), endData: nil))
            }
        }
        open = [:]
        return out
    }

    private static func span(
        _ lane: TraceExporter.Lane, _ span: OpenSpan, endKind: String?, endTime: SimInstant, endData: JSONValue?
    ) -> JSONValue {
        var args: [String: JSONValue] = [
            "start": span.event.data, "start_seq": .int(span.event.seq),
        ]
        if let turn = span.event.turn { args["turn"] = .int(Int64(turn)) }
        if let endKind, let endData {
            args["end"] = endData
            args["end_kind"] = .string(endKind)
        } else {
            args["unterminated"] = true
        }
        let name = endKind.map { $0.hasSuffix(".cancel") ? span.name + " (cancelled)" : span.name } ?? span.name
        return [
            "name": .string(name), "cat": .string(span.event.kind.rawValue), "ph": "X", "pid": 1,
            "tid": .int(Int64(lane.rawValue)), "ts": .int(span.event.time.microseconds),
            "dur": .int(max(0, endTime.microseconds - span.event.time.microseconds)), "args": .object(args),
        ]
    }

    private static func instant(_ lane: TraceExporter.Lane, _ name: String, _ event: PipelineEvent) -> JSONValue {
        var args: [String: JSONValue] = ["data": event.data, "seq": .int(event.seq)]
        if let turn = event.turn { args["turn"] = .int(Int64(turn)) }
        return [
            "name": .string(name), "cat": .string(event.kind.rawValue), "ph": "i", "s": "t", "pid": 1,
            "tid": .int(Int64(lane.rawValue)), "ts": .int(event.time.microseconds), "args": .object(args),
        ]
    }

    /// ` "text"` shortened to 40 characters, or empty when there is no text.
    private static func quoted(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue else { return "" }
        let short = text.count > 40 ? String(text.prefix(39)) + "…" : text
        return " \"\(short)\""
    }
}
