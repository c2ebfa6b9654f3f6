import DequeModule
import RealModule

/// Runs a scenario through the whole pipeline on the virtual clock and records what happens.
///
/// Owns the `Simulation` and one instance of every stage, feeds each input to its stage at its
/// instant, and carries out the actions the stages return. Single-threaded and deterministic:
/// the same scenario, speech and settings give the same event stream and audio in any process.
public final class SessionSimulator {
    enum Input {
        case tick
        case callerTimer(Int)
        case callerSpeechEdge(turn: Int, start: Bool)
        case callerTurnAudioEnded
        case stt(SimulatedSTT.Output)
        case endpointTimer(Int)
        case llmToken(generation: Int, token: ScriptedLLM.Token, last: Bool)
        case ttsChunk(generation: Int, request: Int, chunk: TTSStream.Chunk, last: Bool)
        case playStopped(turn: Int, heard: String)
        case sessionEnd(reason: String)
        case pinnedTurn(Int)
        case observedSegmentDue(Int)
        case llmEnded(generation: Int, failure: String?)
        case eotScore(ModelEndpointing.Score)
        case modelEndpointTimer(Int)
    }

    /// A bot reply in progress.
    struct Reply {
        var turn: Int
        var callerTurn: Int
        var attempt: Int
        var generation: Int
        var speech: SynthesizedSpeech
        var wordCursor = 0
        var requestsSent = 0
        var requestsDone = 0
        var llmDone = false
        var ttsDone = false
        var playStarted = false
        var finished = false
        /// The reply's text so far (a language model's tokens).
        var text = ""
        /// Tokens received.
        var tokenCount = 0
    }

    let scenario: Scenario
    let format: AudioFormat
    let bank: SpeechBank
    let micCodec: FrameCodec
    let recorder: SessionRecording?
    let replay: ReplayPlan?
    /// The recorded call, when this session is a real call's (imports and their replays).
    let observed: ObservedInputs?

    /// Called about every ten seconds of virtual time with the current instant (progress display).
    public var progress: ((SimInstant) -> Void)?
    /// Asked at every frame whether to end the session now (Ctrl-C): it then ends at that frame
    /// with `session.end` reason `interrupted`, as a finished session. Nil never stops; a stop
    /// asked for is the only way outside input changes a session.
    public var shouldStop: (() -> Bool)?

    var sim = Simulation<Input>()
    var events: [PipelineEvent] = []
    var ended = false
    /// A `shouldStop` was answered yes (the session ends at this frame).
    var stopRequested = false
    var frameIndex = 0

    // Stages.
    var caller: CallerStateMachine
    var tape = CallerTape()
    var callerTurnsStarted = 0
    /// Word timings of turns whose ground-truth events are still to be written (by 1-based turn).
    var callerWords: [Int: [SimulatedSTT.SpokenWord]] = [:]
    /// When each caller turn's audio was placed (by 1-based turn), recorded for replays to pin.
    var turnStarts: [Int: SimInstant] = [:]
    var vadModel: any VoiceActivityModel
    let echoCanceller: (any EchoCanceller)?
    let recognizer: (any StreamingRecognizer)?
    let languageModel: (any LanguageModel)?
    let liveSynthesizer: (any SpeechSynthesizer)?
    /// The language model's reply being streamed: polled as the clock advances.
    var liveStream: (stream: any LanguageModelStream, start: SimInstant, generation: Int, tokens: Int)?
    /// The conversation so far, as the language model sees it.
    var conversation: [ChatMessage] = []
    var vad: VADStateMachine
    var stt: SimulatedSTT
    var endpointer: EndpointerStateMachine
    /// `pipeline.endpointing.mode: model`: the policy, the model and the turn's audio (nil otherwise).
    var modelEndpointing: ModelEndpointing?
    var llm: ScriptedLLM
    var aggregator: TextAggregator
    var tts: TTSStream
    var playout: PlayoutStateMachine
    var bargeIn: BargeInPolicy
    var channel: Channel

    var userTurn = 1
    /// Replies started so far for each caller turn (0-based), keying the LLM and TTS draws.
    var attempts: [Int: Int] = [:]
    var generation = 0
    var reply: Reply?
    var lastHeard: String?
    var pendingBotFrame: [Int16]?
    var audibleTurn: Int?
    /// Observed bot replies due to play (by segment index), in the order they became due.
    var dueSegments: [Int] = []
    /// Observed bot replies already scheduled or played.
    var segmentScheduled: [Bool] = []
    /// The turn each anchored reply answers (by segment index).
    var segmentTurns: [Int: Int] = [:]

