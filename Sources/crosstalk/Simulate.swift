import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk simulate`: run a scenario through the pipeline and record it.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario through the voice pipeline on the virtual clock and record it.",
        discussion: """
            Prints one row per user turn: caller speech end, turn.end, endpoint delay, STT final lag, \
            LLM time to first token, TTS time to first byte, first bot audio, voice-to-voice latency, \
            overlap, and cut-off / barge-in / self-interruption flags.
            Example: crosstalk simulate sessions/scenarios/hesitation.yaml -o out.ctk --set pipeline.endpointing.silence_ms=800
            """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(name: .shortAndLong, help: "Archive to write (.ctk).")
    var output: String?

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a setting, e.g. pipeline.endpointing.silence_ms=800 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Overwrite an existing output archive.")
    var force = false

    @Flag(help: "Print the metrics as JSON instead of a table.")
    var json = false

    func run() throws {
        var sets = overrides
        if let seed { sets.append("seed=\(seed)") }
        let (scenario, text) = try ScenarioLoader.load(path: self.scenario, overrides: sets)
        let progress: ((SimInstant) -> Void)? = stderrIsTerminal ? { now in
            StandardStream.error.write("\rsimulating \(scenario.name): \(now.milliseconds / 1000) s of conversation")
        } : nil
        var recorder = SimulationRecorder(scenario: scenario, scenarioText: text)
        recorder.audioFiles = ScenarioAudioFiles(scenario: scenario, scenarioPath: self.scenario)
        recorder.inputFiles = [self.scenario]
        // Ctrl-C or SIGTERM ends the session at the next frame and the archive is finished (then
        // the exit status says it was stopped).
        StopSignal.install()
        let outcome: SimulationRecorder.Outcome
        do {
            outcome = try recorder.run(output: output, overwrite: force, progress: progress, shouldStop: StopSignal.requested)
        } catch where StopSignal.requested() {
            // Stopped before the session started (e.g. a terminal's Ctrl-C also reached the speech
            // synthesizer, which then failed): nothing was written.
            printError("crosstalk: \(StopSignal.name): stopped before the simulation started; nothing was written")
            throw ExitCode(StopSignal.exitStatus)
        }
        if stderrIsTerminal { StandardStream.error.write("\r\u{1B}[K") }
        let interrupted = outcome.events.last?.kind == .sessionEnd && outcome.events.last?.data["reason"]?.stringValue == "interrupted"
        if interrupted {
            let at = outcome.events.last.map { "\($0.time.milliseconds / 1000) s" } ?? "the start"
            let kept = output.map { "; the session up to there is in \($0) (session.end reason interrupted)" } ?? ""
            printError("crosstalk: \(StopSignal.name): stopped the simulation at \(at)\(kept)")
        }
        try LanguageModelFailures(events: outcome.events).check(output: output)
        if outcome.events.last?.data["reason"]?.stringValue == "max_duration" {
            printError("note: the session reached max_duration_ms (\(scenario.maxDurationMs) ms) and was stopped there")
        }
        let metrics = SessionMetrics(events: outcome.events)
        if json {
            print(metrics.json.canonicalText)
        } else {
            print(TurnTable.render(metrics, title: "\(scenario.name) (seed \(scenario.seed), events \(outcome.events.count), hash \(outcome.eventHash))"), terminator: "")
            if let output { print("wrote \(output)") }
        }
        if interrupted { throw ExitCode(StopSignal.exitStatus) }
    }
}

/// Failed language model requests of a session (`llm.cancel` with reason `error`): a note when some
/// failed, an error (exit 2) when all did, e.g. a server that is not running. The archive is kept.
struct LanguageModelFailures {
    var requests = 0
    var failures: [String] = []

    init(events: [PipelineEvent]) {
        for e in events {
            if e.kind == .llmRequest { requests += 1 }
            if e.kind == .llmCancel, e.data["reason"]?.stringValue == "error" { failures.append(e.data["error"]?.stringValue ?? "error") }
        }
    }

    func check(output: String?) throws {
        guard let first = failures.first else { return }
        let kept = output.map { " (the session is recorded in \($0))" } ?? ""
        if failures.count == requests {
            throw ValidationError("every language model request failed (\(requests)): \(first)\(kept)")
        }
        printError("note: \(failures.count) of \(requests) language model requests failed: \(first)")
    }
}
