import Core
import Foundation

/// Runs a parameter sweep: every archive replayed at every grid point (DESIGN.md §4, sweeps).
///
/// Work item `k` replays archive `k % archives` at grid point `k / archives` with the `--set`
/// overrides then the point's own. `jobs` threads pull work items by increasing index and store each
/// result at its index, so the result is the same whatever the job count and finishing order.
/// With a shard, only the work items of that shard run (a partial result for `merge`).
public struct SweepRunner: Sendable {
    /// Archive paths, in order.
    public var archivePaths: [String]
    /// The grid.
    public var grid: SweepGrid
    /// `--set` overrides applied at every point, before the point's own.
    public var overrides: [String]
    /// `--retime` adjustments applied at every point.
    public var retime: [String]
    /// Worker threads.
    public var jobs: Int
    /// The shard to run (nil: everything).
    public var shard: SweepShard?
    /// QA's caller labels per archive, in archive order (`--caller-turns`; missing: none).
    public var callerLabels: [CallerLabels?] = []
    /// Told, once the sweep is done, how many end-of-turn scores its points reused and how many ran
    /// the model (`pipeline.endpointing.mode: model`; both 0 otherwise).
    public var endOfTurnScoreUsage: (@Sendable (_ reused: Int, _ computed: Int) -> Void)?

    /// Stack size of a worker thread (the simulation is not deeply recursive; this is headroom).
    static let workerStackBytes = 16 << 20

    /// A sweep of `archives` over `grid`.
    public init(
        archives: [String], grid: SweepGrid, overrides: [String] = [], retime: [String] = [],
        jobs: Int = SweepRunner.defaultJobs, shard: SweepShard? = nil
    ) {
        self.retime = retime
        archivePaths = archives
        self.grid = grid
        self.overrides = overrides
        self.jobs = jobs
        self.shard = shard
    }

    /// One job per active core.
    public static var defaultJobs: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Work items in the whole sweep.
    public var workItemCount: Int { archivePaths.count * grid.count }

    /// The work items this run covers, in increasing order.
    public var workItems: [Int] { (0..<workItemCount).filter { shard?.contains($0) ?? true } }

