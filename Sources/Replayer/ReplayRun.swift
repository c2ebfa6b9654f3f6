import Core
import Foundation
import Recorder

/// One `crosstalk replay`: exact re-execution (no changes) or a counterfactual, with its diff.
public struct ReplayRun {
    /// What was asked.
    public struct Request: Sendable {
        /// `--set key=value` items.
        public var overrides: [String] = []
        /// `--retime stage.latency=value` items.
        public var retime: [String] = []
        /// Where to write the replayed session, if anywhere.
        public var output: String?
        /// Overwrite `output`.
        public var overwrite = false

        /// A request with no changes.
        public init() {}

        /// Whether settings change (otherwise the replay must reproduce the recording).
        public var isCounterfactual: Bool { !overrides.isEmpty || !retime.isEmpty }
    }

    /// What came out.
    public struct Outcome: Sendable {
        /// The replay's events.
        public var events: [PipelineEvent]
        /// Hash of the replay's event stream.
        public var hash: String
        /// Hash of the recording's event stream.
        public var recordedHash: String
        /// For an exact replay: the first event that differs, if any.
        public var difference: EventStreamDifference?
        /// For an exact replay: the first audio or VAD frame that differs, if any.
        public var audioMismatch: String?
        /// Recording vs replay, turn by turn.
        public var diff: SessionDiff
        /// Whether the fast path (recorded VAD features, no audio) was used.
        public var fastPath: Bool
        /// Frames replayed.
        public var frames: Int

        /// An exact replay reproduced the recording.
        public var reproduced: Bool { difference == nil && audioMismatch == nil }
    }

    /// Runs `request` against `replayer`.
    public static func run(_ request: Request, on replayer: SessionReplayer) throws -> Outcome {
        let scenario = try replayer.source.scenario(overrides: request.overrides, retime: request.retime)
        if let output = request.output { try OutputFile.check(output, overwrite: request.overwrite, inputs: [replayer.archive.path]) }
        var events: [PipelineEvent]
        var frames: Int
        var fast = false
        var audioMismatch: String?
        if let output = request.output {
            let makeCodec = SimulationRecorder.codecFactory(for: scenario.audio)
            let writer = try SessionArchiveWriter(
                path: output, meta: meta(for: scenario, request: request, replayer: replayer),
                format: scenario.audio.format, packetCodec: try makeCodec().name, overwrite: request.overwrite,
                recordings: replayer.recordedSession == nil ? try replayer.speech(for: scenario).recordings : [], makeCodec: makeCodec)
            if replayer.observedCall != nil {
                let format = scenario.audio.format
                for (f, packet) in try replayer.botSourcePackets().enumerated() {
                    writer.record(stream: .botSource, frame: f, time: format.instant(ofSample: f * format.samplesPerFrame), samples: [], packet: packet)
                }
            }
            (events, frames) = try replayer.run(scenario, recorder: writer, fast: false)
            // The diff is kept with the replayed session (DESIGN.md §4), as `replay --json` prints it.
            let kept = SessionDiff(before: try replayer.recordedMetrics(), after: replayer.metrics(of: events))
            writer.record(meta: "replay_diff", value: kept.json.canonicalText)
            try writer.finish()
        } else if request.isCounterfactual || replayer.recordedSession != nil {
            fast = replayer.fastPathAllowed(for: scenario)
            (events, frames) = try replayer.run(scenario, recorder: nil, fast: fast)
        } else {
            let checker = try AudioComparison(archive: replayer.archive, makeCodec: SimulationRecorder.codecFactory(for: scenario.audio))
            (events, frames) = try replayer.run(scenario, recorder: checker, fast: false)
            audioMismatch = checker.finish(frames: frames)
        }
        // A recording cut short holds what happened up to its last commit, the cut instant included:
        // the replay stopped at the same point, so all but its own closing session.end compare.
        let compared = replayer.recordingEnd == nil ? events : events.filter {
            !($0.kind == .sessionEnd && $0.data["reason"]?.stringValue == "recording_end")
        }
        // One pass over the recording (a cursor): its hash, its metrics, and the first difference.
        let recorded = try RecordedPass.read(replayer.archive, against: compared, labels: replayer.callerLabels)
        return Outcome(
            events: events, hash: EventStreamHash.of(request.isCounterfactual ? events : compared), recordedHash: recorded.hash,
            difference: request.isCounterfactual ? nil : recorded.difference, audioMismatch: request.isCounterfactual ? nil : audioMismatch,
            diff: SessionDiff(before: recorded.metrics, after: replayer.metrics(of: events)),
            fastPath: fast, frames: frames)
    }

    /// Meta of a replayed archive: the parent's scenario, the new settings, the parent's id.
    static func meta(for scenario: Scenario, request: Request, replayer: SessionReplayer) -> [String: String] {
        var meta = base(for: scenario, request: request, replayer: replayer)
        for key in ["import", "import_file"] { meta[key] = replayer.archive.meta[key] }
        if replayer.recordedSession != nil {
            // A replay of a recorded real session replays like one (its replies are recorded chains).
            let recorded = replayer.archive.meta
            meta["recorded_session"] = recorded["recorded_session"] ?? recorded["source"]
            for key in ["recorded_settings", "client", "started_at"] { meta[key] = recorded[key] }
        }
        return meta
    }

    static func base(for scenario: Scenario, request: Request, replayer: SessionReplayer) -> [String: String] {
        var hasher = FNV1a64()
        hasher.combine(replayer.sessionID)
        for item in request.overrides + ["--retime"] + request.retime { hasher.combine(item) }
        let overrides = JSONValue.array(request.overrides.map(JSONValue.string)).canonicalText
        return [
            "created_by": "crosstalk \(CrosstalkVersion.current)",
            "session_id": "replay-" + hasher.hex,
            "parent_session_id": replayer.sessionID,
            "seed": String(scenario.seed),
            "scenario": replayer.source.yaml,
            "scenario_name": scenario.name,
            "config": scenario.resolvedConfig.canonicalText,
            "replay_overrides": overrides,
            "replay_retime": JSONValue.array(request.retime.map(JSONValue.string)).canonicalText,
            "source": "replay",
        ]
    }
}
