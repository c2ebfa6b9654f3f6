import Core
import Engines
import Foundation
import Recorder
import Replayer
import Testing

/// A recorder killed right after a commit leaves the rows of that commit, the events at the commit's
/// own instant included; an exact replay of what it left must reproduce all of them (issue 9: the
/// replay used to stop one step short when an event fell on the cut instant).
@Suite struct CutRecordingReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Forwards to an archive writer and, at the first checkpoint whose instant holds an event,
    /// freezes a copy of the archive's files just after that commit: what a SIGKILL then leaves.
    final class CuttingRecorder: SessionRecording {
        let writer: SessionArchiveWriter
        let copyPath: String
        private(set) var cutAt: SimInstant?
        private var lastEventTime: SimInstant?

        init(writer: SessionArchiveWriter, copyPath: String) {
            self.writer = writer
            self.copyPath = copyPath
        }

        func record(event: PipelineEvent) {
            writer.record(event: event)
            lastEventTime = event.time
        }

        func record(stream: AudioStream, frame: Int, time: SimInstant, samples: [Int16], packet: [UInt8]?) {
            writer.record(stream: stream, frame: frame, time: time, samples: samples, packet: packet)
        }

        func record(vadFrame frame: Int, time: SimInstant, probability: Double, speech: Bool) {
            writer.record(vadFrame: frame, time: time, probability: probability, speech: speech)
        }

        func checkpoint(at time: SimInstant) throws {
            try writer.checkpoint(at: time)
            guard cutAt == nil, lastEventTime == time, time > .zero else { return }
            try writer.commit()
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: writer.temporaryPath + suffix) {
                try FileManager.default.copyItem(atPath: writer.temporaryPath + suffix, toPath: copyPath + suffix)
            }
            cutAt = time
        }
    }

    /// Simulates `name` with `overrides` into `dir`, cutting a copy at the first checkpoint that has
    /// an event at its instant; returns the copy's path and the cut, or nil when no checkpoint had one.
    func recordCut(_ name: String, overrides: [String], in dir: URL) throws -> (path: String, cut: SimInstant)? {
        let (scenario, text) = try ScenarioLoader.load(
            path: Self.root.appendingPathComponent("sessions/scenarios/\(name).yaml").path, overrides: overrides)
        let makeCodec = SimulationRecorder.codecFactory(for: scenario.audio)
        let micCodec = try makeCodec()
        let bank = try SpeechBank.prepare(for: scenario, using: EspeakSynthesizer())
        let tag = overrides.joined().replacingOccurrences(of: "/", with: "_")
        let writer = try SessionArchiveWriter(
            path: dir.appendingPathComponent("\(name)\(tag).ctk").path,
            meta: SimulationRecorder(scenario: scenario, scenarioText: text).meta, format: scenario.audio.format,
            packetCodec: micCodec.name, recordings: bank.recordings, makeCodec: makeCodec)
        let cutting = CuttingRecorder(writer: writer, copyPath: dir.appendingPathComponent("\(name)\(tag)-cut.ctk").path)
        let simulator = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: micCodec, recorder: cutting, engines: try EngineFactory.engines(for: scenario))
        _ = try simulator.run()
        try writer.finish()
        return cutting.cutAt.map { (cutting.copyPath, $0) }
    }

    @Test func aReplayOfARecordingCutOnAnEventsInstantReproducesThatEvent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosstalk-cut-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Settings are swept until some commit instant holds an event (VAD decisions fall on frame
        // ends, commits on whole seconds); the simulation is deterministic, so the same one is found
        // every run.
        var found: (path: String, cut: SimInstant)?
        search: for name in ["barge-in", "hesitation", "happy-path"] {
            for stop in stride(from: 200, through: 400, by: 20) {
                if let cut = try recordCut(name, overrides: ["pipeline.vad.stop_ms=\(stop)"], in: dir) {
                    found = cut
                    break search
                }
            }
        }
        let (path, cut) = try #require(found, "no commit instant held an event in any setting tried")
        let recorded = try SessionArchive(path: path).events()
        #expect(recorded.last?.time == cut, "the cut archive holds an event at the cut instant itself")
        #expect(!recorded.contains { $0.kind == .sessionEnd })

        let outcome = try ReplayRun.run(ReplayRun.Request(), on: try SessionReplayer(path: path))
        #expect(outcome.difference == nil, "replay of the cut at \(cut): \(String(describing: outcome.difference))")
        #expect(outcome.hash == outcome.recordedHash)
        #expect(outcome.events.last?.kind == .sessionEnd && outcome.events.last?.time == cut)
    }
}
