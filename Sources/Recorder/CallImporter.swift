import Core
import Engines
import Foundation

/// Turns a real call recording into a session archive (`crosstalk import`).
///
/// The caller channel becomes the archive's `caller` and `mic` streams (encoded with the archive
/// codec; the pipeline hears the decoded packets, as in every session). With a bot channel, that
/// channel is stored as `bot_source` and its speech segments are the bot's observed replies;
/// without one, the bot's replies come as text and the simulated bot speaks them. The pipeline's
/// VAD, STT and endpointer then run over the call, and the result is recorded like a simulated
/// session, so `report`, `inspect`, `replay --set …` and `sweep` work on it.
///
/// Ground truth (the caller's turns) comes from the transcript when one is given, else from the
/// caller channel's speech, grouped into turns by the bot's replies. Without a transcript the STT
/// is pocketsphinx (real recognition of the call); with one, the simulated STT runs from its words.
public struct CallImporter {
    /// What to import.
    public struct Request: Sendable {
        /// The recording (any format libsndfile reads).
        public var input: String
        /// The caller's channel (0-based).
        public var callerChannel = 0
        /// The bot's channel (0-based), if the recording has one.
        public var botChannel: Int?
        /// The transcript file, if any (see `CallTranscript`).
        public var transcript: String?
        /// The archive to write.
        public var output: String
        /// Replace an existing `output`.
        public var overwrite = false
        /// `--set key=value` settings for the pipeline that runs over the call.
        public var overrides: [String] = []

        /// A request to import `input` into `output`.
        public init(input: String, output: String) {
            self.input = input
            self.output = output
        }
    }

    /// What an import produced.
    public struct Outcome {
        /// The session's events.
        public var events: [PipelineEvent]
        /// Frames per stream.
        public var frames: Int
        /// The archive's session id.
        public var sessionID: String
        /// The call as imported (turns, replies and their anchors).
        public var call: ObservedCall
        /// The settings the pipeline ran with.
        public var scenario: Scenario
        /// Things the user should know (one line each).
        public var notes: [String]
    }

    /// The longest recording imported (the channels are held in memory).
    public static let maxDuration = SimDuration.milliseconds(2 * 3600 * 1000)
    /// Sample rates accepted.
    public static let rateRange = 8000...192_000

