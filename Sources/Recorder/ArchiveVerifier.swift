import Core
import Foundation
import GRDB

/// Checks a session archive against the contract of DESIGN.md §3: schema, meta keys, contiguous
/// frames at the right times, known codecs, packets that decode, a contiguous time-ordered event
/// stream of known kinds with JSON-object data, and one VAD row per mic frame (at most one in a
/// live session, whose pipeline may send none).
///
/// A file that cannot be opened as an archive at all throws (`ArchiveError`); everything else wrong
/// is a finding. Each check reports at most `maxFindingsPerCheck` findings plus a count of the rest.
public struct ArchiveVerifier {
    /// One thing wrong with an archive.
    public struct Finding: Hashable, Sendable, CustomStringConvertible {
        /// The check that failed (`schema`, `meta`, `audio`, `events`, `vad`).
        public var check: String
        /// What is wrong, with the row it concerns.
        public var message: String

        /// Creates a finding.
        public init(check: String, message: String) {
            self.check = check
            self.message = message
        }

        /// `check: message`.
        public var description: String { "\(check): \(message)" }
    }

    /// Findings reported per check before the rest are only counted.
    public var maxFindingsPerCheck = 5
    private let makeDecoder: SessionArchive.DecoderFactory

    /// Creates a verifier; `makeDecoder` supplies decoders beyond `pcm16` (see `SessionArchive`).
    public init(makeDecoder: @escaping SessionArchive.DecoderFactory = { _, _ in nil }) {
        self.makeDecoder = makeDecoder
    }

    /// Verifies the archive at `path`; an empty list means it is sound.
    public func verify(path: String) throws -> [Finding] {
        let archive: SessionArchive
        do {
            archive = try SessionArchive(path: path, makeDecoder: makeDecoder)
        } catch ArchiveError.corrupt(_, let detail) {
            // An archive of the format whose meta cannot be read as an audio format (an edited
            // sample_rate) is a finding, not a file that is no archive at all.
            return [Finding(check: "meta", message: detail)]
        }
        return try verify(archive)
    }

    /// Verifies an opened archive; an empty list means it is sound.
    public func verify(_ archive: SessionArchive) throws -> [Finding] {
        var findings: [Finding] = []
        try archive.read { db in
            findings += limited("schema", try schemaProblems(db))
            findings += limited("meta", metaProblems(archive.meta, db: db))
            var frames: [AudioStream: Int] = [:]
            for stream in AudioStream.allCases {
                let (problems, count) = try audioProblems(stream, archive: archive, db: db)
                findings += limited("audio", problems)
                frames[stream] = count
            }
            let micFrames = frames[.mic] ?? 0
            let source = archive.meta["source"] ?? "simulated"
            // A recorded real session (live, LiveKit, or a replay of one) has the streams its pipeline sent.
            let recorded = ["live", "livekit"].contains(source) || (source == "replay" && archive.meta["recorded_session"] != nil)
            if ["simulated", "replay"].contains(source) && !recorded {
                // Every frame step records one frame of each session stream.
                let counts = AudioStream.sessionStreams.map { "\($0.rawValue) \(frames[$0] ?? 0)" }
                if Set(AudioStream.sessionStreams.map { frames[$0] ?? 0 }).count > 1 {
                    findings += limited("audio", ["the streams differ in length (\(counts.joined(separator: ", ")) frames)"])
                }
            }
            findings += limited("audio", try strayStreams(db))
            findings += limited("clips", try clipProblems(db))
            findings += limited("checksums", try ArchiveChecksums.problems(in: db))
            // micFrames follows the frame numbers in the file, so it may be near Int64's limit.
            let (endUs, overflow) = Int64(micFrames).multipliedReportingOverflow(by: archive.format.frameDuration.microseconds)
            let audioEndUs = overflow ? Int64.max : endUs
            findings += limited("events", try eventProblems(
                db, audioEndUs: recorded ? nil : audioEndUs, micFrames: micFrames,
                expectsEvents: archive.meta["source"].map { ["simulated", "replay", "import"].contains($0) } ?? false))
            findings += limited("vad", try vadProblems(
                db, micFrames: micFrames, format: archive.format, live: recorded))
        }
        return findings
    }

