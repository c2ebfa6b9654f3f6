import Core
import Foundation
import GRDB

/// One row of the `meta` table.
struct ArchiveMetaRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String
}

/// One row of the `events` table; `data` is canonical JSON text.
struct ArchiveEventRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "events"
    var seq: Int64
    var tUs: Int64
    var kind: String
    var turn: Int?
    var data: String

    enum CodingKeys: String, CodingKey {
        case seq, tUs = "t_us", kind, turn, data
    }

    /// The row as a pipeline event; throws when the kind is unknown or the data is not JSON.
    func event(path: String) throws -> PipelineEvent {
        guard let eventKind = EventKind(rawValue: kind) else {
            throw ArchiveError.corrupt(path: path, detail: "event \(seq) has unknown kind '\(kind)'")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw ArchiveError.corrupt(path: path, detail: "event \(seq) data: \(error)")
        }
        return PipelineEvent(seq: seq, time: SimInstant(microseconds: tUs), kind: eventKind, turn: turn, data: value)
    }
}

/// One row of the `audio` table: one encoded frame of one stream.
struct ArchiveAudioRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "audio"
    var stream: String
    var frame: Int
    var tUs: Int64
    var codec: String
    var data: Data

    enum CodingKeys: String, CodingKey {
        case stream, frame, tUs = "t_us", codec, data
    }
}

/// One row of the `vad` table.
struct ArchiveVADRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "vad"
    var frame: Int
    var tUs: Int64
    var prob: Double
    var speech: Bool

    enum CodingKeys: String, CodingKey {
        case frame, tUs = "t_us", prob, speech
    }
}

/// The VAD's verdict on one mic frame, as read back from an archive.
public struct VADFrame: Hashable, Sendable {
    /// Mic frame index.
    public var frame: Int
    /// Start of the frame.
    public var time: SimInstant
    /// Speech probability in 0…1.
    public var probability: Double
    /// The VAD's speech/silence state after this frame.
    public var speech: Bool

    /// Creates a VAD verdict.
    public init(frame: Int, time: SimInstant, probability: Double, speech: Bool) {
        self.frame = frame
        self.time = time
        self.probability = probability
        self.speech = speech
    }
}

/// One row of the optional `clips` table: a recorded audio file the scenario names (a caller clip
/// or the noise recording), kept so replays need none of the original files.
struct ArchiveClipRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "clips"
    /// The path as written in the scenario.
    var name: String
    /// The rate `data` is at (the session's).
    var sampleRate: Int
    /// Mono 16-bit little-endian PCM.
    var data: Data

    enum CodingKeys: String, CodingKey {
        case name, sampleRate = "sample_rate", data
    }
}
