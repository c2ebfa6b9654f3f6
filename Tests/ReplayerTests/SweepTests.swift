import Core
import Foundation
import Recorder
import Replayer
import Testing

/// Sweeps over real archives: the hesitation scenario (a 700 ms mid-sentence pause that a 500 ms
/// silence endpointer cuts into, 800 ms does not) and the happy path.
struct SweepTests {
    /// Two archives recorded once per test process, in a directory of their own.
    static let archives: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-sweep-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return ["hesitation", "happy-path"].map { name in
            let (scenario, text) = try! ScenarioLoader.load(path: root.appendingPathComponent("sessions/scenarios/\(name).yaml").path)
            let path = dir.appendingPathComponent("\(name).ctk").path
            _ = try! SimulationRecorder(scenario: scenario, scenarioText: text).run(output: path, overwrite: true)
            return path
        }
    }()

    static let silence = "pipeline.endpointing.silence_ms=300:1000:100"

    /// The same sweep done by hand: one `replayEvents` per archive and point, pooled per point.
    static func byHand(_ grid: SweepGrid, archives: [String]) throws -> [SweepPointMetrics] {
        let replayers = try archives.map { try SessionReplayer(path: $0) }
        return try (0..<grid.count).map { p in
            let samples = try replayers.map { SweepSample(events: try $0.replayEvents(overrides: grid.overrides(at: p))) }
            return SweepPointMetrics(index: p, values: grid.values(at: p), samples: samples)
        }
    }

    @Test func hesitationCutOffDisappearsAt800() throws {
        let grid = try SweepGrid(specs: [Self.silence])
        let result = try SweepRunner(archives: [Self.archives[0]], grid: grid, jobs: 2).run()
        let points = result.points
        let at = { (ms: String) in points.first { $0.values == [ms] }! }
        #expect(at("500").falseCutOffRate! > 0)
        for ms in ["800", "900", "1000"] { #expect(at(ms).falseCutOffRate == 0, "silence_ms \(ms)") }
        #expect(at("500").bargeIns >= 1)
        #expect(at("500").callerTurns == 3)
        // Latency grows with the silence threshold.
        #expect(at("800").endpointDelayP50Ms! > at("500").endpointDelayP50Ms!)
        let h = SweepHeadline(points: points)
        #expect(h.latencyAtRate[0].point?.values == ["800"])
    }

    @Test func sweepEqualsReplaysOneByOneForAnyJobCount() throws {
        let grid = try SweepGrid(specs: [Self.silence])
        let expected = try Self.byHand(grid, archives: Self.archives)
        let one = try SweepRunner(archives: Self.archives, grid: grid, jobs: 1).run()
        let three = try SweepRunner(archives: Self.archives, grid: grid, jobs: 3).run()
        #expect(one.points == expected)
        #expect(three == one)
        #expect(three.json.canonicalText == one.json.canonicalText)
        #expect(one.archives.map(\.path) == Self.archives)
    }

    @Test func retimingAppliesAtEveryPoint() throws {
        let grid = try SweepGrid(specs: ["pipeline.endpointing.silence_ms=600,900"])
        let plain = try SweepRunner(archives: Self.archives, grid: grid, jobs: 2).run()
        let slower = try SweepRunner(archives: Self.archives, grid: grid, retime: ["tts.ttfb_ms=+100"], jobs: 2).run()
        // 100 ms more TTS time to first byte adds 100 ms to every point's voice-to-voice latency
        // (within one 20 ms playout frame) and leaves endpointing alone.
        for (a, b) in zip(plain.points, slower.points) {
            let delta = b.voiceToVoiceP50Ms! - a.voiceToVoiceP50Ms!
            #expect(delta >= 80 && delta <= 120, "v2v p50 moved \(delta) ms at \(a.values)")
            #expect(a.endpointDelayP50Ms == b.endpointDelayP50Ms)
        }
        // The adjustment travels with the result and must agree when parts are merged.
        #expect(try SweepResult(json: slower.json, source: "test").retime == ["tts.ttfb_ms=+100"])
        #expect(throws: ScenarioError.self) { _ = try SweepRunner(archives: Self.archives, grid: grid, retime: ["nope.ttft_ms=1"]).run() }
    }

    @Test func shardsMergeIntoTheUnshardedResult() throws {
        let grid = try SweepGrid(specs: [Self.silence])
        let whole = try SweepRunner(archives: Self.archives, grid: grid, jobs: 2).run()
        var parts: [(source: String, result: SweepResult)] = []
        for i in 0..<3 {
            let shard = try SweepShard(index: i, count: 3)
            let part = try SweepRunner(archives: Self.archives, grid: grid, jobs: 2, shard: shard).run()
            #expect(!part.isComplete)
            #expect(part.samples.indices.allSatisfy { (part.samples[$0] != nil) == ($0 % 3 == i) })
            // Through the file format, as `crosstalk merge` reads it.
            parts.append(("part\(i)", try SweepResult(json: try JSONParser.parse(part.json.canonicalText), source: "part\(i)")))
        }
        let merged = try SweepResult.merge(parts.reversed())
        #expect(merged == whole)
        #expect(merged.json.canonicalText == whole.json.canonicalText)
    }

    @Test func twoParametersAndSetOverrides() throws {
        let grid = try SweepGrid(specs: ["pipeline.endpointing.silence_ms=500,800", "pipeline.bargein.min_speech_ms=200,400"])
        let result = try SweepRunner(archives: [Self.archives[0]], grid: grid, overrides: ["pipeline.vad.stop_ms=200"], jobs: 2).run()
        let replayer = try SessionReplayer(path: Self.archives[0])
        for p in 0..<grid.count {
            let events = try replayer.replayEvents(overrides: ["pipeline.vad.stop_ms=200"] + grid.overrides(at: p))
            #expect(result.samples[p] == SweepSample(events: events), "point \(grid.label(at: p))")
        }
    }

    @Test func unknownKeyFailsBeforeAnyReplay() throws {
        let grid = try SweepGrid(specs: ["pipeline.endpointing.silense_ms=300,400"])
        let runner = SweepRunner(archives: Self.archives, grid: grid, jobs: 1)
        #expect(throws: ScenarioError.self) { try runner.run() }
        #expect(sweepErrorText { _ = try runner.run() }?.contains("silense_ms") == true)
        // An impossible value at a later grid point is caught up front too.
        let negative = try SweepGrid(specs: ["pipeline.endpointing.silence_ms=500,-5"])
        #expect(throws: ScenarioError.self) { try SweepRunner(archives: Self.archives, grid: negative, jobs: 1).run() }
    }

    @Test func badArgumentsAreErrors() throws {
        let grid = try SweepGrid(specs: ["pipeline.endpointing.silence_ms=500"])
        let clash = SweepRunner(archives: Self.archives, grid: grid, overrides: ["pipeline.endpointing.silence_ms=700"])
        #expect(sweepErrorText { _ = try clash.run() }?.contains("also swept") == true)
        let twice = SweepRunner(archives: [Self.archives[0], Self.archives[0]], grid: grid)
        #expect(sweepErrorText { _ = try twice.run() }?.contains("same session") == true)
        #expect(throws: (any Error).self) { try SweepRunner(archives: ["/nonexistent/x.ctk"], grid: grid).run() }
        #expect(throws: ReplayError.self) { try SweepRunner(archives: [], grid: grid).run() }
    }
}
