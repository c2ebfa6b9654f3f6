import Core

/// One horizontal lane of the timeline.
public enum Lane: String, CaseIterable, Sendable {
    case caller, mic, vad, stt, turn, llm, tts, bot, alerts

    /// The label drawn left of the lane.
    public var title: String { self == .turn ? "turn.end" : rawValue }

    /// The event kinds drawn in this lane (and visited by the cursor when the lane is shown).
    public var kinds: [EventKind] {
        switch self {
        case .caller: return [.callerSpeechStart, .callerSpeechEnd]
        case .mic: return []
        case .vad: return [.vadStart, .vadStop]
        case .stt: return [.sttPartial, .sttFinal]
        case .turn: return [.turnEnd]
        case .llm: return [.llmRequest, .llmToken, .llmDone, .llmCancel]
        case .tts: return [.ttsRequest, .ttsChunk, .ttsDone, .ttsCancel]
        case .bot: return [.playStart, .playStop]
        case .alerts: return [.bargeIn, .sessionEnd]
        }
    }

    /// The lane an event kind is drawn in.
    public static func of(_ kind: EventKind) -> Lane {
        allCases.first { $0.kinds.contains(kind) } ?? .alerts
    }

    /// The lane's colour.
    public var color: TerminalColor {
        switch self {
        case .caller, .mic: return .cyan
        case .vad, .bot: return .green
        case .stt: return .white
        case .turn: return .yellow
        case .llm: return .magenta
        case .tts: return .blue
        case .alerts: return .red
        }
    }

    /// The lane's base style.
    public var style: TextStyle {
        switch self {
        case .mic: return TextStyle(foreground: color, dim: true)
        default: return TextStyle(foreground: color)
        }
    }
}

/// Which lanes and event kinds are shown (and visited by the cursor), from the `/` filter text.
///
/// The text is words separated by spaces or commas; each names a lane (`stt`, `bot`, `alerts`)
/// or a prefix of event kinds (`stt.final`, `llm`, `turn.end`, `barge`). Empty shows everything.
public struct EventFilter: Hashable, Sendable {
    /// The text it was made from.
    public private(set) var text = ""
    /// Lanes shown.
    public private(set) var lanes: Set<Lane> = Set(Lane.allCases)
    /// Event kinds shown.
    public private(set) var kinds: Set<EventKind> = Set(EventKind.allCases)

    /// Everything shown.
    public init() {}

    /// Parses `text`; throws a one-line message naming a word that matches nothing.
    public init(_ text: String) throws {
        let words = text.lowercased().split { $0 == " " || $0 == "," }.map(String.init)
        guard !words.isEmpty else { return }
        var lanes: Set<Lane> = []
        var kinds: Set<EventKind> = []
        for word in words {
            if let lane = Lane.allCases.first(where: { $0.rawValue == word || $0.title == word }) {
                lanes.insert(lane)
                kinds.formUnion(lane.kinds)
                continue
            }
            let matching = EventKind.allCases.filter { $0.rawValue.hasPrefix(word) }
            guard !matching.isEmpty else {
                throw FilterError(message: "no lane or event kind '\(word)' (lanes: \(Lane.allCases.map(\.title).joined(separator: " ")))")
            }
            kinds.formUnion(matching)
            for kind in matching { lanes.insert(Lane.of(kind)) }
        }
        self.text = words.joined(separator: " ")
        self.lanes = lanes
        self.kinds = kinds
    }

    /// Whether nothing is hidden.
    public var isEmpty: Bool { text.isEmpty }

    /// Whether `event` is shown.
    public func shows(_ event: PipelineEvent) -> Bool { kinds.contains(event.kind) }
}

/// A filter that names nothing known.
public struct FilterError: Error, CustomStringConvertible {
    /// One line.
    public var message: String
    public var description: String { message }
}
