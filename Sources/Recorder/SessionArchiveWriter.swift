import Core
import Foundation
import GRDB

/// Records a running session into a session archive (`.ctk`, DESIGN.md §3).
///
/// The simulation thread's calls only append to in-memory buffers. Each `checkpoint(at:)` hands the
/// buffered rows to one background worker that encodes the caller/bot (and unencoded mic) frames
/// and commits them in one transaction; at most a few batches wait, and `checkpoint` blocks beyond
/// that so memory stays bounded. The file is written in WAL mode, with the meta rows committed
/// first: a recorder killed at any moment leaves an archive that opens and holds everything up to
/// its last commit. `finish()` commits the rest and leaves one self-contained file.
///
/// The archive is written to `temporaryPath` (`PATH.partial`, see `OutputFile`) and renamed to
/// `path` by `finish()`; an existing file at `path` is untouched until then. A writer that fails,
/// or is dropped unfinished, removes its temporary file; one killed outright leaves it there, a
/// valid archive up to its last commit.
///
/// Errors on the worker are thrown by the next `checkpoint`, `commit` or `finish`.
public final class SessionArchiveWriter: SessionRecording {
    /// Where the archive is written.
    public let path: String
    /// Where it is until `finish()` renames it to `path` (and where a killed writer leaves it).
    public let temporaryPath: String
    /// Sample rate and frame length of every stream.
    public let format: AudioFormat

    private let worker: ArchiveWriteWorker
    private let overwrite: Bool
    private var pending = ArchiveBatch()
    private var finished = false

    /// Batches that may wait for the worker before the producer blocks.
    private static let queueCapacity = 4
    /// Rows buffered before they are handed over even without a checkpoint (bounds memory if a
    /// caller checkpoints rarely).
    private static let maxPendingRows = 20_000

    /// Creates the archive at `path` and commits its schema and meta rows.
    ///
    /// - Parameters:
    ///   - meta: session metadata (`scenario`, `config`, `seed`, `session_id`, `created_by`, …). The
    ///     writer adds `format`, `format_version`, `sample_rate` and `frame_ms` (and `created_by` =
    ///     `crosstalk` when absent).
    ///   - format: the session's audio format.
    ///   - packetCodec: the `codec` value of frames handed over already encoded (`packet:`), i.e. the
    ///     in-loop codec of the mic path.
    ///   - overwrite: replace an existing file at `path` when finished; otherwise its existence is
    ///     an error and nothing is touched.
    ///   - makeCodec: makes the encoder for frames handed over as samples; called on the worker,
    ///     once per stream (each instance sees one stream's frames in order).
    ///   - recordings: the recorded audio files the scenario names (mono, at the session's rate),
    ///     committed with the meta rows into the `clips` table.
    public init(
        path: String, meta: [String: String], format: AudioFormat, packetCodec: String = "opus",
        overwrite: Bool = false, recordings: [(path: String, samples: [Int16])] = [],
        makeCodec: @escaping @Sendable () throws -> any FrameCodec
    ) throws {
        precondition(format.samplesPerFrame > 0, "audio format \(format) has no samples per frame")
        self.path = path
        self.format = format
        // Fail early, on the caller's thread and before touching any file, when the codec cannot
        // be made at all.
        do {
            _ = try makeCodec()
        } catch {
            throw ArchiveError.codecUnavailable(path: path, detail: "\(error)")
        }
        try OutputFile.check(path, overwrite: overwrite)
        self.overwrite = overwrite
        temporaryPath = try OutputFile.claimTemporary(for: path)
        let database: DatabaseQueue
        do {
            database = try Self.create(
                path: temporaryPath, named: path, meta: Self.completed(meta, format: format), recordings: recordings,
                sampleRate: format.sampleRate)
        } catch {
            Self.remove(temporaryPath)
            throw error
        }
        worker = ArchiveWriteWorker(
            database: database, path: path, capacity: Self.queueCapacity, packetCodecName: packetCodec,
            makeCodec: makeCodec)
    }

    deinit {
        if !finished {
            // Not finished (e.g. the simulation threw): no partial archive is left under either
            // name; a worker error has nowhere to go from here.
            try? worker.close(compact: false)
            Self.remove(temporaryPath)
        }
    }

    /// Rows committed so far (events, audio frames and VAD rows).
    public var committedRows: Int { worker.committedRows }

    /// Buffers an event.
    public func record(event: PipelineEvent) {
        precondition(!finished, "record(event:) after finish()")
        pending.events.append(event)
        handIfFull()
    }

