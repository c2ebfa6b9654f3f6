import Core
import Engines
import Foundation

/// Runs a scenario with the real engines (espeak-ng speech, libopus) and records it into an archive.
///
/// This is what `crosstalk simulate` does; tests and benchmarks call it the same way.
public struct SimulationRecorder {
    /// What a run produced.
    public struct Outcome {
        /// Every event, in stream order.
        public var events: [PipelineEvent]
        /// Frames per stream.
        public var frames: Int
        /// The session id written to the archive's meta.
        public var sessionID: String
        /// Hash of the event stream (`EventStreamHash`).
        public var eventHash: String
    }

    /// The scenario to run (after overrides).
    public var scenario: Scenario
    /// The scenario text as the user wrote it (stored in meta).
    public var scenarioText: String
    /// Shared speech synthesizer (espeak-ng is process-global).
    public var synthesizer: SpeechSynthesizer
    /// The session this one re-runs (`resimulate`), recorded as `parent_session_id`.
    public var parentSessionID: String?
    /// Where the recorded audio files the scenario names come from (the files next to the scenario
    /// for `simulate`, the parent archive for `resimulate`); nil when it names none.
    public var audioFiles: AudioClipSource?
    /// Files the run reads (the scenario, a parent archive): the output may not be one of them.
    public var inputFiles: [String] = []

    /// Prepares a run.
    public init(scenario: Scenario, scenarioText: String, synthesizer: SpeechSynthesizer = EspeakSynthesizer()) {
        self.scenario = scenario
        self.scenarioText = scenarioText
        self.synthesizer = synthesizer
    }

    /// A codec factory for the scenario's archive codec.
    public static func codecFactory(for audio: Scenario.Audio) -> @Sendable () throws -> any FrameCodec {
        let format = audio.format
        if audio.codec == "pcm16" {
            return { PCM16Codec(samplesPerFrame: format.samplesPerFrame) }
        }
        let bitrate = audio.bitrate, complexity = audio.complexity, dtx = audio.dtx
        return {
            try OpusCodec(
                sampleRate: format.sampleRate, samplesPerFrame: format.samplesPerFrame,
                bitrate: bitrate, complexity: complexity, dtx: dtx)
        }
    }

    /// A deterministic session id: the same scenario and settings give the same id.
    public var sessionID: String {
        var hasher = FNV1a64()
        hasher.combine(scenarioText)
        hasher.combine(scenario.resolvedConfig.canonicalText)
        return "sim-" + hasher.hex
    }

    /// The archive meta rows for this run.
    public var meta: [String: String] {
        var meta = [
            "created_by": "crosstalk \(CrosstalkVersion.current)",
            "session_id": sessionID,
            "seed": String(scenario.seed),
            "scenario": scenarioText,
            "scenario_name": scenario.name,
            "config": scenario.resolvedConfig.canonicalText,
            "source": "simulated",
        ]
        if let parentSessionID { meta["parent_session_id"] = parentSessionID }
        return meta
    }

    /// Synthesizes the speech, runs the pipeline, and writes the archive to `output` (if given).
    ///
    /// `shouldStop` is asked at every frame; once it says yes the session ends there (`session.end`
    /// reason `interrupted`) and the archive is finished as usual.
    public func run(
        output: String?, overwrite: Bool, progress: ((SimInstant) -> Void)? = nil, shouldStop: (() -> Bool)? = nil
    ) throws -> Outcome {
        let makeCodec = Self.codecFactory(for: scenario.audio)
        // Refuse to overwrite before any work is done.
        if let output { try OutputFile.check(output, overwrite: overwrite, inputs: inputFiles) }
        let engines = try EngineFactory.engines(for: scenario)  // a missing engine fails before any work
        if !scenario.clipPathsInFileOrder.isEmpty, audioFiles == nil {
            throw ScenarioError(message: "\(scenario.name): the scenario names recorded audio ('\(scenario.clipPathsInFileOrder[0])') but no folder to read it from")
        }
        let bank = try SpeechBank.prepare(for: scenario, using: synthesizer, files: audioFiles)
        let micCodec = try makeCodec()
        var writer: SessionArchiveWriter?
        if let output {
            writer = try SessionArchiveWriter(
                path: output, meta: meta, format: scenario.audio.format, packetCodec: micCodec.name,
                overwrite: overwrite, recordings: bank.recordings, makeCodec: makeCodec)
        }
        let simulator = SessionSimulator(scenario: scenario, speech: bank, micCodec: micCodec, recorder: writer, engines: engines)
        simulator.progress = progress
        simulator.shouldStop = shouldStop
        let events = try simulator.run()
        try writer?.finish()
        return Outcome(
            events: events, frames: simulator.framesProcessed, sessionID: sessionID,
            eventHash: EventStreamHash.of(events))
    }
}

/// The version this build writes into archives.
public enum CrosstalkVersion {
    /// Semantic version of the tool.
    public static let current = "0.1.0"
}
