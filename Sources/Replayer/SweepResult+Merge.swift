/// Combining partial results (`crosstalk merge`).
extension SweepResult {
    /// Combines `parts` (partial or complete results of the same sweep, in any order) into the
    /// complete result an unsharded run gives. The parts must agree on grid, `--set` overrides and
    /// archive session ids (paths come from the first part); every work item must be covered
    /// exactly once, except that identical duplicates are accepted.
    public static func merge(_ parts: [(source: String, result: SweepResult)]) throws -> SweepResult {
        guard let (firstSource, first) = parts.first else { throw ReplayError("merge: give the partial result files to combine") }
        var samples = [SweepSample?](repeating: nil, count: first.workItemCount)
        var from = [String?](repeating: nil, count: first.workItemCount)
        for (source, part) in parts {
            guard part.grid == first.grid else {
                throw ReplayError("\(source): its --param grid differs from \(firstSource)'s; parts of one sweep must share it")
            }
            guard part.retime == first.retime else {
                throw ReplayError("\(source): its --retime \(part.retime) differs from \(firstSource)'s \(first.retime)")
            }
            guard part.overrides == first.overrides else {
                throw ReplayError("\(source): its --set overrides \(part.overrides) differ from \(firstSource)'s \(first.overrides)")
            }
            guard part.archives.map(\.sessionID) == first.archives.map(\.sessionID) else {
                throw ReplayError("\(source): its archives (session ids) differ from \(firstSource)'s; parts of one sweep must list the same archives in the same order")
            }
            for (k, sample) in part.samples.enumerated() {
                guard let sample else { continue }
                if let earlier = samples[k] {
                    guard earlier == sample else {
                        throw ReplayError("\(source): work item \(k) differs from the one in \(from[k]!) (different builds?)")
                    }
                } else {
                    samples[k] = sample
                    from[k] = source
                }
            }
        }
        if let missing = samples.firstIndex(where: { $0 == nil }) {
            let count = samples.filter { $0 == nil }.count
            let hint = parts.compactMap(\.result.shard).first.map { n -> String in
                let have = Set(parts.compactMap { $0.result.shard?.index })
                let absent = (0..<n.count).filter { !have.contains($0) }.map { "\($0)/\(n.count)" }
                return absent.isEmpty ? "" : " (shard \(absent.joined(separator: ", ")) not given?)"
            } ?? ""
            throw ReplayError("merge: \(count) of \(samples.count) work items are missing, the first is \(missing)\(hint)")
        }
        var merged = SweepResult(grid: first.grid, overrides: first.overrides, archives: first.archives, shard: nil, samples: samples)
        merged.retime = first.retime
        return merged
    }
}
