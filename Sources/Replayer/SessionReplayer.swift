import Core
import Engines
import Foundation
import Recorder

/// Re-executes a recorded session, exactly or with changed settings (DESIGN.md §4).
///
/// What stays fixed: the caller's turns start at their recorded instants with the same speech
/// (so the caller audio is the recording's); STT output is regenerated identically from the same
/// words and per-turn draws; each turn's LLM and TTS latencies are drawn per (caller turn, attempt),
/// so a reply keeps its recorded latencies wherever it moves. What re-runs: VAD, endpointer,
/// barge-in, aggregator, playout, and the echo path (the bot's echo moves with its playback).
///
/// Counterfactuals that cannot change what the microphone heard (no echo, same VAD model, same
/// noise and audio settings) take the fast path: the recorded per-frame VAD probabilities stand in
/// for the audio, and nothing is decoded or encoded. Everything else re-runs the audio path.
public final class SessionReplayer: @unchecked Sendable {
    /// The archive being replayed.
    public let archive: SessionArchive
    /// Its settings.
    public let source: ArchivedScenario
    /// The settings it was recorded with.
    public let recordedScenario: Scenario
    /// When each caller turn started, as recorded.
    public let turnStarts: [SimInstant]
    /// Where a recording that was cut short (no `session.end`: its recorder was killed) ends: the
    /// end of its last mic frame. Replays stop there. Nil for finished recordings.
    public let recordingEnd: SimInstant?
    /// Where replays stop early: a cut-short recording's end, or the end of a replay of one
    /// (`session.end` reason `recording_end` in a simulated session), or of a simulation stopped
    /// by Ctrl-C (reason `interrupted`).
    let stopAt: SimInstant?
    /// The `session.end` reason replays stopping at `stopAt` give.
    let stopReason: String
    /// The recorded per-frame VAD probabilities (the fast path's features).
    public let vadProbabilities: [Double]
    /// For an imported call: its turns and replies (the caller and bot audio come from the archive).
    public let observedCall: ObservedCall?
    /// For a recorded real session (live `record`, a LiveKit import): its events, replies and VAD rows.
    public let recordedSession: RecordedSession?
    /// The recorded audio files the scenario named (caller clips, a noise recording), from the archive.
    let recordedFiles: ArchivedAudioFiles
    private let synthesizer = EspeakSynthesizer()
    private let lock = NSLock()
    private var banks: [String: SpeechBank] = [:]
    /// The recording's `llm.*` events, read on first use (a replay against a recorded server).
    private var languageModelEvents: [PipelineEvent]?
    private var metricsOfRecording: SessionMetrics?
    /// QA's labels of the caller's turns (`--caller-turns`): the ground truth of every metric of the
    /// recording and of its replays, in place of the recorded `caller.*` events.
    public let callerLabels: CallerLabels?
    /// Whether the recording's own scores are reused (see `init`).
    let reusesRecordedScores: Bool
    /// End-of-turn scores known for the recorded mic, per model name (made on first use).
    private var scoreMemos: [String: EndOfTurnScores] = [:]
    /// The recorded mic packets, read on first use (what a model-mode replay decodes for a new score).
    private var micPackets: (codec: String, packets: [[UInt8]])?

