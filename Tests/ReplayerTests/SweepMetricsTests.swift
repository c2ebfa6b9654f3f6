@testable import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Replayer
import Testing

/// Aggregation, headline, Pareto front, JSON, merge and plot on hand-made figures with known answers.
struct SweepMetricsTests {
    /// A turn row with only what the sweep reads.
    static func turn(
        _ callerTurn: Int?, delay: Int64?, v2v: Int64? = nil, cutOff: Bool = false, bargedIn: Bool = false,
        selfInterruption: Bool = false, reaction: Int64? = nil
    ) -> TurnMetrics {
        TurnMetrics(
            turn: 0, callerTurn: callerTurn, callerSpeechEndMs: nil, turnEndMs: 0, reason: "silence", endpointDelayMs: delay,
            sttFinalLagMs: nil, llmTTFTMs: nil, aggregationMs: nil, ttsTTFBMs: nil, playoutBufferMs: nil, networkMs: 0,
            firstAudioMs: nil, voiceToVoiceMs: v2v, overlapMs: 0, cutOff: cutOff, bargedIn: bargedIn,
            selfInterruption: selfInterruption, bargeInReactionMs: reaction, heardText: nil)
    }

    @Test func sampleFromTurns() {
        let rows = [
            Self.turn(1, delay: 500, v2v: 800),
            Self.turn(2, delay: -200, v2v: 300, cutOff: true, bargedIn: true, reaction: 250),  // cut off in a pause
            Self.turn(2, delay: 600, v2v: 900),
            Self.turn(3, delay: 700, v2v: 1000, bargedIn: true, selfInterruption: true),
            Self.turn(nil, delay: nil),  // a turn.end before any caller speech: no caller turn
        ]
        let s = SweepSample(turns: rows, callerTurns: 4, unansweredCallerTurns: 1)
        #expect(s.endedCallerTurns == 3)
        #expect(s.cutOffCallerTurns == 1)
        #expect(s.turns == 5)
        #expect(s.bargeIns == 1)
        #expect(s.selfInterruptions == 1)
        #expect(s.endpointDelaysMs == [500, 600, 700])
        #expect(s.voiceToVoiceMs == [800, 300, 900, 1000])
        #expect(s.bargeInReactionsMs == [250])
    }

    @Test func pointPoolsTurnsAcrossArchives() {
        let a = SweepSample(turns: [Self.turn(1, delay: 500, v2v: 700), Self.turn(2, delay: 300, cutOff: true), Self.turn(2, delay: 900, v2v: 1100)],
                            callerTurns: 2, unansweredCallerTurns: 0)
        let b = SweepSample(turns: [Self.turn(1, delay: 100, v2v: 400), Self.turn(2, delay: 200, v2v: 500), Self.turn(2, delay: 800, cutOff: true)],
                            callerTurns: 3, unansweredCallerTurns: 1)
        let p = SweepPointMetrics(index: 0, values: ["500"], samples: [a, b])
        #expect(p.callerTurns == 5)
        #expect(p.endedCallerTurns == 4)
        #expect(p.cutOffCallerTurns == 2)
        #expect(p.falseCutOffRate == 0.5)
        // Pooled delays (not cut off) 500, 900, 100, 200 → nearest-rank p50 = 200, p90 = 900.
        #expect(p.endpointDelayP50Ms == 200)
        #expect(p.endpointDelayP90Ms == 900)
        // Pooled v2v 700, 1100, 400, 500 → p50 500, p90 1100. The median of per-archive medians would differ.
        #expect(p.voiceToVoiceP50Ms == 500)
        #expect(p.voiceToVoiceP90Ms == 1100)
        #expect(p.unansweredCallerTurns == 1)
        #expect(p.rateText == "50.0%")
        #expect(p.falseCutOffRate(atMostPercent: 50) && !p.falseCutOffRate(atMostPercent: 49))
    }

