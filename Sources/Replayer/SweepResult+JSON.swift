import Core
import Foundation
import Recorder

/// The sweep JSON (`--json`; also the `--shard` partial format that `crosstalk merge` reads):
/// canonical text, sorted keys. Partial results carry `shard` and only their own samples; complete
/// results carry no `shard` and add each point's pooled metrics, the Pareto front and the headline.
extension SweepResult {
    /// The `format` meta value.
    public static let jsonFormat = "crosstalk-sweep"
    /// The `format_version` written and read.
    public static let jsonFormatVersion: Int64 = 1

    /// The result as JSON.
    public var json: JSONValue {
        var out: [String: JSONValue] = [
            "format": .string(Self.jsonFormat),
            "format_version": .int(Self.jsonFormatVersion),
            "grid": .array(grid.parameters.map { ["key": .string($0.key), "values": .array($0.values.map(JSONValue.string))] }),
            "overrides": .array(overrides.map(JSONValue.string)),
            "retime": .array(retime.map(JSONValue.string)),
            "archives": .array(archives.map { ["path": .string($0.path), "session_id": .string($0.sessionID)] }),
            "work_items": .int(Int64(workItemCount)),
            "samples": .array(samples.indices.compactMap { k in
                guard var object = samples[k]?.json, case .object(var members) = object else { return nil }
                members["point"] = .int(Int64(k / archives.count))
                members["archive"] = .int(Int64(k % archives.count))
                object = .object(members)
                return object
            }),
        ]
        if let shard { out["shard"] = ["index": .int(Int64(shard.index)), "count": .int(Int64(shard.count))] }
        if isComplete {
            let points = self.points
            let headline = SweepHeadline(points: points)
            let front = Set(headline.paretoFront.map(\.index))
            out["points"] = .array(points.map { $0.json(grid: grid, pareto: front.contains($0.index)) })
            out["pareto_front"] = .array(headline.paretoFront.map { .int(Int64($0.index)) })
            out["headline"] = headline.json
        }
        return .object(out)
    }

    /// Reads a result written by `json` (`source` names it in errors).
    public init(json: JSONValue, source: String) throws {
        guard json["format"]?.stringValue == Self.jsonFormat else {
            throw ReplayError("\(source): not a crosstalk sweep result (format is not '\(Self.jsonFormat)')")
        }
        guard json["format_version"]?.intValue == Self.jsonFormatVersion else {
            throw ReplayError("\(source): sweep format version \(json["format_version"]?.canonicalText ?? "?") is not supported (this build reads \(Self.jsonFormatVersion))")
        }
        func strings(_ value: JSONValue?, _ what: String) throws -> [String] {
            guard let items = value?.arrayValue else { throw ReplayError("\(source): '\(what)' is missing or not a list") }
            return try items.map {
                guard let s = $0.stringValue else { throw ReplayError("\(source): '\(what)' holds a non-string") }
                return s
            }
        }
        guard let gridItems = json["grid"]?.arrayValue, let archiveItems = json["archives"]?.arrayValue else {
            throw ReplayError("\(source): 'grid' or 'archives' is missing")
        }
        let grid = try SweepGrid(parameters: gridItems.map {
            guard let key = $0["key"]?.stringValue else { throw ReplayError("\(source): a grid parameter has no key") }
            return SweepGrid.Parameter(key: key, values: try strings($0["values"], "grid.values"))
        })
        let archives = try archiveItems.map {
            guard let path = $0["path"]?.stringValue, let id = $0["session_id"]?.stringValue else {
                throw ReplayError("\(source): an archive entry has no path or session_id")
            }
            return Archive(path: path, sessionID: id)
        }
        guard !archives.isEmpty else { throw ReplayError("\(source): no archives") }
        var shard: SweepShard?
        if let s = json["shard"] {
            guard let i = s["index"]?.intValue, let n = s["count"]?.intValue else { throw ReplayError("\(source): 'shard' needs index and count") }
            shard = try SweepShard(index: Int(i), count: Int(n))
        }
        var samples = [SweepSample?](repeating: nil, count: grid.count * archives.count)
        guard let items = json["samples"]?.arrayValue else { throw ReplayError("\(source): 'samples' is missing") }
        for (n, item) in items.enumerated() {
            guard let p = item["point"]?.intValue, let a = item["archive"]?.intValue,
                  p >= 0, p < grid.count, a >= 0, a < archives.count
            else { throw ReplayError("\(source): sample \(n) has no valid point/archive") }
            let k = Int(p) * archives.count + Int(a)
            guard samples[k] == nil else { throw ReplayError("\(source): point \(p) of archive \(a) appears twice") }
            samples[k] = try SweepSample(json: item, context: "\(source): sample \(n)")
        }
        self.init(grid: grid, overrides: try strings(json["overrides"], "overrides"), archives: archives, shard: shard, samples: samples)
        retime = json["retime"] == nil ? [] : try strings(json["retime"], "retime")
        if shard == nil, !isComplete {
            throw ReplayError("\(source): a result without 'shard' is missing work items")
        }
    }

