import Core
import Foundation

/// The transcript given with an imported call (`crosstalk import --transcript T.json`).
///
/// ```json
/// {
///   "caller": [ { "start": 0.52, "end": 2.10, "text": "Hi, I'd like to book a table.",
///                 "words": [ { "word": "Hi,", "start": 0.52, "end": 0.70 }, … ] } ],
///   "bot":    [ { "start": 2.90, "end": 4.60, "text": "Sure. For how many people?" } ]
/// }
/// ```
/// Times are seconds from the start of the recording. Each `caller` entry is one caller turn;
/// `words` are optional (without them the turn's words are spread over `start…end` by length).
/// Each `bot` entry is one bot reply: with a two-channel recording its times (optional) place the
/// reply in the bot channel; with a caller-only recording its `text` is what the simulated bot says.
public struct CallTranscript: Equatable, Sendable {
    /// One turn or reply.
    public struct Entry: Equatable, Sendable {
        /// Start, if given.
        public var start: SimInstant?
        /// End, if given.
        public var end: SimInstant?
        /// The text.
        public var text: String
        /// Word timings, if given.
        public var words: [SimulatedSTT.SpokenWord]
        /// For a bot reply: when the recorded pipeline ended the user turn it answers (`turn_end`),
        /// if known. Replays then keep the real pipeline's latency from its own turn end.
        public var turnEnd: SimInstant? = nil
    }

    /// The caller's turns.
    public var caller: [Entry]
    /// The bot's replies.
    public var bot: [Entry]

    /// Reads and checks `path`; errors name the file and the entry.
    public static func read(path: String) throws -> CallTranscript {
        try InputFile.checkRegular(path, what: "a transcript")
        guard let data = FileManager.default.contents(atPath: path) else { throw ArchiveError.io(path: path, detail: "cannot read the file") }
        guard data.count <= 64 << 20 else { throw ArchiveError.io(path: path, detail: "a transcript of \(data.count >> 20) MiB is too large (at most 64 MiB)") }
        guard let text = String(data: data, encoding: .utf8) else { throw ArchiveError.io(path: path, detail: "not UTF-8 text") }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw ArchiveError.io(path: path, detail: "\(error)") }
        return try CallTranscript(json: json, path: path)
    }

    /// Checks and converts a parsed transcript.
    public init(json: JSONValue, path: String) throws {
        func fail(_ detail: String) -> ArchiveError { .io(path: path, detail: detail) }
        guard case .object(let members) = json else { throw fail("expected an object with 'caller' and 'bot' lists") }
        for key in members.keys.sorted() where key != "caller" && key != "bot" {
            throw fail("unknown key '\(key)' (expected 'caller' and 'bot')")
        }
        func seconds(_ value: JSONValue?, _ at: String) throws -> SimInstant? {
            guard let value, value != .null else { return nil }
            guard let s = value.doubleValue, s.isFinite, s >= 0, s < 86_400 else {
                throw fail("\(at): expected seconds from the start (a number from 0 to 86400)")
            }
            return SimInstant(microseconds: Int64((s * 1_000_000).rounded()))
        }
        func entries(_ key: String) throws -> [Entry] {
            guard let value = members[key], value != .null else { return [] }
            guard let list = value.arrayValue else { throw fail("'\(key)' must be a list") }
            var out: [Entry] = []
            for (i, item) in list.enumerated() {
                let at = "\(key)[\(i)]"
                guard case .object = item else { throw fail("\(at): expected an object") }
                guard let text = item["text"]?.stringValue else { throw fail("\(at).text: expected a string") }
                let start = try seconds(item["start"], "\(at).start"), end = try seconds(item["end"], "\(at).end")
                if let start, let end, end < start { throw fail("\(at): end \(end) is before start \(start)") }
                var words: [SimulatedSTT.SpokenWord] = []
                if let ws = item["words"], ws != .null {
                    guard let list = ws.arrayValue else { throw fail("\(at).words: expected a list") }
                    for (j, w) in list.enumerated() {
                        let wat = "\(at).words[\(j)]"
                        guard let word = w["word"]?.stringValue else { throw fail("\(wat).word: expected a string") }
                        guard let a = try seconds(w["start"], "\(wat).start"), let b = try seconds(w["end"], "\(wat).end"), b >= a else {
                            throw fail("\(wat): needs start ≤ end in seconds")
                        }
                        if let last = words.last, a < last.start { throw fail("\(wat): words must be in time order") }
                        words.append(.init(text: word, start: a, end: b))
                    }
                }
                let turnEnd = try seconds(item["turn_end"], "\(at).turn_end")
                if turnEnd != nil, key != "bot" { throw fail("\(at).turn_end: only bot replies have one (the turn end they answer)") }
                if let turnEnd, let start = start ?? words.first?.start, turnEnd > start {
                    throw fail("\(at).turn_end \(turnEnd) is after the reply's start \(start): a reply answers a turn that has ended")
                }
                out.append(Entry(start: start ?? words.first?.start, end: end ?? words.last?.end, text: text, words: words, turnEnd: turnEnd))
            }
            return out
        }
        caller = try entries("caller")
        bot = try entries("bot")
        for (i, turn) in caller.enumerated() {
            guard turn.start != nil, turn.end != nil else { throw fail("caller[\(i)]: needs start and end (or words)") }
            guard !Self.words(turn.text).isEmpty || !turn.words.isEmpty else { throw fail("caller[\(i)]: has no words") }
            if i > 0, let a = caller[i - 1].start, let b = turn.start, b < a { throw fail("caller[\(i)]: turns must be in time order") }
        }
    }

    /// The caller's turns with word times: given ones, or the text's words spread over the turn.
    public var callerTurns: [ObservedCall.CallerTurn] {
        caller.map { entry in
            let start = entry.start!, end = entry.end!
            var words = entry.words
            if words.isEmpty {
                let texts = Self.words(entry.text)
                let total = Int64(texts.reduce(0) { $0 + $1.count + 1 })
                let span = (end - start).microseconds
                var used: Int64 = 0
                for w in texts {
                    let a = start + SimDuration(microseconds: span * used / total)
                    used += Int64(w.count + 1)
                    // The space after a word is not speech.
                    let b = start + SimDuration(microseconds: span * (used - 1) / total)
                    words.append(.init(text: w, start: a, end: b))
                }
            }
            let text = entry.text.isEmpty ? words.map(\.text).joined(separator: " ") : entry.text
            return ObservedCall.CallerTurn(start: start, text: text, words: words)
        }
    }

    /// Whitespace-separated words.
    static func words(_ text: String) -> [String] { text.split(whereSeparator: \.isWhitespace).map(String.init) }
}

extension CallTranscript {
    /// The caller's turns as QA's labels (`--caller-turns labels.json`): each entry's start and end.
    public var callerLabels: CallerLabels {
        CallerLabels(turns: zip(caller, callerTurns).map { entry, turn in
            CallerLabels.Turn(start: entry.start ?? turn.start, end: entry.end ?? turn.end, text: turn.text)
        })
    }

    /// Reads `path` as caller labels (`--caller-turns`); a bad file throws naming the file and the entry.
    public static func callerLabels(path: String) throws -> CallerLabels {
        try read(path: path).callerLabels
    }
}