    private func limited(_ check: String, _ problems: Problems) -> [Finding] {
        limited(check, problems.kept, total: problems.count)
    }

    private func limited(_ check: String, _ messages: [String], total: Int? = nil) -> [Finding] {
        let total = total ?? messages.count
        var out = messages.prefix(maxFindingsPerCheck).map { Finding(check: check, message: $0) }
        if total > maxFindingsPerCheck {
            out.append(Finding(check: check, message: "… and \(total - maxFindingsPerCheck) more"))
        }
        return out
    }

    private func schemaProblems(_ db: Database) throws -> [String] {
        var problems: [String] = []
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if !(ArchiveSchema.oldestReadableVersion...ArchiveSchema.formatVersion).contains(version) {
            problems.append("user_version is \(version), expected \(ArchiveSchema.oldestReadableVersion)–\(ArchiveSchema.formatVersion)")
        }
        for table in ArchiveSchema.requiredTables {
            let columns = try ArchiveSchema.columns(of: table, in: db)
            let expected = ArchiveSchema.requiredColumns[table] ?? []
            let missing = expected.filter { !columns.contains($0) }
            if !missing.isEmpty {
                problems.append("table \(table) lacks column(s) \(missing.joined(separator: ", "))")
            }
        }
        let indexes = try db.indexes(on: "events")
        if !indexes.contains(where: { $0.name == "events_t" && $0.columns == ["t_us"] }) {
            problems.append("index events_t on events(t_us) is missing")
        }
        let audioKey = try db.primaryKey("audio").columns
        if audioKey != ["stream", "frame"] {
            problems.append("audio primary key is (\(audioKey.joined(separator: ", "))), expected (stream, frame)")
        }
        return problems
    }

    private func metaProblems(_ meta: [String: String], db: Database) -> [String] {
        var problems: [String] = []
        for key in ArchiveSchema.requiredMetaKeys where meta[key] == nil {
            problems.append("key \(key) is missing")
        }
        let userVersion = (try? Int.fetchOne(db, sql: "PRAGMA user_version")) ?? nil
        if let version = meta["format_version"], let userVersion, version != String(userVersion) {
            problems.append("format_version is '\(version.clippedForMessage)', expected '\(userVersion)' (the user_version)")
        }
        if let seed = meta["seed"], UInt64(seed) == nil, Int64(seed) == nil {
            problems.append("seed '\(seed)' is not an integer")
        }
        if let config = meta["config"] {
            if case .object = try? JSONParser.parse(config) {} else { problems.append("config is not a JSON object") }
        }
        if ["simulated", "replay"].contains(meta["source"] ?? "simulated") {
            // What a replay re-executes from.
            for key in ["scenario", "config", "seed"] where meta[key] == nil {
                problems.append("key \(key) is missing (a \(meta["source"] ?? "simulated") session keeps it for replays)")
            }
        }
        return problems
    }