    /// Opens `path` and loads what every replay of it needs (turn starts, features, settings).
    ///
    /// The recorded events are not held: the few a replay needs are read by kind, and comparisons
    /// with the recording stream it through a cursor (`RecordedPass`).
    ///
    /// With `reusesRecordedScores` (the default), a model-mode replay takes the end-of-turn scores the
    /// recording's `eot.prediction` events carry instead of running the model on the same audio
    /// again; false scores everything anew (a check that the scores are what the model gives).
    public init(path: String, callerLabels: CallerLabels? = nil, reusesRecordedScores: Bool = true) throws {
        self.callerLabels = callerLabels
        self.reusesRecordedScores = reusesRecordedScores
        archive = try SessionArchive(path: path, makeDecoder: ArchiveCodecs.decoder(codec:format:))
        if ArchivedScenario.isRecordedSession(archive) {
            // A recorded real session: its events are held (they are the replay's input).
            observedCall = nil
            source = try ArchivedScenario(archive: archive)
            do { recordedScenario = try source.scenario() } catch {
                throw ReplayError("\(path): the recorded settings do not load in this build (\(error))")
            }
            turnStarts = []
            let rows = try archive.vadFrames()
            vadProbabilities = rows.map(\.probability)
            recordedFiles = try ArchivedAudioFiles(archive: archive)
            let events = try archive.events()
            let frames = try archive.frameCount(.mic)
            recordedSession = RecordedSession(
                events: events, vadProbabilities: rows.isEmpty ? nil : vadProbabilities,
                frameDuration: archive.format.frameDuration, frameCount: frames)
            recordingEnd = events.last?.kind == .sessionEnd ? nil
                : SimInstant(microseconds: Int64(frames) * archive.format.frameDuration.microseconds)
            stopAt = nil
            stopReason = "recording_end"
            return
        }
        guard archive.meta["source"].map(["simulated", "replay", "import"].contains) ?? true else {
            throw ReplayError("\(path): a '\(archive.meta["source"] ?? "?")' session cannot be re-executed; replay needs a simulated, imported or recorded (live, livekit) session")
        }
        recordedSession = nil
        if let text = archive.meta["import"] {
            guard let json = try? JSONParser.parse(text), let call = ObservedCall(json: json) else {
                throw ReplayError("\(path): meta 'import' is not a readable imported call")
            }
            observedCall = call
        } else {
            observedCall = nil
        }
        source = try ArchivedScenario(archive: archive)
        do { recordedScenario = try source.scenario() } catch {
            throw ReplayError("\(path): the recorded settings do not load in this build (\(error))")
        }
        var starts: [SimInstant] = []
        try archive.forEachEvent(kinds: [.callerSpeechStart]) { e in
            guard let us = e.data["turn_start_us"]?.intValue, e.turn == starts.count + 1 else {
                throw ReplayError("\(path): caller.speech_start event \(e.seq) has no turn_start_us (archive too old to replay)")
            }
            starts.append(SimInstant(microseconds: us))
        }
        guard starts.count <= recordedScenario.caller.turns.count else {
            throw ReplayError("\(path): the archive has \(starts.count) caller turns but its scenario only \(recordedScenario.caller.turns.count)")
        }
        turnStarts = starts
        vadProbabilities = try archive.vadFrames().map(\.probability)
        recordedFiles = try ArchivedAudioFiles(archive: archive)
        if let last = try archive.lastEvent(), last.kind == .sessionEnd {
            recordingEnd = nil
            let reason = last.data["reason"]?.stringValue ?? ""
            let inherited = observedCall == nil && (reason == "recording_end" || reason == "interrupted")
            stopAt = inherited ? last.time : nil
            stopReason = inherited ? reason : "recording_end"
        } else {
            let frames = try archive.frameCount(.mic)
            guard frames > 0 else { throw ReplayError("\(path): the recording holds no audio to replay (it was cut short before its first commit)") }
            recordingEnd = SimInstant(microseconds: Int64(frames) * archive.format.frameDuration.microseconds)
            stopAt = recordingEnd
            stopReason = "recording_end"
        }
    }

    /// Replays a recorded real session under `scenario`'s settings (see `RecordedSessionReplay`).
    func runRecorded(_ session: RecordedSession, _ scenario: Scenario) throws -> RecordedSessionReplay.Outcome {
        guard scenario.audio == recordedScenario.audio else {
            throw ReplayError("\(archive.path): a recorded session keeps its recorded audio (\(archive.format)); audio settings cannot change")
        }
        guard scenario.pipeline.retime == recordedScenario.pipeline.retime else {
            throw ReplayError("\(archive.path): --retime needs a simulated or imported session; a recorded session's replies keep the recorded pipeline's latencies")
        }
        let rerun = RecordedSessionReplay.Rerun.needed(recorded: recordedScenario.pipeline, replay: scenario.pipeline)
        if rerun.contains(.vad) && session.vadProbabilities == nil {
            throw ReplayError("\(archive.path): the recording has no VAD rows (per-frame speech probabilities), so pipeline.vad settings cannot change; its recorded vad.start/vad.stop stand")
        }
        var endOfTurn: RecordedSessionReplay.EndOfTurnInputs?
        let endpointing = scenario.pipeline.endpointing
        if endpointing.mode == "model" && rerun.contains(.endpointing) {
            // The model scores the recorded mic (decoded only for a score not known yet).
            endOfTurn = RecordedSessionReplay.EndOfTurnInputs(
                model: DeferredEndOfTurnModel { try EngineFactory.endOfTurnModel(endpointing.model) },
                scores: try endOfTurnScores(model: endpointing.model), format: archive.format,
                mic: { [self] in try recordedMic() })
        }
        var replay = RecordedSessionReplay(session: session, settings: scenario.pipeline, rerun: rerun, endOfTurn: endOfTurn)
        return try replay.run()
    }

