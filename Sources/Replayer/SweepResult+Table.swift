import Foundation

/// Text outputs of a complete sweep: the aligned table (stdout) and CSV.
extension SweepResult {
    /// The table: one row per grid point, then the headline figures and the Pareto front.
    public func table() -> String {
        let points = self.points
        let headline = SweepHeadline(points: points)
        let front = Set(headline.paretoFront.map(\.index))
        let keys = grid.shortKeys
        let header = keys + ["caller_turns", "fcr", "cut/ended", "endpoint_p50", "endpoint_p90", "v2v_p50", "v2v_p90",
                             "barge_ins", "reaction_p50", "self_int", "unanswered", "pareto"]
        let rows = points.map { p in
            p.values + [
                String(p.callerTurns), p.rateText, "\(p.cutOffCallerTurns)/\(p.endedCallerTurns)",
                msText(p.endpointDelayP50Ms), msText(p.endpointDelayP90Ms), msText(p.voiceToVoiceP50Ms), msText(p.voiceToVoiceP90Ms),
                String(p.bargeIns), msText(p.bargeInReactionP50Ms), String(p.selfInterruptions), String(p.unansweredCallerTurns),
                front.contains(p.index) ? "*" : "",
            ]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c }
                .joined(separator: "  ").replacingTrailingSpaces()
        }
        let keyList = grid.parameters.map(\.key).joined(separator: " × ")
        var out = "sweep of \(keyList): \(grid.count) points × \(archives.count) archive\(archives.count == 1 ? "" : "s")"
        if !overrides.isEmpty { out += " (--set \(overrides.joined(separator: " ")))" }
        if !retime.isEmpty { out += " (--retime \(retime.joined(separator: " ")))" }
        out += "\n" + line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        out += headlineText(headline)
        return out
    }

    /// The headline lines (eot-bench figures, Pareto front).
    func headlineText(_ headline: SweepHeadline) -> String {
        var out = ""
        for figure in headline.latencyAtRate {
            let value = figure.point.map { "\(msText($0.latencyMs)) (\(describe($0)), false cut-off \($0.rateText))" } ?? "not reached"
            out += "latency at \(figure.ratePercent)% false cut-off: \(value)\n"
        }
        for figure in headline.rateAtBudget {
            let value = figure.point.map { "\($0.rateText) (\(describe($0)), latency \(msText($0.latencyMs)))" } ?? "not reached"
            out += "false cut-off at \(figure.budgetMs) ms latency: \(value)\n"
        }
        let front = headline.paretoFront.map { "\(grid.label(at: $0.index)) (\(msText($0.latencyMs)), \($0.rateText))" }
        out += "pareto front (latency = median endpoint delay): \(front.isEmpty ? "none" : front.joined(separator: ", "))\n"
        return out
    }

    /// `key=value, …` of a point.
    func describe(_ p: SweepPointMetrics) -> String {
        zip(grid.shortKeys, p.values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }

    /// CSV: a header, then one row per point (full keys; rate as a fraction; empty: no value).
    public func csv() -> String {
        let points = self.points
        let front = Set(SweepHeadline.paretoFront(of: points).map(\.index))
        let header = grid.parameters.map(\.key) + [
            "caller_turns", "ended_caller_turns", "cut_off_caller_turns", "turns", "false_cutoff_rate",
            "endpoint_delay_p50_ms", "endpoint_delay_p90_ms", "voice_to_voice_p50_ms", "voice_to_voice_p90_ms",
            "barge_ins", "barge_in_reaction_p50_ms", "self_interruptions", "unanswered_caller_turns", "pareto",
        ]
        func opt(_ v: Int64?) -> String { v.map(String.init) ?? "" }
        var out = header.map(Self.csvField).joined(separator: ",") + "\n"
        for p in points {
            let cells = p.values + [
                String(p.callerTurns), String(p.endedCallerTurns), String(p.cutOffCallerTurns), String(p.turns),
                p.endedCallerTurns > 0 ? SweepPointMetrics.fixed(p.cutOffCallerTurns, over: p.endedCallerTurns, decimals: 6) : "",
                opt(p.endpointDelayP50Ms), opt(p.endpointDelayP90Ms), opt(p.voiceToVoiceP50Ms), opt(p.voiceToVoiceP90Ms),
                String(p.bargeIns), opt(p.bargeInReactionP50Ms), String(p.selfInterruptions), String(p.unansweredCallerTurns),
                front.contains(p.index) ? "1" : "0",
            ]
            out += cells.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `526ms`, or `-` when absent.
fileprivate func msText(_ v: Int64?) -> String { v.map { "\($0)ms" } ?? "-" }

extension SweepPointMetrics {
    /// The false cut-off rate as a percentage with one decimal (`12.5%`), or `-`.
    public var rateText: String {
        endedCallerTurns > 0 ? Self.fixed(cutOffCallerTurns * 100, over: endedCallerTurns, decimals: 1) + "%" : "-"
    }

    /// `numerator / denominator` (non-negative, denominator > 0) rounded half up to `decimals`, exactly.
    static func fixed(_ numerator: Int, over denominator: Int, decimals: Int) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let units = (2 * numerator * scale + denominator) / (2 * denominator)
        return SweepDecimal(units: Int64(units), scale: decimals).text
    }
}

extension String {
    /// The string without trailing spaces.
    fileprivate func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