    /// Imports `request.input`.
    public static func run(_ request: Request) throws -> Outcome {
        let input = request.input
        func fail(_ detail: String) -> ArchiveError { .audioFile(path: input, detail: detail) }
        try OutputFile.check(request.output, overwrite: request.overwrite, inputs: [request.input] + (request.transcript.map { [$0] } ?? []))
        if let bot = request.botChannel, bot == request.callerChannel {
            throw ImportError("--caller-channel and --bot-channel are both \(bot); they must differ")
        }
        let transcript = try request.transcript.map(CallTranscript.read(path:))

        // The recording: checked from its header before anything is read.
        let file = try SndfileHandle.openForReading(input)
        let channels = Int(file.info.channels), rate = Int(file.info.samplerate), length = Int(file.info.frames)
        guard rateRange.contains(rate) else {
            throw fail("sample rate \(rate) Hz is not supported (\(rateRange.lowerBound)–\(rateRange.upperBound) Hz)")
        }
        for (flag, channel) in [("--caller-channel", request.callerChannel), ("--bot-channel", request.botChannel ?? 0)] where channel >= channels || channel < 0 {
            let hint = channels == 1 && flag == "--bot-channel"
                ? "; for a caller-only recording leave out --bot-channel and give the bot's replies as text (--transcript)" : ""
            throw fail("has \(channels) channel\(channels == 1 ? "" : "s"), so \(flag) \(channel) does not exist (channels are 0-based)\(hint)")
        }
        guard length > 0 else { throw fail("holds no audio (0 samples)") }
        let duration = SimDuration(microseconds: Int64(length) * 1_000_000 / Int64(rate))
        guard duration <= maxDuration else {
            throw fail("is \(duration.milliseconds / 60_000) minutes long; imports are limited to \(maxDuration.milliseconds / 60_000) minutes (split the recording)")
        }
        let wanted = [request.callerChannel] + (request.botChannel.map { [$0] } ?? [])
        let raw = try file.readChannels(wanted)
        try file.close()

        // Settings first (the audio format decides the framing), then the call's shape.
        let settings = try scenario(turns: [], replies: [], name: "import", transcript: true, overrides: request.overrides, frames: 0)
        let audio = settings.audio, vadSettings = settings.pipeline.vad
        let format = audio.format
        let resampler = Resampler(from: rate, to: format.sampleRate)
        let makeCodec = SimulationRecorder.codecFactory(for: audio)
        let mic = try encode(resampler.resample(raw[0]), format: format, makeCodec: makeCodec)
        let bot = try raw.count > 1 ? encode(resampler.resample(raw[1]), format: format, makeCodec: makeCodec) : nil
        let frameCount = mic.count
        guard frameCount > 0 else { throw fail("is shorter than one \(format.frameMs) ms frame") }

        var notes: [String] = []
        let frameMs = format.frameMs
        func frames(_ ms: Int) -> Int { max(1, ms / frameMs) }
        var segments: [ObservedCall.BotSegment] = []
        if let bot {
            segments = try botSegments(bot, transcript: transcript, format: format, vad: vadSettings, makeCodec: makeCodec, notes: &notes)
        }
        var callerTurns: [ObservedCall.CallerTurn]
        if let transcript, !transcript.caller.isEmpty {
            callerTurns = transcript.callerTurns
        } else {
            let speech = try speechFrames(mic, vad: vadSettings, format: format, makeCodec: makeCodec)
            let regions = CallSegmentation.regions(speech, mergeGap: frames(300), minLength: frames(100))
            let grouped = CallSegmentation.callerTurns(regions, botStarts: segments.map(\.startFrame), turnGap: frames(2000))
            callerTurns = grouped.map { regions in
                let words = regions.map { r in
                    SimulatedSTT.SpokenWord(
                        text: "", start: SimInstant(microseconds: Int64(r.lowerBound) * Int64(frameMs) * 1000),
                        end: SimInstant(microseconds: Int64(r.upperBound) * Int64(frameMs) * 1000))
                }
                return ObservedCall.CallerTurn(start: words[0].start, text: "", words: words)
            }
        }
        guard !callerTurns.isEmpty else {
            throw fail("no caller speech found in channel \(request.callerChannel) (is it the right channel, or silent?)")
        }
        let hasTranscript = transcript.map { !$0.caller.isEmpty } ?? false
        let replies = bot == nil ? (transcript?.bot.map(\.text) ?? []) : []
        if bot == nil && replies.isEmpty {
            notes.append("no bot replies given (transcript 'bot' list): the simulated bot says its fallback reply to every turn")
        }
        let name = PathName.deletingExtension(PathName.lastComponent(of: input))
        let yaml = scenarioYAML(turns: callerTurns.map(\.text), replies: replies, name: name, transcript: hasTranscript, frames: frameCount, frameMs: frameMs)
        let scenario = try ScenarioLoader.decode(yaml: yaml, source: "\(name) (import)", overrides: request.overrides)
        var call = ObservedCall(callerTurns: callerTurns, botSegments: segments, hasTranscript: hasTranscript, frameCount: frameCount)
        let micFrames = { PacketFrames(packets: mic, samplesPerFrame: format.samplesPerFrame, makeDecoder: makeCodec) }
        let botFrames = { bot.map { PacketFrames(packets: $0, samplesPerFrame: format.samplesPerFrame, makeDecoder: makeCodec) } }
        let bank = bot == nil ? try SpeechBank.prepare(for: scenario, using: EspeakSynthesizer(), callerSpeech: false) : SpeechBank()
        let plan = ReplayPlan(turnStarts: callerTurns.map(\.start))
        func engines() throws -> StageEngines {
            do { return try EngineFactory.engines(for: scenario) } catch {
                throw ImportError("\(error)\(hasTranscript ? "" : " (without a transcript the call is recognized by pocketsphinx; or give --transcript)")")
            }
        }
        if call.botIsObserved {
            // Where each reply falls relative to the endpointer's decisions: a first pass without a
            // recorder (turn ends do not depend on the bot; the mic is fixed).
            let probe = SessionSimulator(
                scenario: scenario, speech: bank, micCodec: try makeCodec(), recorder: nil, replay: plan,
                engines: try engines(), observed: ObservedInputs(call: call, mic: micFrames(), botSource: botFrames()))
            call = call.anchored(to: try probe.run(), frameDuration: format.frameDuration)
            let fixed = call.botSegments.filter { $0.anchor == nil }.count
            if fixed > 0 { notes.append("\(fixed) bot repl\(fixed == 1 ? "y comes" : "ies come") before any turn.end: kept at the recorded time in replays") }
        }

        var hasher = FNV1a64()
        hasher.combine(yaml)
        hasher.combine(scenario.resolvedConfig.canonicalText)
        for p in mic { hasher.combine(Int64(p.count)); for b in p { hasher.combine(byte: b) } }
        let sessionID = "import-" + hasher.hex
        let meta = [
            "created_by": "crosstalk \(CrosstalkVersion.current)",
            "session_id": sessionID,
            "seed": String(scenario.seed),
            "scenario": yaml,
            "scenario_name": scenario.name,
            "config": scenario.resolvedConfig.canonicalText,
            "source": "import",
            "import": call.json.canonicalText,
            "import_file": PathName.lastComponent(of: input),
        ]
        let micCodec = try makeCodec()
        let writer = try SessionArchiveWriter(
            path: request.output, meta: meta, format: format, packetCodec: micCodec.name, overwrite: request.overwrite, makeCodec: makeCodec)
        if let bot { try copy(bot, stream: .botSource, into: writer, format: format) }
        let simulator = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: micCodec, recorder: writer, replay: plan,
            engines: try engines(), observed: ObservedInputs(call: call, mic: micFrames(), botSource: botFrames()))
        let events = try simulator.run()
        try writer.finish()
        return Outcome(events: events, frames: simulator.framesProcessed, sessionID: sessionID, call: call, scenario: scenario, notes: notes)
    }

    /// Writes a stream's packets as they are.
    static func copy(_ packets: [[UInt8]], stream: AudioStream, into writer: SessionArchiveWriter, format: AudioFormat) throws {
        for (f, p) in packets.enumerated() {
            writer.record(stream: stream, frame: f, time: format.instant(ofSample: f * format.samplesPerFrame), samples: [], packet: p)
            if f % 500 == 499 { try writer.checkpoint(at: .zero) }
        }
    }

    /// The channel cut into frames (the last one padded with silence) and encoded.
    static func encode(_ samples: [Int16], format: AudioFormat, makeCodec: () throws -> any FrameCodec) throws -> [[UInt8]] {
        let spf = format.samplesPerFrame
        let codec = try makeCodec()
        var packets: [[UInt8]] = []
        packets.reserveCapacity((samples.count + spf - 1) / spf)
        var start = 0
        while start < samples.count {
            var frame = Array(samples[start..<min(samples.count, start + spf)])
            if frame.count < spf { frame += [Int16](repeating: 0, count: spf - frame.count) }
            packets.append(try codec.encode(frame))
            start += spf
        }
        return packets
    }

    /// Per frame, whether the energy VAD hears speech in the decoded packets.
    static func speechFrames(
        _ packets: [[UInt8]], vad settings: PipelineSettings.VAD, format: AudioFormat, makeCodec: @escaping () throws -> any FrameCodec
    ) throws -> [Bool] {
        let frames = PacketFrames(packets: packets, samplesPerFrame: format.samplesPerFrame, makeDecoder: makeCodec)
        var vad = EnergyVAD(settings: settings, frameMs: format.frameMs)
        var out: [Bool] = []
        out.reserveCapacity(packets.count)
        for f in 0..<packets.count {
            out.append(try vad.probability(of: frames.frame(f).samples) >= settings.threshold)
        }
        return out
    }

    /// The bot's replies in the bot channel: the transcript's timed `bot` entries, else the
    /// channel's speech (pauses under a second stay inside a reply).
    static func botSegments(
        _ packets: [[UInt8]], transcript: CallTranscript?, format: AudioFormat, vad: PipelineSettings.VAD,
        makeCodec: @escaping () throws -> any FrameCodec, notes: inout [String]
    ) throws -> [ObservedCall.BotSegment] {
        let frameUs = format.frameDuration.microseconds
        let entries = transcript?.bot ?? []
        if !entries.isEmpty, entries.allSatisfy({ $0.start != nil && $0.end != nil }) {
            return entries.map { e in
                let a = Int(e.start!.microseconds / frameUs), b = Int((e.end!.microseconds + frameUs - 1) / frameUs)
                return ObservedCall.BotSegment(startFrame: min(a, packets.count), frameCount: max(0, min(b, packets.count) - a), text: e.text,
                                               recordedTurnEnd: e.turnEnd)
            }.filter { $0.frameCount > 0 }
        }
        let speech = try speechFrames(packets, vad: vad, format: format, makeCodec: makeCodec)
        let perSecond = 1000 / format.frameMs
        let regions = CallSegmentation.regions(speech, mergeGap: perSecond, minLength: max(1, perSecond * 3 / 10))
        var segments = regions.map { ObservedCall.BotSegment(startFrame: $0.lowerBound, frameCount: $0.count, text: "") }
        if !entries.isEmpty {
            if entries.count == segments.count {
                for i in segments.indices {
                    segments[i].text = entries[i].text
                    segments[i].recordedTurnEnd = entries[i].turnEnd
                }
            } else {
                notes.append("the transcript has \(entries.count) bot replies without times but the bot channel has \(segments.count): reply texts not attached")
            }
        }
        return segments
    }

    /// The scenario an import runs with: its turns and replies, and the user's settings on top.
    static func scenario(turns: [String], replies: [String], name: String, transcript: Bool, overrides: [String], frames: Int) throws -> Scenario {
        let yaml = scenarioYAML(turns: turns.isEmpty ? [""] : turns, replies: replies, name: name, transcript: transcript, frames: frames, frameMs: 20)
        return try ScenarioLoader.decode(yaml: yaml, source: "import settings", overrides: overrides)
    }

    /// The generated scenario text stored in the archive (replays read their settings from it).
    static func scenarioYAML(turns: [String], replies: [String], name: String, transcript: Bool, frames: Int, frameMs: Int) -> String {
        func quoted(_ s: String) -> String { JSONValue.string(s).canonicalText }
        var lines = [
            "# Generated by crosstalk import: the caller's turns are the recording's (their text is the",
            "# transcript's, or '(speech)' without one); replies are the bot's (caller-only recordings).",
            "name: \(quoted(name))",
            "seed: 0",
            "max_duration_ms: \(max(1000, (frames + 1) * frameMs))",
        ]
        if !transcript { lines += ["pipeline:", "  stt: { engine: pocketsphinx }"] }
        lines.append("caller:")
        lines.append("  turns:")
        for t in turns { lines.append("    - say: \(quoted(t.isEmpty ? "(speech)" : t))") }
        if !replies.isEmpty {
            lines.append("bot:")
            lines.append("  replies:")
            for r in replies { lines.append("    - \(quoted(r))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A usage problem with an import request (exit 2, one line).
public struct ImportError: Error, CustomStringConvertible {
    /// What was wrong.
    public var description: String

    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