    /// Opens the archives, checks every swept value up front, then runs the work items.
    ///
    /// `progress(done, total)` is called from worker threads after each work item.
    public func run(progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws -> SweepResult {
        try checkArguments()
        let replayers = try Self.parallelMap(count: archivePaths.count, jobs: jobs) { index in
            try SessionReplayer(path: archivePaths[index], callerLabels: callerLabels.indices.contains(index) ? callerLabels[index] : nil)
        }
        var seen: [String: Int] = [:]
        for (i, r) in replayers.enumerated() {
            if let j = seen[r.sessionID] {
                throw ReplayError("\(archivePaths[i]): the same session as \(archivePaths[j]) (session id \(r.sessionID)); give each archive once")
            }
            seen[r.sessionID] = i
        }
        try validate(replayers)
        let items = workItems
        let total = items.count
        let counter = Counter()
        progress?(0, total)
        let results = try Self.parallelMap(count: total, jobs: jobs) { n -> SweepSample in
            let k = items[n]
            let archive = k % archivePaths.count, point = k / archivePaths.count
            let sample: SweepSample
            do {
                let replayer = replayers[archive]
                let events = try replayer.replayEvents(overrides: overrides + grid.overrides(at: point), retime: retime)
                sample = SweepSample(events: replayer.callerLabels?.applied(to: events) ?? events)
            } catch let error as ScenarioError {
                throw error
            } catch {
                throw ReplayError("\(archivePaths[archive]) at \(grid.overrides(at: point).joined(separator: " ")): \(error)")
            }
            if let progress { progress(counter.increment(), total) }
            return sample
        }
        var samples = [SweepSample?](repeating: nil, count: workItemCount)
        for (n, k) in items.enumerated() { samples[k] = results[n] }
        let archives = zip(archivePaths, replayers).map { SweepResult.Archive(path: $0, sessionID: $1.sessionID) }
        if let endOfTurnScoreUsage {
            let usage = replayers.map(\.endOfTurnScoreUsage).reduce((0, 0)) { ($0.0 + $1.reused, $0.1 + $1.computed) }
            endOfTurnScoreUsage(usage.0, usage.1)
        }
        var result = SweepResult(grid: grid, overrides: overrides, archives: archives, shard: shard, samples: samples)
        result.retime = retime
        return result
    }

    private func checkArguments() throws {
        guard !archivePaths.isEmpty else { throw ReplayError("sweep: give at least one archive (.ctk)") }
        guard jobs >= 1 else { throw ReplayError("--jobs \(jobs): must be 1 or more") }
        for item in overrides {
            let key = item.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? item
            if grid.parameters.contains(where: { $0.key == key }) {
                throw ReplayError("--set \(item): \(key) is also swept by --param; give it once")
            }
        }
    }

    /// Decodes the scenario at every swept value (other parameters at their first value) on the
    /// first archive, and at the first point on every archive, so a typo in a key or an impossible
    /// value fails before any replay runs.
    func validate(_ replayers: [SessionReplayer]) throws {
        _ = try replayers[0].source.scenario(overrides: overrides, retime: retime)
        let first = grid.values(at: 0)
        for (i, p) in grid.parameters.enumerated() {
            for value in p.values {
                var values = first
                values[i] = value
                let sets = zip(grid.parameters, values).map { "\($0.key)=\($1)" }
                try naming(p.key) { _ = try replayers[0].source.scenario(overrides: overrides + sets, retime: retime) }
            }
        }
        for r in replayers.dropFirst() { _ = try r.source.scenario(overrides: overrides + grid.overrides(at: 0)) }
    }

    /// Runs `body`, saying `--param KEY` instead of `--set KEY` in a scenario error about the swept `key`.
    private func naming(_ key: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as ScenarioError where error.message.hasPrefix("--set \(key):") {
            throw ScenarioError(message: "--param" + error.message.dropFirst("--set".count))
        }
    }

    /// Runs `body(0..<count)` on `jobs` threads, items handed out by increasing index; results by index.
    /// On an error no new item starts; the error of the lowest failing index is thrown (every lower
    /// index had already started, so that is the same error whatever the timing).
    static func parallelMap<T: Sendable>(count: Int, jobs: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let pool = WorkPool<T>(count: count)
        let threads = min(jobs, count)
        if threads <= 1 {
            pool.work(body)
        } else {
            let done = DispatchGroup()
            for _ in 0..<threads {
                done.enter()
                let thread = Thread {
                    pool.work(body)
                    done.leave()
                }
                thread.stackSize = workerStackBytes
                thread.start()
            }
            done.wait()
        }
        return try pool.collect()
    }
}

/// A thread-safe counter (progress).
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

/// The shared state of `SweepRunner.parallelMap`: the next index and the results by index.
private final class WorkPool<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var failed = false
    private var results: [Result<T, Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// Takes items until none is left (or one failed) and stores their results.
    func work(_ body: (Int) throws -> T) {
        while true {
            lock.lock()
            guard !failed, next < results.count else { lock.unlock(); return }
            let i = next
            next += 1
            lock.unlock()
            let result = Result { try body(i) }
            lock.lock()
            results[i] = result
            if case .failure = result { failed = true }
            lock.unlock()
        }
    }

    /// The results in index order, or the lowest-index error.
    func collect() throws -> [T] {
        lock.lock()
        defer { lock.unlock() }
        var out: [T] = []
        out.reserveCapacity(results.count)
        for r in results {
            guard let r else { break }
            out.append(try r.get())
        }
        precondition(out.count == results.count, "work pool stopped without an error")
        return out
    }
}
