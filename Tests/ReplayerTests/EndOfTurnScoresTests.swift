import Core
import Foundation
import Recorder
import Replayer
import Testing

/// Model-mode replays reuse the end-of-turn scores of the audio they hear again: a sweep point that
/// only moves the policy runs no inference, and a score computed on the fast path (the recorded mic
/// decoded on demand) is the score the simulation's own loop gave.
@Suite(.serialized) struct EndOfTurnScoresTests {
    /// The happy path simulated once with Smart Turn v3.2 deciding its turn ends.
    static let archive: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-eot-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (scenario, text) = try! ScenarioLoader.load(
            path: root.appendingPathComponent("sessions/scenarios/happy-path.yaml").path, overrides: ["pipeline.endpointing.mode=model"])
        let path = dir.appendingPathComponent("happy-model.ctk").path
        _ = try! SimulationRecorder(scenario: scenario, scenarioText: text).run(output: path, overwrite: true)
        return path
    }()

    static func predictions(_ events: [PipelineEvent]) -> [PipelineEvent] { events.filter { $0.kind == .eotPrediction } }

    @Test func aSweepThatLowersOnlyTheThresholdRunsNoInference() throws {
        let recorded = try SessionArchive(path: Self.archive).events()
        let replayer = try SessionReplayer(path: Self.archive)
        var ends: [[SimInstant]] = []
        for threshold in ["0.5", "0.3", "0.1", "0.05"] {
            let events = try replayer.replayEvents(overrides: ["pipeline.endpointing.threshold=\(threshold)"])
            ends.append(events.filter { $0.kind == .turnEnd }.map(\.time))
            // Every score it used is one the recording made, at the same audio, with the same probability.
            for p in Self.predictions(events) {
                let same = Self.predictions(recorded).first { $0.data["turn_start_us"] == p.data["turn_start_us"] && $0.data["audio_end_us"] == p.data["audio_end_us"] }
                #expect(same?.data["probability"] == p.data["probability"], "threshold \(threshold): \(p.data)")
            }
        }
        #expect(replayer.endOfTurnScoreUsage.computed == 0, "no model run: \(replayer.endOfTurnScoreUsage)")
        #expect(replayer.endOfTurnScoreUsage.reused >= 4 * Self.predictions(recorded).count - 8)
        // The threshold did act: at 0.1 some turn ends earlier than at 0.5 (the recording's).
        #expect(ends[0] == recorded.filter { $0.kind == .turnEnd }.map(\.time))
        #expect(ends[2] != ends[0] && zip(ends[0], ends[2]).allSatisfy { $1 <= $0 } || ends[2].count > ends[0].count)
    }

    @Test func scoresComputedOnTheFastPathAreTheSimulationsOwn() throws {
        // Nothing reused: every score decodes the recorded mic up to its instant and runs the model.
        let replayer = try SessionReplayer(path: Self.archive, reusesRecordedScores: false)
        let events = try replayer.replayEvents()
        let recorded = try SessionArchive(path: Self.archive).events()
        #expect(replayer.endOfTurnScoreUsage.computed == Self.predictions(recorded).count)
        #expect(Self.predictions(events).map(\.data) == Self.predictions(recorded).map(\.data))
        #expect(events.map(\.kind) == recorded.map(\.kind) && events.map(\.time) == recorded.map(\.time))
    }

    @Test func aNewScoreRunsTheModelOnceForAllPoints() throws {
        let replayer = try SessionReplayer(path: Self.archive)
        // A stricter threshold waits through silences the recording never scored that far into.
        let first = try replayer.replayEvents(overrides: ["pipeline.endpointing.threshold=0.99"])
        let computed = replayer.endOfTurnScoreUsage.computed
        #expect(computed > 0)
        let again = try replayer.replayEvents(overrides: ["pipeline.endpointing.threshold=0.99", "pipeline.endpointing.action_delay_ms=100"])
        #expect(replayer.endOfTurnScoreUsage.computed == computed, "the second point reuses the first point's scores")
        #expect(Self.predictions(first).map(\.data) == Self.predictions(again).map(\.data))
    }
}
