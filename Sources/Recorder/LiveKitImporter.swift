import Core
import Foundation

/// Turns a LiveKit Agents console recording (`session_report.json` + `audio.ogg`) into a recorded
/// real session archive (`crosstalk import --livekit`, meta `source` = `livekit`).
///
/// The user's channel becomes the `mic` stream and the agent's the `bot` stream, on one timeline
/// from `audio_recording_started_at`; the report's events and chat metrics become the event stream
/// (`LiveKitTimeline`); the report's options become meta `config` and, in Crosstalk's `--set`
/// terms, meta `recorded_settings`. Everything is read and checked before the archive is created,
/// so bad input leaves no file behind.
public enum LiveKitImporter {
    /// What to import.
    public struct Request: Sendable {
        /// `session_report.json`.
        public var report: String
        /// `audio.ogg`.
        public var audio: String
        /// The archive to write.
        public var output: String
        /// Replace an existing `output`.
        public var overwrite = false
        /// The user's channel (0 or 1); the other is the agent's. RecorderIO puts the user on 0.
        public var userChannel = 0
        /// The archive's sample rate.
        public var sampleRate = 16000
        /// The archive codec: `opus` or `pcm16`.
        public var codec = "opus"
        /// The session's name (meta `scenario_name`), e.g. the recording's folder.
        public var name: String?

        /// A request to import `report` and `audio` into `output`.
        public init(report: String, audio: String, output: String) {
            self.report = report
            self.audio = audio
            self.output = output
        }
    }

    /// What an import produced.
    public struct Outcome: Sendable {
        /// The archive's events.
        public var events: [PipelineEvent]
        /// Frames per stream (`mic` and `bot`).
        public var frames: Int
        /// The archive's session id.
        public var sessionID: String
        /// Meta `recorded_settings`.
        public var recordedSettings: JSONValue
        /// Things the user should know (one line each).
        public var notes: [String]
    }

    /// Where each mapped option goes: report option → (`--set` key, conversion).
    static let settingKeys: [(option: String, key: String)] = [
        ("min_endpointing_delay", "pipeline.endpointing.silence_ms"),
        ("max_endpointing_delay", "pipeline.endpointing.max_delay_ms"),
        ("min_interruption_duration", "pipeline.bargein.min_speech_ms"),
        ("min_interruption_words", "pipeline.bargein.min_words"),
    ]

    /// Imports `request`.
    public static func run(_ request: Request) throws -> Outcome {
        try OutputFile.check(request.output, overwrite: request.overwrite, inputs: [request.report, request.audio])
        guard request.userChannel == 0 || request.userChannel == 1 else {
            throw ImportError("--channels must be user,agent or agent,user")
        }
        guard [8000, 16000, 24000, 48000].contains(request.sampleRate) else {
            throw ImportError("--rate \(request.sampleRate) is not one of 8000, 16000, 24000, 48000 (the rates Opus codes)")
        }
        guard ["opus", "pcm16"].contains(request.codec) else {
            throw ImportError("--codec '\(request.codec.clippedForMessage)' is not one of opus, pcm16")
        }
        let audioSettings = try CallImporter.scenario(
            turns: [], replies: [], name: "livekit", transcript: true,
            overrides: ["audio.sample_rate=\(request.sampleRate)", "audio.codec=\(request.codec)"], frames: 0
        ).audio
        let report = try LiveKitReport.read(path: request.report)
        let settings = try recordedSettings(report)
        let format = audioSettings.format
        let audio = try LiveKitAudio.read(path: request.audio, userChannel: request.userChannel, rate: format.sampleRate)
        let spf = format.samplesPerFrame
        let frameCount = (max(audio.user.count, audio.agent.count) + spf - 1) / spf
        guard frameCount > 0 else { throw ArchiveError.audioFile(path: request.audio, detail: "is shorter than one \(format.frameMs) ms frame") }
        let audioEndUs = Int64(frameCount) * format.frameDuration.microseconds
        let minWords = report.options["min_interruption_words"]?.intValue ?? 0
        let timeline = LiveKitTimeline(report: report, audioEndUs: audioEndUs, micFrames: frameCount, bargeInTrigger: minWords > 0 ? "words" : "vad")

        let sessionID = report.jobID ?? report.room.map { "livekit-\($0)-\(report.contentHash)" } ?? "livekit-\(report.contentHash)"
        var meta = [
            "source": "livekit",
            "created_by": "crosstalk \(CrosstalkVersion.current) import --livekit",
            "session_id": sessionID,
            "started_at": isoTime(report.audioStartedAt),
            "client": "livekit-agents" + (report.sdkVersion.map { " \($0)" } ?? ""),
            "config": report.options.canonicalText,
            "recorded_settings": settings.canonicalText,
            "import_file": (request.report as NSString).lastPathComponent,
        ]
        if let name = request.name { meta["scenario_name"] = name }
        if let room = report.room { meta["livekit_room"] = room }
        let makeCodec = SimulationRecorder.codecFactory(for: audioSettings)
        let writer = try SessionArchiveWriter(
            path: request.output, meta: meta, format: format, packetCodec: audioSettings.codec, overwrite: request.overwrite,
            makeCodec: makeCodec)
        for (stream, samples) in [(AudioStream.mic, audio.user), (.bot, audio.agent)] {
            for f in 0..<frameCount {
                let start = f * spf
                var frame = start < samples.count ? Array(samples[start..<min(samples.count, start + spf)]) : []
                if frame.count < spf { frame += [Int16](repeating: 0, count: spf - frame.count) }
                writer.record(stream: stream, frame: f, time: format.instant(ofSample: start), samples: frame, packet: nil)
                if f % 500 == 499 { try writer.checkpoint(at: .zero) }
            }
        }
        for event in timeline.events { writer.record(event: event) }
        try writer.finish()
        return Outcome(events: timeline.events, frames: frameCount, sessionID: sessionID, recordedSettings: settings, notes: timeline.notes)
    }

    /// The report's options in Crosstalk's `--set` terms, each checked as `--set` checks it.
    static func recordedSettings(_ report: LiveKitReport) throws -> JSONValue {
        let options = LiveKitFields(report.options, at: "options", path: report.path)
        var settings: [String: JSONValue] = [:]
        var overrides: [String] = []
        for (option, key) in settingKeys {
            guard let seconds = try options.optionalNumber(option) else { continue }
            let value = option == "min_interruption_words" ? Int64(seconds.rounded()) : Int64((seconds * 1000).rounded())
            let item = "\(key)=\(value)"
            do {
                try RecordedSettings.check([item])
            } catch {
                throw options.fail(option, "\(seconds) gives \(item), which Crosstalk refuses: \(Self.oneLine(error))")
            }
            settings[key] = .int(value)
            overrides.append(item)
        }
        if try options.optionalBool("allow_interruptions") == false {
            settings["pipeline.bargein.mode"] = "none"
            overrides.append("pipeline.bargein.mode=none")
        }
        do {
            try RecordedSettings.check(overrides)
        } catch {
            throw ArchiveError.io(path: report.path, detail: "options: the settings they give (\(overrides.joined(separator: ", "))) do not fit together: \(Self.oneLine(error))")
        }
        return .object(settings)
    }

    static func oneLine(_ error: Error) -> String {
        let text = (error as? ScenarioError)?.message ?? "\(error)"
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }

    /// Unix seconds as ISO 8601 UTC with milliseconds (computed, not formatted by the locale).
    static func isoTime(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
