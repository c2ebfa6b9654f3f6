import Core
import Dispatch
import Foundation
import GRDB

/// Frames, events and VAD rows recorded between two checkpoints; written in one transaction.
struct ArchiveBatch: Sendable {
    /// One frame as the simulation handed it over: samples to encode, or an already-encoded packet.
    struct Frame: Sendable {
        var stream: AudioStream
        var frame: Int
        var timeUs: Int64
        var samples: [Int16]
        var packet: [UInt8]?
    }

    /// One VAD verdict.
    struct VAD: Sendable {
        var frame: Int
        var timeUs: Int64
        var probability: Double
        var speech: Bool
    }

    var events: [PipelineEvent] = []
    var frames: [Frame] = []
    var vad: [VAD] = []
    /// Meta rows added or replaced after the archive was created (e.g. a replay's diff).
    var meta: [(key: String, value: String)] = []

    var isEmpty: Bool { events.isEmpty && frames.isEmpty && vad.isEmpty && meta.isEmpty }

    /// The checksum chunks the batch's rows fall in.
    var touchedChunks: ArchiveChecksums.Touched {
        var touched = ArchiveChecksums.Touched()
        for event in events { touched.mark(.events, key: event.seq) }
        for frame in frames { touched.mark(.audio(frame.stream.rawValue), key: Int64(frame.frame)) }
        for row in vad { touched.mark(.vad, key: Int64(row.frame)) }
        if !meta.isEmpty { touched.mark(.meta) }
        return touched
    }
    var rowCount: Int { events.count + frames.count + vad.count + meta.count }
}

/// The writer's background half: encodes batches and commits each in one transaction, in order,
/// on one serial queue, with at most `capacity` batches waiting (the producer blocks beyond that).
///
/// Thread-safety (hence `@unchecked Sendable`): `codecs` and the database connection are used only
/// on `queue`; `failure` and `committedRows` are guarded by `lock`.
final class ArchiveWriteWorker: @unchecked Sendable {
    private let database: DatabaseQueue
    private let path: String
    private let makeCodec: @Sendable () throws -> any FrameCodec
    private let packetCodecName: String
    private let queue = DispatchQueue(label: "crosstalk.archive-writer")
    private let slots: DispatchSemaphore
    private let lock = NSLock()
    private var failure: ArchiveError?
    private var committed = 0
    private var codecs: [AudioStream: any FrameCodec] = [:]

    /// Takes over `database`; `makeCodec` is called on the worker, once per stream it encodes.
    init(
        database: DatabaseQueue, path: String, capacity: Int, packetCodecName: String,
        makeCodec: @escaping @Sendable () throws -> any FrameCodec
    ) {
        precondition(capacity > 0, "the write queue needs room for at least one batch")
        self.database = database
        self.path = path
        self.makeCodec = makeCodec
        self.packetCodecName = packetCodecName
        self.slots = DispatchSemaphore(value: capacity)
    }

    /// The first error the worker hit, if any (it then drops later batches).
    var firstFailure: ArchiveError? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Rows committed so far.
    var committedRows: Int {
        lock.lock()
        defer { lock.unlock() }
        return committed
    }

