import Core
import Foundation
import Recorder
import Replayer
import Testing

@Suite struct ArchivedScenarioTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func record(_ name: String, overrides: [String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-replayer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let (scenario, text) = try ScenarioLoader.load(path: Self.root.appendingPathComponent("sessions/scenarios/\(name).yaml").path, overrides: overrides)
        let path = dir.appendingPathComponent("a.ctk").path
        _ = try SimulationRecorder(scenario: scenario, scenarioText: text).run(output: path, overwrite: false)
        return path
    }

    @Test func recordedSettingsComeBackExactlyIncludingCommandLineOverrides() throws {
        // Overrides given at simulate time are not in the YAML; the replay must still see them.
        let path = try record("hesitation", overrides: ["pipeline.endpointing.silence_ms=650", "audio.codec=pcm16", "seed=99"])
        let archive = try SessionArchive(path: path)
        let source = try ArchivedScenario(archive: archive)
        let scenario = try source.scenario()
        #expect(scenario.pipeline.endpointing.silenceMs == 650)
        #expect(scenario.seed == 99)
        #expect(scenario.resolvedConfig.canonicalText == archive.meta["config"])
        // Replay overrides go on top of the recorded ones.
        let changed = try source.scenario(overrides: ["pipeline.bargein.min_speech_ms=450"], retime: ["llm.ttft_ms=-20"])
        #expect(changed.pipeline.endpointing.silenceMs == 650 && changed.pipeline.bargein.minSpeechMs == 450)
        #expect(changed.pipeline.retime.llmTTFT.offset == .milliseconds(-20))
    }

    @Test func fastPathIsUsedOnlyWhenTheMicCannotChange() throws {
        let path = try record("hesitation", overrides: ["audio.codec=pcm16"])
        let replayer = try SessionReplayer(path: path)
        let source = replayer.source
        #expect(replayer.fastPathAllowed(for: try source.scenario(overrides: ["pipeline.endpointing.silence_ms=900"])))
        #expect(replayer.fastPathAllowed(for: try source.scenario(overrides: ["pipeline.vad.stop_ms=300"])))
        #expect(!replayer.fastPathAllowed(for: try source.scenario(overrides: ["pipeline.echo.enabled=true"])))
        #expect(!replayer.fastPathAllowed(for: try source.scenario(overrides: ["pipeline.vad.margin_db=6"])))
        // Both paths agree on a counterfactual.
        var request = ReplayRun.Request()
        request.overrides = ["pipeline.endpointing.silence_ms=900"]
        let fast = try ReplayRun.run(request, on: replayer)
        #expect(fast.fastPath)
        let full = try replayer.replayEvents(overrides: ["pipeline.endpointing.silence_ms=900"], fullPath: true)
        #expect(EventStreamHash.of(full) == fast.hash)
        #expect(fast.diff.before.summary.cutOffs == 1 && fast.diff.after.summary.cutOffs == 0)
    }
}