    /// The recording's metrics (`SessionMetrics` of its events), computed on first use in one pass.
    public func recordedMetrics() throws -> SessionMetrics {
        lock.lock()
        defer { lock.unlock() }
        if let metricsOfRecording { return metricsOfRecording }
        var accumulator = SessionMetrics.Accumulator(labels: callerLabels)
        try archive.forEachEvent { accumulator.add($0) }
        metricsOfRecording = accumulator.metrics
        return accumulator.metrics
    }

    /// The metrics of a replay's `events`, with the caller labels as ground truth when given.
    public func metrics(of events: [PipelineEvent]) -> SessionMetrics {
        callerLabels?.metrics(of: events) ?? SessionMetrics(events: events)
    }

    /// The recording's `llm.request`, `llm.token`, `llm.done` and `llm.cancel` events, read once.
    private func recordedLanguageModelEvents() throws -> [PipelineEvent] {
        lock.lock()
        defer { lock.unlock() }
        if let languageModelEvents { return languageModelEvents }
        var events: [PipelineEvent] = []
        try archive.forEachEvent(kinds: [.llmRequest, .llmToken, .llmDone, .llmCancel]) { events.append($0) }
        languageModelEvents = events
        return events
    }

    /// The session id of the archive.
    public var sessionID: String { archive.meta["session_id"] ?? "" }

    /// The speech for `scenario`'s texts (synthesized once per distinct voice set; espeak-ng's output
    /// is the same in every process, so this is the recording's speech).
    func speech(for scenario: Scenario) throws -> SpeechBank {
        if let call = observedCall {
            // A recorded caller needs no speech; an observed bot neither.
            if call.botIsObserved { return SpeechBank() }
            return try SpeechBank.prepare(for: scenario, using: synthesizer, callerSpeech: false, files: recordedFiles)
        }
        // Everything the bank depends on: a sweep point may change a reply, a voice or the rate.
        let key = ([String(scenario.audio.sampleRate)] + scenario.textsInFileOrder.map { $0.voice + "\u{1F}" + $0.text }
            + scenario.clipPathsInFileOrder).joined(separator: "\u{1E}")
        lock.lock()
        defer { lock.unlock() }
        if let bank = banks[key] { return bank }
        let bank = try SpeechBank.prepare(for: scenario, using: synthesizer, files: recordedFiles)
        banks[key] = bank
        return bank
    }

    /// Whether a replay under `scenario` can use the recorded VAD probabilities instead of audio.
    public func fastPathAllowed(for scenario: Scenario) -> Bool {
        let a = recordedScenario, b = scenario
        return !a.pipeline.echo.enabled && !b.pipeline.echo.enabled && a.audio == b.audio
            && a.pipeline.vad.engine == b.pipeline.vad.engine && a.pipeline.vad.marginDb == b.pipeline.vad.marginDb
            && a.pipeline.vad.floorDb == b.pipeline.vad.floorDb && a.pipeline.noise == b.pipeline.noise
            && a.caller == b.caller && a.seed == b.seed
            && a.pipeline.stt.engine == "simulated" && b.pipeline.stt.engine == "simulated"
            && a.pipeline.echo.aec == b.pipeline.echo.aec
    }

    /// The end-of-turn scores known for this recording's mic under `model`: the recording's own
    /// `eot.prediction` events if it was made in model mode with that model, and every score a
    /// replay of it has computed since.
    public func endOfTurnScores(model: String) throws -> EndOfTurnScores {
        lock.lock()
        if let memo = scoreMemos[model] {
            lock.unlock()
            return memo
        }
        lock.unlock()
        var events: [PipelineEvent] = []
        let recorded = recordedScenario.pipeline.endpointing
        if reusesRecordedScores && recorded.mode == "model" && recorded.model == model {
            try archive.forEachEvent(kinds: [.eotPrediction]) { events.append($0) }
        }
        let memo = EndOfTurnScores(events: events, format: archive.format)
        lock.lock()
        defer { lock.unlock() }
        if let raced = scoreMemos[model] { return raced }
        scoreMemos[model] = memo
        return memo
    }