    /// Queues `batch`; blocks while `capacity` batches are already waiting.
    func submit(_ batch: ArchiveBatch) {
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            self.write(batch)
        }
    }

    /// Waits until every submitted batch is committed (or dropped after a failure).
    func drain() {
        queue.sync {}
    }

    /// Drains, folds the WAL into the main file, switches it to rollback-journal mode so the archive
    /// is one self-contained file, compacts it (unless `compact` is false: a failed archive that is
    /// about to be removed), and closes the connection.
    func close(compact: Bool = true) throws {
        drain()
        try queue.sync {
            do {
                try database.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                    do {
                        try db.execute(sql: "PRAGMA journal_mode = DELETE")
                        // Frames of three streams arrive interleaved, so B-tree pages end up half
                        // full; rewriting once at the end roughly halves the archive.
                        if compact { try db.execute(sql: "VACUUM") }
                    } catch let error as DatabaseError
                        where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                        // Another connection (a live viewer) has the file open, so it cannot leave
                        // WAL mode now. Everything is committed and checkpointed as far as that
                        // reader allows; the file stays a valid WAL-mode archive.
                    }
                }
                try database.close()
            } catch {
                throw ArchiveError.wrapping(error, path: path)
            }
        }
    }

    private func setFailure(_ error: ArchiveError) {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil { failure = error }
    }

    private func write(_ batch: ArchiveBatch) {
        guard firstFailure == nil else { return }
        do {
            let audio = try encode(batch.frames)
            try database.write { db in
                try insert(events: batch.events, db)
                try insert(audio: audio, db)
                try insert(vad: batch.vad, db)
                for row in batch.meta { try ArchiveMetaRow(key: row.key, value: row.value).save(db) }
                try ArchiveChecksums.refresh(batch.touchedChunks, in: db)
            }
            lock.lock()
            committed += batch.rowCount
            lock.unlock()
        } catch {
            setFailure(ArchiveError.wrapping(error, path: path))
        }
    }

    /// One encoded audio row.
    private struct EncodedFrame {
        var stream: AudioStream
        var frame: Int
        var timeUs: Int64
        var codec: String
        var data: Data
    }

    /// Encodes each stream's frames in arrival order (each stream's codec sees its frames in order),
    /// the streams side by side on the machine's cores (their encoders share nothing, so the packets
    /// are the same as one after the other), then sorts them by primary key so each stream's rows
    /// append to its own run of b-tree pages.
    private func encode(_ frames: [ArchiveBatch.Frame]) throws -> [EncodedFrame] {
        var groups: [(stream: AudioStream, frames: [ArchiveBatch.Frame], codec: (any FrameCodec)?)] = []
        for stream in AudioStream.allCases {
            let mine = frames.filter { $0.stream == stream }
            guard !mine.isEmpty else { continue }
            let needsCodec = mine.contains { $0.packet == nil }
            groups.append((stream, mine, needsCodec ? try codec(for: stream) : nil))
        }
        let results = UnsafeResults(count: groups.count)
        let packetCodecName = packetCodecName, path = path
        let work = UnsafeGroups(groups: groups)
        DispatchQueue.concurrentPerform(iterations: groups.count) { index in
            let group = work.groups[index]
            results.set(index, Result { () throws -> [EncodedFrame] in
                var out: [EncodedFrame] = []
                out.reserveCapacity(group.frames.count)
                for frame in group.frames {
                    if let packet = frame.packet {
                        out.append(EncodedFrame(stream: frame.stream, frame: frame.frame, timeUs: frame.timeUs,
                                                codec: packetCodecName, data: Data(packet)))
                        continue
                    }
                    guard let codec = group.codec else { preconditionFailure("a frame to encode in a group without a codec") }
                    do {
                        let packet = try codec.encode(frame.samples)
                        out.append(EncodedFrame(stream: frame.stream, frame: frame.frame, timeUs: frame.timeUs,
                                                codec: codec.name, data: Data(packet)))
                    } catch {
                        throw ArchiveError.codec(path: path, stream: frame.stream.rawValue, frame: frame.frame,
                                                 detail: "cannot encode: \(error)")
                    }
                }
                out.sort { $0.frame < $1.frame }
                return out
            })
        }
        var out: [EncodedFrame] = []
        out.reserveCapacity(frames.count)
        // Streams in the order of their names (the primary key's order), as before.
        for index in groups.indices.sorted(by: { groups[$0].stream.rawValue < groups[$1].stream.rawValue }) {
            out += try results.get(index)
        }
        return out
    }

    /// The streams to encode, shared read-only with the encoding threads (each codec is used by one).
    private struct UnsafeGroups: @unchecked Sendable {
        let groups: [(stream: AudioStream, frames: [ArchiveBatch.Frame], codec: (any FrameCodec)?)]
    }

    /// One result slot per stream, each written by exactly one encoding thread.
    private final class UnsafeResults: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Result<[EncodedFrame], any Error>?>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }
        deinit {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        func set(_ index: Int, _ result: Result<[EncodedFrame], any Error>) { slots[index] = result }
        func get(_ index: Int) throws -> [EncodedFrame] {
            guard let result = slots[index] else { preconditionFailure("stream \(index) was not encoded") }
            return try result.get()
        }
    }

    private func codec(for stream: AudioStream) throws -> any FrameCodec {
        if let codec = codecs[stream] { return codec }
        let codec: any FrameCodec
        do {
            codec = try makeCodec()
        } catch {
            throw ArchiveError.codecUnavailable(path: path, detail: "\(stream.rawValue) stream: \(error)")
        }
        codecs[stream] = codec
        return codec
    }

    // Raw cached statements rather than record `insert`s: the write path must sustain hundreds of
    // thousands of small rows per second, and this is where the time goes.

    private func insert(events: [PipelineEvent], _ db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO events (seq, t_us, kind, turn, data) VALUES (?, ?, ?, ?, ?)")
        for event in events {
            try statement.execute(arguments: [
                event.seq, event.time.microseconds, event.kind.rawValue, event.turn, event.data.canonicalText,
            ])
        }
    }

    private func insert(audio: [EncodedFrame], _ db: Database) throws {
        guard !audio.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO audio (stream, frame, t_us, codec, data) VALUES (?, ?, ?, ?, ?)")
        for row in audio {
            try statement.execute(arguments: [row.stream.rawValue, row.frame, row.timeUs, row.codec, row.data])
        }
    }

    private func insert(vad: [ArchiveBatch.VAD], _ db: Database) throws {
        guard !vad.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO vad (frame, t_us, prob, speech) VALUES (?, ?, ?, ?)")
        for row in vad {
            try statement.execute(arguments: [row.frame, row.timeUs, row.probability, row.speech ? 1 : 0])
        }
    }
}
