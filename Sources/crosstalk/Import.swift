import ArgumentParser
import Core
import Foundation
import Recorder

/// `crosstalk import`: a real call recording becomes a session archive.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a real call recording into a session archive and run the pipeline over it.",
        discussion: """
            A two-channel recording (caller and bot) keeps the bot's replies as recorded; a caller-only \
            recording takes the bot's replies as text from the transcript and the simulated bot speaks them. \
            The pipeline's VAD, STT and endpointer run over the call, and the per-turn table is printed. \
            Then `crosstalk replay A.ctk --set pipeline.endpointing.silence_ms=800` shows what other \
            endpointing would have done on this call.
            Transcript (optional, JSON, times in seconds): {"caller": [{"start": 0.5, "end": 2.1, "text": "…", \
            "words": [{"word": "Hi", "start": 0.5, "end": 0.7}]}], "bot": [{"start": 2.9, "end": 4.6, "text": "…"}]}. \
            Without one, the caller's speech is found in its channel and recognized by pocketsphinx.
            Example: crosstalk import call.wav --caller-channel 0 --bot-channel 1 --transcript call.json -o call.ctk
            """)

    @Argument(help: "The call recording (WAV, FLAC, … anything libsndfile reads; resampled).")
    var recording: String

    @Option(help: "The caller's channel (0-based).")
    var callerChannel = 0

    @Option(help: "The bot's channel (0-based); leave out for a caller-only recording.")
    var botChannel: Int?

    @Option(help: "Transcript of the call (JSON; see above).")
    var transcript: String?

    @Option(name: .shortAndLong, help: "Archive to write (.ctk).")
    var output: String

    @Option(name: .customLong("set"), help: ArgumentHelp("A pipeline setting for the run over the call, e.g. pipeline.endpointing.silence_ms=800 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: "Overwrite an existing output archive.")
    var force = false

    @Flag(help: "Print the metrics as JSON instead of a table.")
    var json = false

    func run() throws {
        var request = CallImporter.Request(input: recording, output: output)
        request.callerChannel = callerChannel
        request.botChannel = botChannel
        request.transcript = transcript
        request.overrides = overrides
        request.overwrite = force
        let outcome = try CallImporter.run(request)
        for note in outcome.notes { printError("note: \(note)") }
        let metrics = SessionMetrics(events: outcome.events)
        if json {
            print(metrics.json.canonicalText)
        } else {
            let call = outcome.call
            let title = "\(outcome.scenario.name) (imported: \(call.callerTurns.count) caller turns, \(call.botSegments.count) recorded bot replies, \(outcome.events.count) events)"
            print(TurnTable.render(metrics, title: title), terminator: "")
            print("wrote \(output)")
        }
    }
}