    /// Reads a result file.
    public static func read(path: String) throws -> SweepResult {
        try InputFile.checkRegular(path, what: "a sweep result")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayError("\(path): \(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ReplayError("\(path): not a sweep result (not UTF-8 text)") }
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw ReplayError("\(path): not a sweep result (\(error))") }
        return try SweepResult(json: value, source: path)
    }
}

extension SweepPointMetrics {
    /// The point as JSON (absent figures are null).
    func json(grid: SweepGrid, pareto: Bool) -> JSONValue {
        func opt(_ v: Int64?) -> JSONValue { v.map(JSONValue.int) ?? .null }
        var values: [String: JSONValue] = [:]
        for (p, v) in zip(grid.parameters, self.values) { values[p.key] = .string(v) }
        return [
            "index": .int(Int64(index)),
            "values": .object(values),
            "label": .string(values.isEmpty ? "" : self.values.joined(separator: "/")),
            "caller_turns": .int(Int64(callerTurns)),
            "ended_caller_turns": .int(Int64(endedCallerTurns)),
            "cut_off_caller_turns": .int(Int64(cutOffCallerTurns)),
            "turns": .int(Int64(turns)),
            "false_cutoff_rate": falseCutOffRate.map(JSONValue.double) ?? .null,
            "endpoint_delay_p50_ms": opt(endpointDelayP50Ms),
            "endpoint_delay_p90_ms": opt(endpointDelayP90Ms),
            "voice_to_voice_p50_ms": opt(voiceToVoiceP50Ms),
            "voice_to_voice_p90_ms": opt(voiceToVoiceP90Ms),
            "barge_ins": .int(Int64(bargeIns)),
            "barge_in_reaction_p50_ms": opt(bargeInReactionP50Ms),
            "self_interruptions": .int(Int64(selfInterruptions)),
            "unanswered_caller_turns": .int(Int64(unansweredCallerTurns)),
            "pareto": .bool(pareto),
        ]
    }
}

extension SweepHeadline {
    /// The headline as JSON: each figure with its point's index (null: not reached).
    var json: JSONValue {
        [
            "latency_at_false_cutoff_rate": .array(latencyAtRate.map {
                ["rate_percent": .int(Int64($0.ratePercent)), "point": $0.point.map { .int(Int64($0.index)) } ?? .null,
                 "latency_ms": $0.point?.latencyMs.map(JSONValue.int) ?? .null]
            }),
            "false_cutoff_rate_at_latency": .array(rateAtBudget.map {
                ["budget_ms": .int($0.budgetMs), "point": $0.point.map { .int(Int64($0.index)) } ?? .null,
                 "false_cutoff_rate": $0.point?.falseCutOffRate.map(JSONValue.double) ?? .null]
            }),
        ]
    }
}
