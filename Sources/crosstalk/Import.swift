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
            A LiveKit Agents console recording (`python agent.py console --record`) becomes a recorded real \
            session (meta source livekit: the recorded pipeline's own events, replayable like a live recording): \
            crosstalk import --livekit console-recordings/session-12-03-110000 -o lk.ctk, or \
            crosstalk import --livekit-report session_report.json --audio audio.ogg -o lk.ctk (docs/livekit.md).
            """)

    @Argument(help: "The call recording (WAV, FLAC, … anything libsndfile reads; resampled). Not with --livekit.")
    var recording: String?

    @Option(help: ArgumentHelp("A LiveKit console recording folder holding session_report.json and audio.ogg.", valueName: "dir"))
    var livekit: String?

    @Option(help: ArgumentHelp("A LiveKit session_report.json (with --audio).", valueName: "file"))
    var livekitReport: String?

    @Option(help: ArgumentHelp("The LiveKit recording's audio.ogg (with --livekit-report).", valueName: "file"))
    var audio: String?

    @Option(help: ArgumentHelp("LiveKit: which role each Ogg channel holds: user,agent (RecorderIO's order; the default) or agent,user.", valueName: "roles"))
    var channels: String?

    @Option(help: "LiveKit: the archive's sample rate, 8000, 16000 (the default), 24000 or 48000 (the audio is resampled).")
    var rate: Int?

    @Option(help: "LiveKit: the archive codec, opus (the default) or pcm16.")
    var codec: String?

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

    /// Whether this is a LiveKit import.
    private var isLiveKit: Bool { livekit != nil || livekitReport != nil || audio != nil }

    func validate() throws {
        if isLiveKit {
            if recording != nil { throw ValidationError("give either a recording or --livekit/--livekit-report, not both") }
            if livekit != nil, livekitReport != nil || audio != nil {
                throw ValidationError("--livekit DIR reads DIR/session_report.json and DIR/audio.ogg: leave out --livekit-report and --audio")
            }
            if livekit == nil, livekitReport == nil || audio == nil {
                throw ValidationError("--livekit-report and --audio go together (or give --livekit DIR)")
            }
            if botChannel != nil || transcript != nil || !overrides.isEmpty || callerChannel != 0 || json {
                throw ValidationError("--caller-channel, --bot-channel, --transcript, --set and --json are for call recordings, not LiveKit imports")
            }
            if let channels, !["user,agent", "agent,user"].contains(channels) {
                throw ValidationError("--channels must be user,agent or agent,user, not '\(channels)'")
            }
        } else if recording == nil {
            throw ValidationError("give a call recording, or --livekit DIR")
        } else if channels != nil || rate != nil || codec != nil {
            throw ValidationError("--channels, --rate and --codec are for LiveKit imports (--livekit); a call recording's settings go in --set")
        }
    }

    func run() throws {
        if isLiveKit { return try runLiveKit() }
        guard let recording else { throw ValidationError("give a call recording, or --livekit DIR") }
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

    private func runLiveKit() throws {
        let report: String, audioFile: String, name: String
        if let dir = livekit {
            report = (dir as NSString).appendingPathComponent("session_report.json")
            audioFile = (dir as NSString).appendingPathComponent("audio.ogg")
            name = ((dir as NSString).standardizingPath as NSString).lastPathComponent
        } else {
            report = livekitReport ?? ""
            audioFile = audio ?? ""
            name = (((report as NSString).deletingLastPathComponent as NSString).standardizingPath as NSString).lastPathComponent
        }
        var request = LiveKitImporter.Request(report: report, audio: audioFile, output: output)
        request.overwrite = force
        request.userChannel = channels == "agent,user" ? 1 : 0
        request.sampleRate = rate ?? 16000
        request.codec = codec ?? "opus"
        request.name = name.isEmpty || name == "." ? nil : name
        let outcome = try LiveKitImporter.run(request)
        for note in outcome.notes { printError("note: \(note)") }
        let metrics = SessionMetrics(events: outcome.events)
        let turns = outcome.events.filter { $0.kind == .turnEnd }.count
        let title = "\(request.name ?? "livekit") (LiveKit session \(outcome.sessionID): \(turns) user turns, \(outcome.events.count) events, \(outcome.frames) frames)"
        print(TurnTable.render(metrics, title: title), terminator: "")
        print("recorded settings: \(outcome.recordedSettings.canonicalText)")
        print("wrote \(output)")
    }
}