    /// Prepares a run of `scenario` with pre-synthesized `speech`.
    ///
    /// - Parameters:
    ///   - micCodec: the codec the mic goes through in the loop (the pipeline hears its decoded output).
    ///   - recorder: where frames and events go as they happen (the archive writer), if anywhere.
    ///   - replay: for a replay, the recorded inputs to keep fixed (see `ReplayPlan`).
    ///   - engines: real engines replacing the built-in VAD, echo path and simulated STT.
    ///   - observed: for a real call, its recorded audio and turns (the caller is pinned to them;
    ///     `replay` must give the same turn starts).
    public init(
        scenario: Scenario, speech: SpeechBank, micCodec: FrameCodec, recorder: SessionRecording?,
        replay: ReplayPlan? = nil, engines: StageEngines = StageEngines(), observed: ObservedInputs? = nil
    ) {
        precondition(observed == nil || replay != nil, "an observed call runs as a replay (pinned caller)")
        self.observed = observed
        segmentScheduled = Array(repeating: false, count: observed?.call.botSegments.count ?? 0)
        precondition(replay?.vadProbabilities == nil || recorder == nil, "the fast replay path records no audio")
        precondition(replay.map { $0.turnStarts.count <= scenario.caller.turns.count } ?? true, "more pinned turns than the scenario has")
        self.replay = replay
        self.scenario = scenario
        format = scenario.audio.format
        bank = speech
        self.micCodec = micCodec
        self.recorder = recorder
        let p = scenario.pipeline
        let rtt = SimDuration.milliseconds(p.network.rttMs)
        func seed(_ name: String) -> UInt64 { SeedDerivation.seed(root: scenario.seed, component: name) }
        caller = CallerStateMachine(caller: scenario.caller)
        vadModel = engines.vad ?? EnergyVAD(settings: p.vad, frameMs: format.frameMs)
        echoCanceller = engines.echoCanceller
        recognizer = engines.recognizer
        languageModel = engines.languageModel
        liveSynthesizer = engines.synthesizer
        precondition(engines.languageModel == nil || engines.synthesizer != nil, "a language model's replies need a synthesizer")
        conversation = [ChatMessage(role: "system", content: p.llm.systemPrompt)]
        vad = VADStateMachine(startMs: p.vad.startMs, stopMs: p.vad.stopMs, frameMs: format.frameMs)
        stt = SimulatedSTT(
            settings: p.stt, preset: LatencyPreset.named(p.stt.preset, stage: .stt)!, rtt: rtt, seed: seed("stt"),
            adjustment: p.retime.sttLatency)
        endpointer = EndpointerStateMachine(settings: p.endpointing)
        if p.endpointing.mode == "model" {
            guard let model = engines.endOfTurnModel else { preconditionFailure("endpointing mode model without an end-of-turn model") }
            let fast = replay?.vadProbabilities != nil
            precondition(!fast || replay?.mic != nil, "the fast replay path in model mode needs the recorded mic")
            modelEndpointing = ModelEndpointing(
                settings: p.endpointing, model: model, format: format, scores: replay?.scores, mic: fast ? replay?.mic : nil)
        }
        llm = ScriptedLLM(
            settings: p.llm, preset: LatencyPreset.named(p.llm.preset, stage: .llm)!, rtt: rtt, seed: seed("llm"),
            retime: p.retime)
        aggregator = TextAggregator(settings: p.tts)
        tts = TTSStream(
            settings: p.tts, preset: LatencyPreset.named(p.tts.preset, stage: .tts)!, rtt: rtt, format: format,
            seed: seed("tts"), adjustment: p.retime.ttsTTFB)
        playout = PlayoutStateMachine(samplesPerFrame: format.samplesPerFrame, fadeSamples: format.sampleRate / 100)
        bargeIn = BargeInPolicy(settings: p.bargein)
        channel = Channel(
            echo: p.echo, noise: p.noise, format: format, seed: seed("channel"),
            noiseRecording: p.noise.kind == "babble-file" ? speech.recording(p.noise.file) : nil)
    }

    /// Runs the session to its end and returns every event.
    public func run() throws -> [PipelineEvent] {
        apply(caller.sessionStarted())
        sim.schedule(.tick, at: .zero)
        for (index, start) in (replay?.turnStarts ?? []).enumerated() { sim.schedule(.pinnedTurn(index), at: start) }
        if let observed { scheduleObservedCall(observed.call) }
        while !ended {
            if liveStream != nil { try pollLanguageModel() }
            guard let input = sim.next() else { break }
            try handle(input)
        }
        liveStream?.stream.cancel()
        try recorder?.checkpoint(at: sim.now)
        return events
    }

    /// Number of frames processed (the length of each recorded stream).
    public var framesProcessed: Int { frameIndex }

    // MARK: - Event emission

    func emit(_ kind: EventKind, turn: Int?, _ data: JSONValue) {
        let event = PipelineEvent(seq: Int64(events.count), time: sim.now, kind: kind, turn: turn, data: data)
        events.append(event)
        recorder?.record(event: event)
    }

    // MARK: - Input dispatch

    func handle(_ input: Input) throws {
        switch input {
        case .tick:
            try frameTick()
        case .callerTimer(let id):
            apply(caller.timerFired(id: id, at: sim.now))
        case .callerSpeechEdge(let turn, let start):
            callerSpeechEdge(turn: turn, start: start)
        case .callerTurnAudioEnded:
            apply(caller.turnFinished(at: sim.now, botPlaying: playout.isPlaying))
        case .stt(let output):
            sttOutput(output)
        case .endpointTimer(let id):
            endpoint(endpointer.timerFired(id: id, at: sim.now))
        case .eotScore(let score):
            try eotScoreArrived(score)
        case .modelEndpointTimer(let id):
            guard var model = modelEndpointing else { preconditionFailure("a model endpointer timer without model endpointing") }
            let actions = model.machine.timerFired(id: id, at: sim.now)
            modelEndpointing = model
            try modelEndpoint(actions)
        case .llmToken(let gen, let token, let last):
            llmToken(generation: gen, token: token, last: last)
        case .ttsChunk(let gen, let request, let chunk, let last):
            ttsChunk(generation: gen, request: request, chunk: chunk, last: last)
        case .playStopped(let turn, let heard):
            playbackStopped(turn: turn, interrupted: true, heard: heard)
        case .pinnedTurn(let index):
            caller.turnStartedExternally(index)
            startCallerTurn(index)
        case .observedSegmentDue(let index):
            dueSegments.append(index)
        case .llmEnded(let gen, let failure):
            llmEnded(generation: gen, failure: failure)
        case .sessionEnd(let reason):
            emit(.sessionEnd, turn: nil, ["reason": .string(reason), "frames": .int(Int64(frameIndex))])
            ended = true
        }
    }
}