    @Test func noEndedTurnsMeansNoRate() {
        let p = SweepPointMetrics(index: 0, values: ["1"], samples: [SweepSample(turns: [], callerTurns: 2, unansweredCallerTurns: 2)])
        #expect(p.falseCutOffRate == nil)
        #expect(p.rateText == "-")
        #expect(!p.isPlottable)
    }

    /// A point with one latency sample and `cut` of `ended` caller turns cut off.
    static func point(_ index: Int, latency: Int64, cut: Int, ended: Int) -> SweepPointMetrics {
        let sample = SweepSample(
            callerTurns: ended, endedCallerTurns: ended, cutOffCallerTurns: cut, turns: ended, bargeIns: 0, selfInterruptions: 0,
            unansweredCallerTurns: 0, endpointDelaysMs: [latency], voiceToVoiceMs: [], bargeInReactionsMs: [])
        return SweepPointMetrics(index: index, values: [String(index)], samples: [sample])
    }

    static let known = [
        point(0, latency: 300, cut: 1, ended: 5),  // 20 %
        point(1, latency: 400, cut: 1, ended: 10),  // 10 %
        point(2, latency: 500, cut: 1, ended: 10),  // 10 %, dominated by 1
        point(3, latency: 600, cut: 1, ended: 25),  // 4 %
        point(4, latency: 650, cut: 2, ended: 25),  // 8 %, dominated by 3
        point(5, latency: 700, cut: 0, ended: 25),  // 0 %
        point(6, latency: 400, cut: 2, ended: 20),  // 10 %, identical to 1: kept
        point(7, latency: 800, cut: 0, ended: 25),  // 0 %, dominated by 5
    ]

    @Test func paretoFront() {
        #expect(SweepHeadline.paretoFront(of: Self.known).map(\.index) == [0, 1, 6, 3, 5])
        // Order of the input does not matter.
        #expect(SweepHeadline.paretoFront(of: Self.known.reversed()).map(\.index) == [0, 1, 6, 3, 5])
    }

    @Test func headlineFigures() {
        let h = SweepHeadline(points: Self.known)
        #expect(h.latencyAtRate.map(\.ratePercent) == [5, 10])
        #expect(h.latencyAtRate.map { $0.point?.index } == [3, 1])  // 600 ms at ≤ 5 %, 400 ms at ≤ 10 %
        #expect(h.rateAtBudget.map(\.budgetMs) == [300, 600])
        #expect(h.rateAtBudget.map { $0.point?.index } == [0, 3])  // 20 % within 300 ms, 4 % within 600 ms
        // Boundaries are inclusive: exactly 10 % counts at 10 %.
        #expect(SweepHeadline(points: [Self.known[1]]).latencyAtRate.map { $0.point?.index } == [nil, 1])
    }

    @Test func headlineNotReached() {
        let h = SweepHeadline(points: [Self.point(0, latency: 900, cut: 1, ended: 4)])
        #expect(h.latencyAtRate.allSatisfy { $0.point == nil })
        #expect(h.rateAtBudget.allSatisfy { $0.point == nil })
    }

    /// A complete two-archive result over a one-parameter grid, from the known points.
    static func result(shard: SweepShard? = nil) throws -> SweepResult {
        let grid = try SweepGrid(specs: ["pipeline.endpointing.silence_ms=300:1000:100"])
        var samples: [SweepSample?] = []
        for (p, value) in grid.parameters[0].values.enumerated() {
            for a in 0..<2 {
                let k = p * 2 + a
                let ms = Int64(value)! + Int64(20 * a)
                let sample = SweepSample(
                    callerTurns: 10, endedCallerTurns: 10, cutOffCallerTurns: max(0, 3 - p / 2 - a), turns: 11, bargeIns: a,
                    selfInterruptions: 0, unansweredCallerTurns: 0, endpointDelaysMs: [ms, ms + 10], voiceToVoiceMs: [ms + 250],
                    bargeInReactionsMs: a == 1 ? [300] : [])
                samples.append(shard.map { $0.contains(k) } ?? true ? sample : nil)
            }
        }
        return SweepResult(
            grid: grid, overrides: ["pipeline.vad.stop_ms=200"],
            archives: [.init(path: "a.ctk", sessionID: "sim-a"), .init(path: "b.ctk", sessionID: "sim-b")],
            shard: shard, samples: samples)
    }