    /// How many end-of-turn scores the replays of this archive reused and how many ran the model.
    public var endOfTurnScoreUsage: (reused: Int, computed: Int) {
        lock.lock()
        let memos = scoreMemos.values.map { $0 }
        lock.unlock()
        return memos.map(\.usage).reduce((0, 0)) { ($0.0 + $1.reused, $0.1 + $1.computed) }
    }

    /// The recorded mic, decoded from its first frame on (a fresh decoder per call).
    func recordedMic() throws -> any RecordedFrames {
        lock.lock()
        var mic = micPackets
        lock.unlock()
        if mic == nil {
            let rows = try archive.packets(.mic)
            let read = (codec: rows.first?.codec ?? "pcm16", packets: rows.map(\.bytes))
            lock.lock()
            micPackets = read
            lock.unlock()
            mic = read
        }
        let archive = self.archive
        let codec = mic!.codec
        return PacketFrames(packets: mic!.packets, samplesPerFrame: archive.format.samplesPerFrame) {
            try archive.decoder(for: codec)
        }
    }

    /// Runs a replay of the events only, on the fast path when allowed (used by sweeps);
    /// `fullPath` forces the audio path.
    public func replayEvents(overrides: [String] = [], retime: [String] = [], fullPath: Bool = false) throws -> [PipelineEvent] {
        let scenario = try source.scenario(overrides: overrides, retime: retime)
        return try run(scenario, recorder: nil, fast: !fullPath && fastPathAllowed(for: scenario)).events
    }

    /// Runs `scenario` with the caller pinned to the recording.
    func run(_ scenario: Scenario, recorder: SessionRecording?, fast: Bool) throws -> (events: [PipelineEvent], frames: Int) {
        if let session = recordedSession {
            let outcome = try runRecorded(session, scenario)
            if let recorder { try writeRecorded(outcome, of: session, to: recorder) }
            return (outcome.events, session.frameCount)
        }
        let recorded = recordedScenario.caller
        if scenario.caller.voice != recorded.voice || scenario.caller.turns.map(\.segments) != recorded.turns.map(\.segments) {
            throw ReplayError("\(archive.path): what the caller says is fixed in a replay (its audio is the recording's), so caller.turns.N.say and caller.voice cannot change; `crosstalk resimulate` runs a changed caller")
        }
        let bank = try speech(for: scenario)
        let micCodec = try SimulationRecorder.codecFactory(for: scenario.audio)()
        var plan = ReplayPlan(turnStarts: turnStarts, vadProbabilities: fast ? vadProbabilities : nil)
        plan.recordingEnd = stopAt
        plan.recordingEndReason = stopReason
        var engines = fast ? StageEngines() : try EngineFactory.engines(for: scenario, languageModel: false, deferEndOfTurnModel: true)
        let endpointing = scenario.pipeline.endpointing
        if endpointing.mode == "model" {
            // Scores come from what is known of this mic audio when the mic is the recording's; a
            // new one decodes the recorded mic (fast path) and opens the model on first use.
            if fastPathAllowed(for: scenario) { plan.scores = try endOfTurnScores(model: endpointing.model) }
            if fast {
                plan.mic = { [self] in try recordedMic() }
                engines.endOfTurnModel = DeferredEndOfTurnModel { try EngineFactory.endOfTurnModel(endpointing.model) }
            }
        }
        if scenario.pipeline.llm.engine == "openai" {
            // A server's replies come from the recording: the replay needs no server.
            engines.languageModel = RecordedLanguageModel(events: try recordedLanguageModelEvents())
            engines.synthesizer = synthesizer
        }
        let simulator = SessionSimulator(
            scenario: scenario, speech: bank, micCodec: micCodec, recorder: recorder, replay: plan, engines: engines,
            observed: try observedCall.map { try observedInputs($0, format: scenario.audio.format) })
        let events = try simulator.run()
        return (events, simulator.framesProcessed)
    }

