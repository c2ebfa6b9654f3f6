import Core
import Engines
import Foundation
import GRDB

/// A session archive (`.ctk`) opened read-only: its meta, events, audio and VAD rows.
///
/// Opening checks that the file is an archive this build reads (SQLite, the §3 tables, a `format`
/// meta row, a known format version, not truncated); anything else is an `ArchiveError` naming the
/// file. Every read can still meet a damaged page and throws then, never traps.
public final class SessionArchive {
    /// Makes a fresh decoder for frames whose `codec` column is `codec`, or returns nil when it
    /// does not know the codec.
    public typealias DecoderFactory = (_ codec: String, _ format: AudioFormat) throws -> (any FrameCodec)?

    /// The file the archive was opened from.
    public let path: String
    /// The `meta` table.
    public let meta: [String: String]
    /// Sample rate and frame length (from meta `sample_rate`, `frame_ms`).
    public let format: AudioFormat

    private let database: DatabaseQueue
    private let makeDecoder: DecoderFactory

    /// Opens the archive at `path` read-only.
    ///
    /// - Parameter makeDecoder: asked first for each codec (tests, future codecs); when it returns
    ///   nil, `pcm16` gets `PCM16Codec` and `opus` Engines' `OpusCodec`.
    public init(path: String, makeDecoder: @escaping DecoderFactory = { _, _ in nil }) throws {
        self.path = path
        self.makeDecoder = makeDecoder
        // Before SQLite opens it: open() of a FIFO would block for ever.
        try InputFile.checkRegular(path, what: "an archive")
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ArchiveError.io(path: path, detail: "permission denied")
        }
        try Self.checkWALCanOpen(path)
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "crosstalk.archive.read"
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw ArchiveError.notAnArchive(path: path, reason: error.message ?? "cannot open")
        }
        do {
            meta = try database.read { db in
                try ArchiveSchema.validate(db, path: path)
                try Self.checkNotTruncated(db, path: path)
                return try Dictionary(
                    ArchiveMetaRow.fetchAll(db).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            }
        } catch let error as DatabaseError {
            throw ArchiveError.notAnArchive(path: path, reason: error.message ?? "unreadable")
        } catch {
            throw ArchiveError.wrapping(error, path: path)
        }
        switch ArchiveSchema.audioFormat(sampleRate: meta["sample_rate"], frameMs: meta["frame_ms"]) {
        case .success(let format): self.format = format
        case .failure(let problem): throw ArchiveError.corrupt(path: path, detail: problem.message)
        }
    }

    /// A WAL-mode archive (one whose writer never finished it, e.g. killed) can be read only where
    /// SQLite can create its `-shm` index (and `-wal`) beside it; in a read-only folder SQLite's
    /// own error would make it look like no archive at all.
    private static func checkWALCanOpen(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 20)) ?? Data()
        // Bytes 18 and 19 of a SQLite header are 2 in WAL mode.
        guard header.count == 20, header.starts(with: Data("SQLite format 3\0".utf8)), header[18] == 2 || header[19] == 2 else { return }
        let folder = OutputFile.folder(of: path)
        let missing = ["-shm", "-wal"].filter { !FileManager.default.fileExists(atPath: path + $0) }
        guard !missing.isEmpty, access(folder, W_OK) != 0 else { return }
        throw ArchiveError.io(
            path: path,
            detail: "is an unfinished (WAL-mode) archive, and SQLite cannot create its \(missing.joined(separator: " and ")) file "
                + "in the read-only folder \(folder); copy it (with its -wal file, if any) to a writable folder")
    }

    /// A database whose header promises more pages than the file holds was cut short (a copy
    /// that stopped half-way). Pages that live only in a WAL file are fine, so only a file without
    /// one is judged.
    private static func checkNotTruncated(_ db: Database, path: String) throws {
        let pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let walAttributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal")
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        let walSize = (walAttributes?[.size] as? NSNumber)?.int64Value ?? 0
        if walSize == 0, size < pageCount * pageSize {
            throw ArchiveError.notAnArchive(
                path: path, reason: "truncated: \(size) of \(pageCount * pageSize) bytes")
        }
    }

    /// Runs `body` in a read transaction, turning every failure into an `ArchiveError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch let error as ArchiveError {
            throw error
        } catch let error as DatabaseError {
            throw ArchiveError.database(path: path, detail: ArchiveError.describe(error))
        } catch {
            throw ArchiveError.corrupt(path: path, detail: "\(error)")
        }
    }

    /// All events in `seq` order.
    public func events() throws -> [PipelineEvent] {
        try read { db in
            try ArchiveEventRow.order(Column("seq")).fetchAll(db).map { try $0.event(path: path) }
        }
    }

    /// Events with `from <= time < to`, in time order (ties in `seq` order); uses the `events_t` index.
    public func events(from: SimInstant, to: SimInstant) throws -> [PipelineEvent] {
        try read { db in
            try ArchiveEventRow.fetchAll(db, sql: """
                SELECT * FROM events WHERE t_us >= ? AND t_us < ? ORDER BY t_us, seq
                """, arguments: [from.microseconds, to.microseconds]).map { try $0.event(path: path) }
        }
    }

    /// Number of frames stored for `stream`.
    public func frameCount(_ stream: AudioStream) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audio WHERE stream = ?", arguments: [stream.rawValue]) ?? 0
        }
    }

    /// The encoded frames of `stream` with `frames.lowerBound <= frame < frames.upperBound`, in order.
    func audioRows(_ stream: AudioStream, frames: Range<Int>? = nil) throws -> [ArchiveAudioRow] {
        let range = frames ?? 0..<Int.max
        return try read { db in
            try ArchiveAudioRow
                .filter(Column("stream") == stream.rawValue && Column("frame") >= range.lowerBound
                    && Column("frame") < range.upperBound)
                .order(Column("frame"))
                .fetchAll(db)
        }
    }

    /// The samples of `frames` of `stream`, decoding from `warmupFrames` before the span instead of
    /// from frame 0: enough for a codec to settle (a level meter), without reading the whole session.
    /// Not bit-exact with `decodedAudio(_:frames:)` for stateful codecs; use that where exactness matters.
    public func decodedAudio(_ stream: AudioStream, frames: Range<Int>, warmupFrames: Int) throws -> [Int16] {
        guard !frames.isEmpty else { return [] }
        guard frames.count <= ArchiveSchema.maxFrames(format) else {
            throw ArchiveError.corrupt(path: path, detail: "\(frames.count) frames of \(stream.rawValue) asked for, beyond any session")
        }
        let rows = try audioRows(stream, frames: max(0, frames.lowerBound - warmupFrames)..<frames.upperBound)
        let perFrame = format.samplesPerFrame
        var samples = [Int16](repeating: 0, count: frames.count * perFrame)
        var decoders: [String: any FrameCodec] = [:]
        for row in rows {
            try decode(row, stream: stream, decoders: &decoders, into: &samples, from: frames.lowerBound)
        }
        return samples
    }

    /// The stored packets of `stream` in frame order (codec name and bytes), for byte-exact comparisons.
    public func packets(_ stream: AudioStream) throws -> [(codec: String, bytes: [UInt8])] {
        try audioRows(stream).map { ($0.codec, [UInt8]($0.data)) }
    }

    /// A fresh decoder for `codec`: the caller's factory first, then the built-in `pcm16` and `opus`.
    public func decoder(for codec: String) throws -> any FrameCodec {
        do {
            if let decoder = try makeDecoder(codec, format) { return decoder }
            switch codec {
            case "pcm16": return PCM16Codec(samplesPerFrame: format.samplesPerFrame)
            // Decoding needs only rate and frame size; bitrate and complexity are encoder settings.
            case "opus": return try OpusCodec(sampleRate: format.sampleRate, samplesPerFrame: format.samplesPerFrame)
            default: break
            }
        } catch {
            throw ArchiveError.codecUnavailable(path: path, detail: "\(codec) decoder: \(error)")
        }
        throw ArchiveError.corrupt(path: path, detail: "no decoder for codec '\(codec)'")
    }

    /// The samples of `stream`: every frame decoded in order by one fresh decoder per codec, each at
    /// `frame * samplesPerFrame` (a missing frame leaves silence, so times stay aligned).
    ///
    /// With `frames`, returns only those frames' samples; decoding still starts at frame 0, since a
    /// stateful codec's output depends on every packet before.
    public func decodedAudio(_ stream: AudioStream, frames: Range<Int>? = nil) throws -> [Int16] {
        let rows = try audioRows(stream, frames: frames.map { 0..<$0.upperBound })
        let perFrame = format.samplesPerFrame
        let first = frames?.lowerBound ?? 0
        let end = frames?.upperBound ?? ((rows.last?.frame ?? -1) &+ 1)
        guard end > first else { return [] }
        // A tampered frame number would size the buffer: no stream is longer than the longest session.
        guard end - first <= ArchiveSchema.maxFrames(format) else {
            throw ArchiveError.corrupt(path: path, detail: "\(stream.rawValue) frame \(end - 1) is beyond any session (at most \(ArchiveSchema.maxFrames(format)) frames)")
        }
        var samples = [Int16](repeating: 0, count: (end - first) * perFrame)
        var decoders: [String: any FrameCodec] = [:]
        for row in rows {
            try decode(row, stream: stream, decoders: &decoders, into: &samples, from: first)
        }
        return samples
    }

    /// Decodes `row` of `stream` with the decoder `decoders` holds for its codec (made on first
    /// use, so each codec's packets go through one instance in order) and, when the row is at or
    /// after frame `first`, copies its samples into `samples` at `(frame - first) * samplesPerFrame`.
    /// Rows before `first` are decoded only to bring a stateful decoder up to date.
    func decode(_ row: ArchiveAudioRow, stream: AudioStream, decoders: inout [String: any FrameCodec],
                into samples: inout [Int16], from first: Int) throws {
        let decoder: any FrameCodec
        if let existing = decoders[row.codec] {
            decoder = existing
        } else {
            decoder = try self.decoder(for: row.codec)
            decoders[row.codec] = decoder
        }
        let frame: [Int16]
        do {
            frame = try decoder.decode([UInt8](row.data))
        } catch {
            throw ArchiveError.codec(path: path, stream: stream.rawValue, frame: row.frame, detail: "\(error)")
        }
        guard row.frame >= first else { return }
        let perFrame = format.samplesPerFrame
        let start = (row.frame - first) * perFrame
        for i in 0..<min(frame.count, perFrame) { samples[start + i] = frame[i] }
    }

    /// The VAD rows in frame order.
    public func vadFrames() throws -> [VADFrame] {
        try read { db in
            try ArchiveVADRow.order(Column("frame")).fetchAll(db).map {
                VADFrame(frame: $0.frame, time: SimInstant(microseconds: $0.tUs), probability: $0.prob,
                         speech: $0.speech)
            }
        }
    }

    /// The recorded audio files the session's scenario named (caller clips, a noise recording),
    /// by path as written; empty for archives without a `clips` table.
    public func recordings() throws -> [String: (sampleRate: Int, samples: [Int16])] {
        try read { db in
            guard try db.tableExists("clips") else { return [:] }
            var out: [String: (sampleRate: Int, samples: [Int16])] = [:]
            for row in try ArchiveClipRow.fetchAll(db) {
                if let problem = ArchiveSchema.clipProblem(sampleRate: row.sampleRate, bytes: row.data.count) {
                    throw ArchiveError.corrupt(path: path, detail: "clip '\(row.name.clippedForMessage)': \(problem)")
                }
                out[row.name] = (row.sampleRate, PCM16Codec.samples(of: [UInt8](row.data)))
            }
            return out
        }
    }
}
