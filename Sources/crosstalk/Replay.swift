import ArgumentParser
import Core
import Foundation
import Recorder
import Replayer

/// `crosstalk replay`: re-execute a session exactly, or with changed settings.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-execute a recorded session: exactly (exit 1 if it diverges) or with changed settings.",
        discussion: """
            With no --set/--retime the replay must reproduce the recording: it prints the event-stream hash \
            and exits 0, or exits 1 with the first differing event. With changes it prints a turn-by-turn \
            diff and a verdict. The caller's audio stays as recorded; VAD, endpointer, barge-in and playout \
            re-run; STT, LLM and TTS keep each turn's recorded latencies (re-timed by --retime).
            Examples:
              crosstalk replay A.ctk --set pipeline.endpointing.silence_ms=800 -o B.ctk
              crosstalk replay A.ctk --retime llm.ttft_ms=-200 --retime tts.ttfb_ms=*0.5
              crosstalk replay A.ctk --set pipeline.tts.preset=cartesia-sonic
            """)

    @Argument(help: "Session archive (.ctk).")
    var archive: String

    @OptionGroup var options: RerunOptions

    @Option(name: .customLong("caller-turns"), help: ArgumentHelp(
        "QA's labels of the caller's turns (the import transcript's JSON: a `caller` list of {start, end, text} in seconds): ground truth for a live or imported session, read here, never written to an archive.",
        valueName: "labels.json"))
    var callerTurns: String?

    @Option(help: ArgumentHelp(
        "Re-time a stage: -200 / +150 ms, *0.5, or *0.5+100 (repeatable). Stages: \(Retiming.keys.joined(separator: ", ")).",
        valueName: "stage.latency=value"))
    var retime: [String] = []

    func run() throws {
        let replayer = try SessionReplayer(path: archive, callerLabels: try callerTurns.map(CallTranscript.callerLabels(path:)))
        var request = ReplayRun.Request()
        request.overrides = options.overrides
        request.retime = retime
        request.output = options.output
        request.overwrite = options.force
        let outcome = try ReplayRun.run(request, on: replayer)
        let output = options.output
        if options.json {
            var result: [String: JSONValue] = [
                "hash": .string(outcome.hash), "recorded_hash": .string(outcome.recordedHash),
                "diff": outcome.diff.json, "fast_path": .bool(outcome.fastPath),
                "counterfactual": .bool(request.isCounterfactual),
            ]
            if !request.isCounterfactual {
                result["reproduced"] = .bool(outcome.reproduced)
                result["first_difference"] = outcome.difference.map { .string($0.description) } ?? .null
                result["audio_mismatch"] = outcome.audioMismatch.map(JSONValue.string) ?? .null
            }
            print(JSONValue.object(result).canonicalText)
        } else if request.isCounterfactual {
            print("replayed \(archive) with \((options.overrides + retime.map { "retime " + $0 }).joined(separator: ", "))")
            print(TurnTable.render(outcome.diff.after, title: "after (hash \(outcome.hash))"), terminator: "")
            print(outcome.diff.text, terminator: "")
            if let output { print("wrote \(output) (parent \(replayer.sessionID))") }
        } else {
            print("event stream hash \(outcome.hash) (recorded \(outcome.recordedHash)), \(outcome.events.count) events, \(outcome.frames) frames")
            if let end = replayer.recordingEnd {
                print("the recording was cut short at \(end) s (no session.end: its recorder stopped); compared up to there")
            }
            if let difference = outcome.difference { print("DIVERGED: \(difference)") }
            if let audio = outcome.audioMismatch { print("DIVERGED: \(audio)") }
            if outcome.reproduced {
                print(replayer.recordedSession == nil ? "reproduced exactly (events, audio and VAD)"
                    : "reproduced exactly (events; a recorded session's mic and VAD rows are its input)")
            }
            if let output { print("wrote \(output) (parent \(replayer.sessionID))") }
        }
        if !request.isCounterfactual && !outcome.reproduced { throw ExitCode(1) }
    }
}

/// `crosstalk resimulate`: run the archived scenario again with a caller that reacts anew.
struct Resimulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run a simulated session's scenario (the caller reacts anew) and diff it with the recording.")

    @Argument(help: "Session archive (.ctk) of a simulated session.")
    var archive: String

    @OptionGroup var options: RerunOptions

    func run() throws {
        let session = try SessionArchive(path: archive, makeDecoder: ArchiveCodecs.decoder(codec:format:))
        guard session.meta["source"] == nil || session.meta["source"] == "simulated" || session.meta["source"] == "replay" else {
            throw ReplayError("\(archive): resimulate needs a simulated session; this one is '\(session.meta["source"] ?? "?")'")
        }
        guard session.meta["import"] == nil else {
            throw ReplayError("\(archive): resimulate needs a simulated session; this one is an imported call (its caller cannot react anew; use replay)")
        }
        let source = try ArchivedScenario(archive: session)
        let scenario = try source.scenario(overrides: options.overrides)
        // One pass through a cursor for the recording's metrics and hash.
        var accumulator = SessionMetrics.Accumulator()
        var hasher = FNV1a64()
        try session.forEachEvent { event in
            accumulator.add(event)
            hasher.combine(event.canonicalLine)
        }
        let before = accumulator.metrics
        var recorder = SimulationRecorder(scenario: scenario, scenarioText: source.yaml)
        recorder.parentSessionID = session.meta["session_id"]
        recorder.audioFiles = try ArchivedAudioFiles(archive: session)
        recorder.inputFiles = [archive]
        let outcome = try recorder.run(output: options.output, overwrite: options.force)
        let diff = SessionDiff(before: before, after: SessionMetrics(events: outcome.events))
        if options.json {
            // The shape of `replay --json`, so scripts read both alike.
            let result: JSONValue = [
                "diff": diff.json, "hash": .string(outcome.eventHash),
                "recorded_hash": .string(hasher.hex), "resimulated": .bool(true),
            ]
            print(result.canonicalText)
        } else {
            print(TurnTable.render(diff.after, title: "\(scenario.name) resimulated (hash \(outcome.eventHash))"), terminator: "")
            print(diff.text, terminator: "")
            if let output = options.output { print("wrote \(output)") }
        }
    }
}

/// Options shared by the commands that run a recorded session again.
struct RerunOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Change a setting (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .shortAndLong, help: "Write the new session as an archive (its parent is recorded).")
    var output: String?

    @Flag(help: "Overwrite an existing output archive.")
    var force = false

    @Flag(help: "Print the result as JSON.")
    var json = false
}