    @Test func jsonRoundTripsAndIsCanonical() throws {
        let r = try Self.result()
        let text = r.json.canonicalText
        let back = try SweepResult(json: try JSONParser.parse(text), source: "test")
        #expect(back == r)
        #expect(back.json.canonicalText == text)
        #expect(text.contains("\"pareto_front\""))
        let partial = try Self.result(shard: SweepShard(index: 1, count: 3))
        let partialText = partial.json.canonicalText
        #expect(!partialText.contains("\"points\""))
        #expect(try SweepResult(json: try JSONParser.parse(partialText), source: "p") == partial)
    }

    @Test func mergeOfShardsEqualsTheWhole() throws {
        let whole = try Self.result()
        let parts = try [2, 0, 1].map { i -> (source: String, result: SweepResult) in
            let r = try Self.result(shard: SweepShard(index: i, count: 3))
            return ("part\(i)", try SweepResult(json: try JSONParser.parse(r.json.canonicalText), source: "part\(i)"))
        }
        let merged = try SweepResult.merge(parts)
        #expect(merged == whole)
        #expect(merged.json.canonicalText == whole.json.canonicalText)
        #expect(merged.table() == whole.table())
        #expect(merged.csv() == whole.csv())
    }

    @Test func mergeRefusesGapsAndForeignParts() throws {
        let p0 = try Self.result(shard: SweepShard(index: 0, count: 3))
        let p1 = try Self.result(shard: SweepShard(index: 1, count: 3))
        #expect(sweepErrorText { _ = try SweepResult.merge([("p0", p0), ("p1", p1)]) }?.contains("shard 2/3 not given") == true)
        var foreign = try Self.result(shard: SweepShard(index: 2, count: 3))
        foreign.overrides = []
        #expect(sweepErrorText { _ = try SweepResult.merge([("p0", p0), ("p1", p1), ("p2", foreign)]) }?.contains("--set") == true)
        var other = try Self.result(shard: SweepShard(index: 2, count: 3))
        other.archives[1].sessionID = "sim-c"
        #expect(sweepErrorText { _ = try SweepResult.merge([("p0", p0), ("p1", p1), ("p2", other)]) }?.contains("session ids") == true)
    }

    @Test func tableAndCSV() throws {
        let r = try Self.result()
        let table = r.table()
        #expect(table.contains("silence_ms"))
        #expect(table.contains("latency at 5% false cut-off:"))
        #expect(table.contains("false cut-off at 300 ms latency:"))
        let csv = r.csv().split(separator: "\n")
        #expect(csv.count == 1 + 8)
        #expect(csv[0].hasPrefix("pipeline.endpointing.silence_ms,caller_turns,"))
        // Point 0: cut-offs 3 + 2 of 20 ended caller turns.
        #expect(csv[1].contains(",20,5,") && csv[1].contains(",0.250000,"))
    }

    @Test func plotIsWellFormedWithOneCirclePerPoint() throws {
        let r = try Self.result()
        let svg = SweepPlot(result: r).svg()
        let census = XMLCensus()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = census
        #expect(parser.parse(), "SVG does not parse: \(String(describing: parser.parserError))")
        #expect(census.elements["svg"] == 1)
        #expect(census.elements["circle"] == r.grid.count)
        #expect(census.elements["polyline"] == 1)
        #expect(census.text.contains("Latency: median endpoint delay (ms)"))
        #expect(census.text.contains("False cut-off rate (%)"))
        #expect(census.text.contains("Pareto front"))
        for value in r.grid.parameters[0].values { #expect(census.text.contains(value), "label \(value)") }
    }
}

/// Counts elements and gathers text while parsing XML.
final class XMLCensus: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string + "\n" }
}