    /// The imported call's recorded audio, decoded from the archive's packets.
    func observedInputs(_ call: ObservedCall, format: AudioFormat) throws -> ObservedInputs {
        func frames(_ stream: AudioStream) throws -> PacketFrames? {
            let packets = try archive.packets(stream)
            guard let codec = packets.first?.codec else { return nil }
            guard format == archive.format else {
                throw ReplayError("\(archive.path): an imported call keeps its recorded audio format (\(archive.format)); audio settings cannot change")
            }
            let archive = self.archive
            return PacketFrames(packets: packets.map(\.bytes), samplesPerFrame: format.samplesPerFrame) { try archive.decoder(for: codec) }
        }
        guard let mic = try frames(.mic) else { throw ReplayError("\(archive.path): the imported call has no mic audio") }
        let bot = try frames(.botSource)
        if call.botIsObserved && bot == nil { throw ReplayError("\(archive.path): the imported call's bot_source audio is missing") }
        return ObservedInputs(call: call, mic: mic, botSource: bot)
    }

    /// Writes a recorded session's replay: its events, the recorded mic and VAD rows as they are,
    /// and the bot stream rebuilt from the recorded replies' audio where the replay played them.
    func writeRecorded(_ outcome: RecordedSessionReplay.Outcome, of session: RecordedSession, to recorder: SessionRecording) throws {
        let format = archive.format
        let spf = format.samplesPerFrame
        let micPackets = try archive.packets(.mic)
        let vadRows = try archive.vadFrames()
        let botFrames = try archive.frameCount(.bot)
        // The new bot stream, only where a reply plays (frames not held are silent): each reply's
        // recorded audio is decoded on its own (with a second of warm-up), never the whole stream.
        var bot: [Int: [Int16]] = [:]
        let total = session.frameCount * spf, recordedEnd = botFrames * spf
        func set(_ sample: Int, _ value: Int16) {
            let frame = sample / spf
            if bot[frame] == nil {
                guard value != 0 else { return }
                bot[frame] = [Int16](repeating: 0, count: spf)
            }
            bot[frame]![sample % spf] = value
        }
        for p in outcome.placements {
            guard let audio = session.replies[p.reply].audio else { continue }
            let from = format.sampleIndex(at: audio.lowerBound), to = min(format.sampleIndex(at: audio.upperBound), recordedEnd)
            guard from < to else { continue }
            let firstFrame = from / spf
            let recorded = try archive.decodedAudio(.bot, frames: firstFrame..<((to + spf - 1) / spf), warmupFrames: 50)
            let end = min(p.audioEnd.map(format.sampleIndex(at:)) ?? Int.max, total)
            var target = format.sampleIndex(at: audio.lowerBound + p.shift)
            var source = from
            while source < to && target < end {
                if target >= 0 { set(target, recorded[source - firstFrame * spf]) }
                source += 1
                target += 1
            }
            // A later reply cuts an earlier one: silence after the earlier one's stop.
            while target < end && target < format.sampleIndex(at: audio.upperBound + p.shift) {
                if target >= 0 { set(target, 0) }
                target += 1
            }
        }
        let silence = [Int16](repeating: 0, count: spf)
        var e = 0
        for f in 0..<session.frameCount {
            let time = format.instant(ofSample: f * spf)
            while e < outcome.events.count && outcome.events[e].time < time {
                recorder.record(event: outcome.events[e])
                e += 1
            }
            if !micPackets.isEmpty {
                let packet = f < micPackets.count ? micPackets[f].bytes : nil
                recorder.record(stream: .mic, frame: f, time: time, samples: packet == nil ? [Int16](repeating: 0, count: spf) : [], packet: packet)
            }
            recorder.record(stream: .bot, frame: f, time: time, samples: bot.removeValue(forKey: f) ?? silence, packet: nil)
            if f < vadRows.count {
                // The recorded rows as they are (the pipeline's own speech flag, not one re-derived here).
                recorder.record(vadFrame: f, time: time, probability: vadRows[f].probability, speech: vadRows[f].speech)
            }
            if f % 50 == 49 { try recorder.checkpoint(at: time) }
        }
        while e < outcome.events.count {
            recorder.record(event: outcome.events[e])
            e += 1
        }
    }

    /// The recorded bot channel of an imported call (copied into replayed archives so they replay too).
    func botSourcePackets() throws -> [[UInt8]] { try archive.packets(.botSource).map(\.bytes) }
}
