import Foundation

/// One slice of a sweep's work items for running a sweep on several machines: `--shard i/n`
/// (0-based, `0 ≤ i < n`) runs the work items whose index modulo `n` is `i`.
///
/// Work item `k` is archive `k % archives` at grid point `k / archives`, so every shard gets a
/// spread of points and archives. `crosstalk merge` combines the `n` partial results.
public struct SweepShard: Hashable, Sendable, CustomStringConvertible {
    /// This shard, `0..<count`.
    public var index: Int
    /// Number of shards.
    public var count: Int

    /// Shard `index` of `count` (checked).
    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= 1_000_000 else { throw ReplayError("--shard \(index)/\(count): the shard count must be 1 or more") }
        guard index >= 0, index < count else {
            throw ReplayError("--shard \(index)/\(count): shards are numbered from 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { throw ReplayError("--shard \(text): expected i/n with 0 ≤ i < n, e.g. 0/4") }
        try self.init(index: i, count: n)
    }

    /// Whether work item `item` belongs to this shard.
    public func contains(_ item: Int) -> Bool { item % count == index }

    /// `i/n`.
    public var description: String { "\(index)/\(count)" }
}
