import Core
import Foundation
import Recorder

/// Loudness of an archive's audio streams in 5 ms blocks, decoded tile by tile as the view needs it.
///
/// Only the tiles a view has asked for are kept (a bounded least-recently-used set), so memory does
/// not grow with the session's length. Interactive use computes tiles on a background queue with its
/// own archive connection and bumps `generation` when some land; scripts and tests compute inline.
public final class AudioLevels: @unchecked Sendable {
    /// Frames per tile (5.12 s at 20 ms frames).
    static let tileFrames = 256
    /// Level blocks per frame.
    static let blocksPerFrame = 4
    /// Tiles kept at most (about 1 KB each).
    static let capacity = 768
    /// Frames decoded before a tile so a stateful decoder has settled.
    static let warmupFrames = 25

    private struct TileKey: Hashable { var stream: AudioStream; var tile: Int }

    /// The archive file.
    public let path: String
    /// Its audio format.
    public let format: AudioFormat
    /// Frames stored per stream.
    public let frameCounts: [AudioStream: Int]

    private let lock = NSLock()
    private var tiles: [TileKey: [UInt8]] = [:]
    private var recency: [TileKey: Int] = [:]
    private var clock = 0
    private var pending: Set<TileKey> = []
    private var changes = 0
    private var inBackground = false
    /// The newest background request per stream; older ones still queued are dropped (the view moved on).
    private var newestRequest: [AudioStream: Int] = [:]
    private var requestCounter = 0
    private var reader: LevelReader?
    private let queue = DispatchQueue(label: "crosstalk.inspect.levels")

    /// Levels for the archive at `path` with `frameCounts` frames per stream.
    public init(path: String, format: AudioFormat, frameCounts: [AudioStream: Int]) {
        self.path = path
        self.format = format
        self.frameCounts = frameCounts
    }

    /// Compute missing tiles on a background queue (interactive use) instead of inline.
    public var background: Bool {
        get { lock.withLock { inBackground } }
        set { lock.withLock { inBackground = newValue } }
    }

    /// Increases whenever background work lands new tiles (the UI redraws when it changes).
    public var generation: Int { lock.withLock { changes } }

    /// Whether tiles are still being computed.
    public var busy: Bool { lock.withLock { !pending.isEmpty } }

    /// Tiles held now (bounded by `capacity`).
    public var tileCount: Int { lock.withLock { tiles.count } }

    /// Microseconds per level block.
    var blockMicroseconds: Int64 { Int64(format.frameMs) * 1000 / Int64(Self.blocksPerFrame) }

    /// The level (0 silent … 255 full scale) of `stream` for each of `columns` columns of
    /// `columnMicroseconds` starting at `from`: the loudest block in the column; nil where a tile
    /// is still being computed in the background.
    public func columnLevels(_ stream: AudioStream, from: SimInstant, columnMicroseconds: Int64, columns: Int) -> [UInt8?] {
        guard columns > 0, columnMicroseconds > 0, let frames = frameCounts[stream], frames > 0 else {
            return Array(repeating: 0, count: max(0, columns))
        }
        let block = blockMicroseconds
        let totalBlocks = frames * Self.blocksPerFrame
        let tileBlocks = Self.tileFrames * Self.blocksPerFrame
        let firstBlock = max(0, Int(from.microseconds / block))
        let lastBlock = min(totalBlocks, Int((from.microseconds + columnMicroseconds * Int64(columns) + block - 1) / block))
        var available: [Int: [UInt8]] = [:]
        if firstBlock < lastBlock { available = fetch(stream, tiles: (firstBlock / tileBlocks)...((lastBlock - 1) / tileBlocks)) }
        var out = [UInt8?](repeating: 0, count: columns)
        for c in 0..<columns {
            let start = from.microseconds + Int64(c) * columnMicroseconds
            guard start >= 0 else { continue }
            let a = Int(start / block), b = min(totalBlocks, Int((start + columnMicroseconds + block - 1) / block))
            guard a < b else { continue }
            var peak: UInt8 = 0
            var missing = false
            for i in a..<b {
                guard let tile = available[i / tileBlocks] else { missing = true; break }
                let j = i % tileBlocks
                if j < tile.count { peak = max(peak, tile[j]) }
            }
            out[c] = missing ? nil : peak
        }
        return out
    }