    /// Buffers one frame of a stream; `packet`, when given, is stored as is under `packetCodec`.
    public func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?) {
        precondition(!finished, "record(stream:) after finish()")
        pending.frames.append(ArchiveBatch.Frame(
            stream: stream, frame: frame, timeUs: time.microseconds, samples: samples, packet: packet))
        handIfFull()
    }

    /// Buffers one VAD verdict.
    public func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool) {
        precondition(!finished, "record(vadFrame:) after finish()")
        pending.vad.append(ArchiveBatch.VAD(
            frame: frame, timeUs: time.microseconds, probability: probability, speech: speech))
        handIfFull()
    }

    /// Buffers a meta row that adds to (or replaces one of) those the archive was created with.
    public func record(meta key: String, value: String) {
        precondition(!finished, "record(meta:) after finish()")
        pending.meta.append((key, value))
    }

    /// Hands everything buffered so far to the worker, which commits it in one transaction.
    /// Throws the worker's first error, if it hit one.
    public func checkpoint(at time: SimInstant) throws {
        precondition(!finished, "checkpoint(at:) after finish()")
        try throwIfFailed()
        hand()
    }

    /// Hands over everything buffered and waits until it is committed.
    public func commit() throws {
        precondition(!finished, "commit() after finish()")
        try throwIfFailed()
        hand()
        worker.drain()
        try throwIfFailed()
    }

    /// Commits everything, folds the WAL into the archive, closes it and renames it to `path`.
    /// Calling it again does nothing.
    ///
    /// On a failure the temporary file is removed, except when `path` was created by someone else
    /// meanwhile (without `overwrite`): then the finished archive stays at `temporaryPath` and the
    /// error says so, since it may hold a live session that cannot be recorded again.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        hand()
        worker.drain()
        do {
            let failure = worker.firstFailure
            try worker.close(compact: failure == nil)
            if let failure { throw failure }
        } catch {
            Self.remove(temporaryPath)
            throw error
        }
        do {
            try OutputFile.commit(temporaryPath, to: path, overwrite: overwrite, companions: ArchiveCompanion.suffixes)
        } catch ArchiveError.exists(let path) {
            throw ArchiveError.io(
                path: path, detail: "was created by another program while this session was written; the session is kept in \(temporaryPath)")
        } catch {
            Self.remove(temporaryPath)
            throw error
        }
    }

    /// Removes an unfinished archive and its journal files.
    private static func remove(_ path: String) {
        for suffix in [""] + ArchiveCompanion.suffixes { unlink(path + suffix) }
    }

    private func throwIfFailed() throws {
        if let failure = worker.firstFailure { throw failure }
    }

    private func handIfFull() {
        if pending.rowCount >= Self.maxPendingRows { hand() }
    }

    private func hand() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = ArchiveBatch()
        pending.events.reserveCapacity(batch.events.count)
        pending.frames.reserveCapacity(batch.frames.count)
        pending.vad.reserveCapacity(batch.vad.count)
        worker.submit(batch)
    }

    /// `meta` with the keys the writer owns filled in.
    static func completed(_ meta: [String: String], format: AudioFormat) -> [String: String] {
        var meta = meta
        meta["format"] = ArchiveSchema.formatName
        meta["format_version"] = String(ArchiveSchema.formatVersion)
        meta["sample_rate"] = String(format.sampleRate)
        meta["frame_ms"] = String(format.frameMs)
        if meta["created_by"] == nil { meta["created_by"] = "crosstalk" }
        return meta
    }

    /// Creates the file in WAL mode, runs the migrations, and commits the meta rows (and the
    /// recordings, if any).
    private static func create(
        path: String, named name: String, meta: [String: String], recordings: [(path: String, samples: [Int16])], sampleRate: Int
    ) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.label = "crosstalk.archive"
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            // In WAL mode, NORMAL loses no commit when the process dies (only on power loss), and
            // spares an fsync per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Each commit appends every page it touches to the WAL anew (index pages, the last
            // leaf of each stream), so with SQLite's default (1000 pages) the WAL grew to 6x the
            // archive. Checkpointing every few dozen pages and truncating the WAL after each
            // checkpoint keeps writing within about twice the archive's final size.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walCheckpointPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(walSizeLimitBytes)")
        }
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration)
            try ArchiveSchema.migrator.migrate(database)
            try database.write { db in
                for (key, value) in meta.sorted(by: { $0.key < $1.key }) {
                    try ArchiveMetaRow(key: key, value: value).insert(db)
                }
                if !recordings.isEmpty { try db.execute(sql: ArchiveSchema.createClipsTable) }
                for (name, samples) in recordings.sorted(by: { $0.path < $1.path }) {
                    try ArchiveClipRow(name: name, sampleRate: sampleRate, data: Data(PCM16Codec.bytes(of: samples))).insert(db)
                }
                var touched = ArchiveChecksums.Touched()
                touched.mark(.meta)
                if !recordings.isEmpty { touched.mark(.clips) }
                try ArchiveChecksums.refresh(touched, in: db)
            }
            return database
        } catch {
            throw ArchiveError.wrapping(error, path: name)
        }
    }

    /// WAL pages after which a commit checkpoints them into the archive.
    static let walCheckpointPages = 16
    /// Size the WAL is truncated to after a checkpoint.
    static let walSizeLimitBytes = 16 * 4096
}