    /// Problems with `stream`'s frames, and how many frames it has.
    private func audioProblems(_ stream: AudioStream, archive: SessionArchive, db: Database) throws -> (Problems, Int) {
        var problems = Problems(limit: maxFindingsPerCheck)
        let frameUs = Int64(archive.format.frameMs) * 1000
        var decoders: [String: any FrameCodec] = [:]
        var undecodable: Set<String> = []
        var expected = 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT frame, t_us, codec, data FROM audio WHERE stream = ? ORDER BY frame",
            arguments: [stream.rawValue])
        while let row = try rows.next() {
            let frame: Int = try row.decode(atIndex: 0)
            let timeUs: Int64 = try row.decode(atIndex: 1)
            let codec: String = try row.decode(atIndex: 2)
            if frame != expected {
                problems.append("\(stream.rawValue) frame \(frame) follows frame \(expected &- 1) (frames must run 0, 1, 2, …)")
                expected = frame
            }
            // A frame number is read from the file: any Int64, so this arithmetic must not trap.
            expected &+= 1
            let (frameTimeUs, overflow) = Int64(frame).multipliedReportingOverflow(by: frameUs)
            if overflow || timeUs != frameTimeUs {
                let want = overflow ? "a time beyond any session" : "\(frameTimeUs)"
                problems.append("\(stream.rawValue) frame \(frame) at t_us \(timeUs), expected \(want)")
            }
            guard ArchiveSchema.knownCodecs.contains(codec) else {
                problems.append("\(stream.rawValue) frame \(frame) has unknown codec '\(codec)'")
                continue
            }
            guard !undecodable.contains(codec) else { continue }
            let decoder: any FrameCodec
            if let existing = decoders[codec] {
                decoder = existing
            } else {
                do {
                    decoder = try archive.decoder(for: codec)
                } catch {
                    problems.append("\(stream.rawValue): cannot check \(codec) packets: \(error)")
                    undecodable.insert(codec)
                    continue
                }
                decoders[codec] = decoder
            }
            guard let data: Data = try? row.decode(atIndex: 3) else {
                problems.append("\(stream.rawValue) frame \(frame) has no data blob")
                continue
            }
            guard !data.isEmpty else {
                // libopus would conceal an empty packet as a lost one; the writer never stores one.
                problems.append("\(stream.rawValue) frame \(frame) has an empty packet")
                continue
            }
            do {
                let samples = try decoder.decode([UInt8](data))
                if samples.count != archive.format.samplesPerFrame {
                    problems.append("\(stream.rawValue) frame \(frame) decodes to \(samples.count) samples, "
                        + "expected \(archive.format.samplesPerFrame)")
                }
            } catch {
                problems.append("\(stream.rawValue) frame \(frame) does not decode: \(error)")
            }
        }
        return (problems, expected)
    }

    /// Rows of the optional `clips` table that no scenario file could have given.
    private func clipProblems(_ db: Database) throws -> [String] {
        guard try db.tableExists("clips") else { return [] }
        var problems: [String] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT name, sample_rate, typeof(data), length(data) FROM clips ORDER BY name")
        while let row = try rows.next() {
            let name = "'\((String.fromDatabaseValue(row[0] as DatabaseValue) ?? "?").clippedForMessage)'"
            guard case .int64(let rate) = (row[1] as DatabaseValue).storage,
                  case .int64(let bytes) = (row[3] as DatabaseValue).storage,
                  case .string("blob") = (row[2] as DatabaseValue).storage
            else {
                problems.append("clip \(name): sample_rate is not an integer or data is not a blob")
                continue
            }
            if let problem = ArchiveSchema.clipProblem(sampleRate: Int(clamping: rate), bytes: Int(clamping: bytes)) {
                problems.append("clip \(name): \(problem)")
            }
        }
        return problems
    }

    private func strayStreams(_ db: Database) throws -> [String] {
        let known = Set(AudioStream.allCases.map(\.rawValue))
        return try String.fetchAll(db, sql: "SELECT DISTINCT stream FROM audio ORDER BY stream")
            .filter { !known.contains($0) }
            .map { "unknown stream '\($0)'" }
    }

    /// - Parameters:
    ///   - audioEndUs: where the session's audio ends (nil: not checked, a live session's pipeline
    ///     may send events without audio).
    ///   - expectsEvents: the session's pipeline emits events (a simulated, replayed or imported one).
    private func eventProblems(_ db: Database, audioEndUs: Int64?, micFrames: Int, expectsEvents: Bool) throws -> Problems {
        var problems = Problems(limit: maxFindingsPerCheck)
        var count = 0
        var sessionEnd: (seq: Int64, frames: Int?)?
        var expectedSeq: Int64 = 0
        var lastTimeUs = Int64.min
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, t_us, kind, turn, data FROM events ORDER BY seq")
        while let row = try rows.next() {
            let seq: Int64 = try row.decode(atIndex: 0)
            let timeUs: Int64 = try row.decode(atIndex: 1)
            let kind: String = try row.decode(atIndex: 2)
            count += 1
            if let end = sessionEnd {
                problems.append("event \(seq) (\(kind)) follows session.end (event \(end.seq)), which must be the last")
            }
            if timeUs < 0 { problems.append("event \(seq) has negative t_us \(timeUs)") }
            if let end = audioEndUs, micFrames > 0, timeUs > end {
                problems.append("event \(seq) (\(kind)) at t_us \(timeUs) is after the audio ends (\(end))")
            }
            if seq != expectedSeq {
                problems.append("event seq \(seq) follows \(expectedSeq - 1) (seq must run 0, 1, 2, …)")
                expectedSeq = seq
            }
            expectedSeq += 1
            if timeUs < lastTimeUs {
                problems.append("event \(seq) at t_us \(timeUs) is earlier than the event before it (\(lastTimeUs))")
            }
            lastTimeUs = max(lastTimeUs, timeUs)
            if EventKind(rawValue: kind) == nil {
                problems.append("event \(seq) has unknown kind '\(kind)'")
            }
            let turnValue = row[3] as DatabaseValue
            switch turnValue.storage {
            case .null: break
            case .int64(let turn) where turn >= 0: break
            case .int64(let turn): problems.append("event \(seq) has negative turn \(turn)")
            default: problems.append("event \(seq) turn is \(turnValue), not an integer")
            }
            guard let data: String = try? row.decode(atIndex: 4) else {
                problems.append("event \(seq) data is not text")
                continue
            }
            do {
                let value = try JSONParser.parse(data)
                guard case .object = value else {
                    problems.append("event \(seq) data is not a JSON object")
                    continue
                }
                if value.canonicalText != data {
                    problems.append("event \(seq) data is not canonical JSON (sorted keys, no spaces)")
                }
                if kind == EventKind.sessionEnd.rawValue { sessionEnd = (seq, value["frames"]?.intValue.map(Int.init)) }
            } catch {
                problems.append("event \(seq) data: \(error)")
            }
        }
        if count == 0, micFrames > 0, expectsEvents { problems.append("no events for \(micFrames) frames of audio") }
        if let end = sessionEnd, let frames = end.frames, audioEndUs != nil, frames != micFrames {
            problems.append("session.end says \(frames) frames, the mic stream has \(micFrames)")
        }
        return problems
    }

    /// A simulated session has one VAD row per mic frame; a live one (`record --listen`) has them
    /// only when its pipeline sent them, so fewer (none, or a prefix) are fine there.
    private func vadProblems(_ db: Database, micFrames: Int, format: AudioFormat, live: Bool) throws -> Problems {
        var problems = Problems(limit: maxFindingsPerCheck)
        let frameUs = Int64(format.frameMs) * 1000
        var expected = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT frame, t_us, prob, speech FROM vad ORDER BY frame")
        while let row = try rows.next() {
            let frame: Int = try row.decode(atIndex: 0)
            let timeUs: Int64 = try row.decode(atIndex: 1)
            let probability: Double = try row.decode(atIndex: 2)
            let speech: Int64 = try row.decode(atIndex: 3)
            if frame != expected {
                problems.append("vad frame \(frame) follows frame \(expected - 1) (frames must run 0, 1, 2, …)")
                expected = frame
            }
            expected += 1
            if timeUs != Int64(frame) * frameUs {
                problems.append("vad frame \(frame) at t_us \(timeUs), expected \(Int64(frame) * frameUs)")
            }
            if !(0...1).contains(probability) {
                problems.append("vad frame \(frame) probability \(probability) is outside 0…1")
            }
            if speech != 0, speech != 1 {
                problems.append("vad frame \(frame) speech is \(speech), expected 0 or 1")
            }
        }
        if live ? expected > micFrames : expected != micFrames {
            problems.append("\(expected) vad rows for \(micFrames) mic frames" + (live ? " (at most one per mic frame)" : ""))
        }
        return problems
    }
}

extension ArchiveVerifier {
    /// The kinds that always belong to a user turn (a reply's events may have none: a greeting).
    public static let turnKinds: Set<EventKind> = [.vadStart, .vadStop, .sttPartial, .sttFinal, .eotPrediction, .turnEnd, .bargeIn]

    /// How many events of `turnKinds` carry no turn (a warning, not a finding: the protocol allows
    /// it, but metrics then have to attribute them by position).
    public static func eventsWithoutTurn(in archive: SessionArchive) throws -> Int {
        var count = 0
        try archive.forEachEvent(kinds: turnKinds.sorted()) { if $0.turn == nil { count += 1 } }
        return count
    }
}