    /// The tiles in `range`, computing missing ones inline or scheduling them in the background.
    private func fetch(_ stream: AudioStream, tiles range: ClosedRange<Int>) -> [Int: [UInt8]] {
        var found: [Int: [UInt8]] = [:]
        var missing: [Int] = []
        let background = lock.withLock { () -> Bool in
            for t in range {
                let key = TileKey(stream: stream, tile: t)
                if let tile = tiles[key] {
                    clock += 1
                    recency[key] = clock
                    found[t] = tile
                } else if !pending.contains(key) {
                    missing.append(t)
                }
            }
            if inBackground, !missing.isEmpty {
                for t in missing { pending.insert(TileKey(stream: stream, tile: t)) }
                requestCounter += 1
                newestRequest[stream] = requestCounter
            }
            return inBackground
        }
        guard !missing.isEmpty else { return found }
        if background {
            let work = missing
            let request = lock.withLock { requestCounter }
            queue.async { [self] in
                guard isNewest(request, stream, dropping: work) else { return }
                compute(stream, tiles: work, notify: true)
            }
        } else {
            for (t, tile) in compute(stream, tiles: missing, notify: false) { found[t] = tile }
        }
        return found
    }

    /// Whether `request` is still the newest for `stream`; if not, forgets its tiles so a later view can ask again.
    private func isNewest(_ request: Int, _ stream: AudioStream, dropping tiles: [Int]) -> Bool {
        lock.withLock {
            guard newestRequest[stream] != request else { return true }
            for t in tiles { pending.remove(TileKey(stream: stream, tile: t)) }
            return false
        }
    }

    /// Decodes contiguous runs of `tiles` and stores their levels.
    @discardableResult
    private func compute(_ stream: AudioStream, tiles wanted: [Int], notify: Bool) -> [Int: [UInt8]] {
        var result: [Int: [UInt8]] = [:]
        let tileBlocks = Self.tileFrames * Self.blocksPerFrame
        for run in Self.runs(wanted.sorted()) {
            let frames = run.lowerBound * Self.tileFrames..<min(frameCounts[stream] ?? 0, (run.upperBound + 1) * Self.tileFrames)
            var levels: [UInt8] = []
            if !frames.isEmpty, let samples = try? openReader().samples(stream, frames: frames) {
                levels = Self.blockLevels(samples, samplesPerBlock: format.samplesPerFrame / Self.blocksPerFrame)
            }
            for t in run {
                let offset = (t - run.lowerBound) * tileBlocks
                result[t] = offset < levels.count ? Array(levels[offset..<min(levels.count, offset + tileBlocks)]) : []
            }
        }
        lock.withLock {
            for (t, tile) in result {
                let key = TileKey(stream: stream, tile: t)
                pending.remove(key)
                clock += 1
                tiles[key] = tile
                recency[key] = clock
            }
            evict()
            if notify { changes += 1 }
        }
        return result
    }

    /// Drops the least recently used tiles beyond the capacity (lock held).
    private func evict() {
        guard tiles.count > Self.capacity else { return }
        let excess = tiles.count - Self.capacity
        for key in recency.sorted(by: { $0.value < $1.value }).prefix(excess).map(\.key) {
            tiles[key] = nil
            recency[key] = nil
        }
    }

    /// The decoding connection, opened on first use (only ever used by one thread at a time:
    /// the background queue, or the caller when not in background mode).
    private func openReader() throws -> LevelReader {
        if let reader { return reader }
        let made = try LevelReader(path: path, frameCounts: frameCounts)
        reader = made
        return made
    }

    /// Sorted integers grouped into runs of consecutive values.
    static func runs(_ values: [Int]) -> [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        for v in values {
            if let last = runs.last, last.upperBound + 1 == v { runs[runs.count - 1] = last.lowerBound...v } else { runs.append(v...v) }
        }
        return runs
    }

    /// RMS level of each block of `samplesPerBlock` samples, mapped from -60…-6 dBFS onto 1…255 (0: quieter).
    static func blockLevels(_ samples: [Int16], samplesPerBlock: Int) -> [UInt8] {
        let n = max(1, samplesPerBlock)
        var out: [UInt8] = []
        out.reserveCapacity(samples.count / n + 1)
        var i = 0
        while i < samples.count {
            let end = min(samples.count, i + n)
            var sum: Double = 0
            for j in i..<end { let s = Double(samples[j]); sum += s * s }
            let rms = (sum / Double(end - i)).squareRoot() / 32768
            let db = rms > 0 ? 20 * log10(rms) : -120
            out.append(db < -60 ? 0 : UInt8(max(1, min(255, ((db + 60) / 54 * 254).rounded() + 1))))
            i = end
        }
        return out
    }
}
