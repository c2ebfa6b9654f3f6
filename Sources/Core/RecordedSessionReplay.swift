/// Replays a recorded real session (`RecordedSession`) under other settings.
///
/// The recorded mic is the fixed input: transcripts, end-of-turn verdicts and the caller's labels
/// stay at their recorded times. What the changed settings act on is derived again, causally on the
/// virtual clock, by Crosstalk's own stages: the VAD from the recorded per-frame speech
/// probabilities, the endpointer from the VAD and the recorded transcripts, barge-in from the VAD
/// while a reply plays. Each recorded reply is a chain moved as one piece to the new `turn.end`
/// that hears the same speech (see `RecordedSession`), so it keeps the recorded pipeline's response
/// latency; when a new turn end merges recorded turns, only the reply to the last of them plays.
/// What the settings do not touch stays the recorded pipeline's: with nothing to re-derive, the
/// replay is the recording.
public struct RecordedSessionReplay {
    /// Which of the recorded pipeline's decisions are derived again.
    public struct Rerun: OptionSet, Sendable, Hashable {
        /// The raw bits.
        public let rawValue: Int
        /// Creates a set from its bits.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Speech start/stop from the per-frame probabilities (`pipeline.vad.*` changed).
        public static let vad = Rerun(rawValue: 1)
        /// Turn ends from the VAD and the transcripts (`pipeline.endpointing.*` or the VAD changed).
        public static let endpointing = Rerun(rawValue: 2)
        /// Interruptions of the bot (anything changed: replies may move).
        public static let bargeIn = Rerun(rawValue: 4)

        /// What a replay under `replay` re-derives of a session recorded under `recorded`: derived from
        /// the settings themselves, stage by stage.
        public static func needed(recorded: PipelineSettings, replay: PipelineSettings) -> Rerun {
            var rerun: Rerun = []
            if recorded.vad != replay.vad { rerun.formUnion([.vad, .endpointing]) }
            if recorded.endpointing != replay.endpointing { rerun.insert(.endpointing) }
            if !rerun.isEmpty || recorded.bargein != replay.bargein { rerun.insert(.bargeIn) }
            return rerun
        }
    }

    /// Where a recorded reply's bot audio plays in the replay.
    public struct Placement: Equatable, Sendable {
        /// The reply (an index into `RecordedSession.replies`).
        public var reply: Int
        /// How far it moved: new time − recorded time.
        public var shift: SimDuration
        /// Where its audio stops in the replay (earlier than the recorded end when it was cut).
        public var audioEnd: SimInstant?
    }

    /// What `pipeline.endpointing.mode: model` scores with: the model, the scores already known for
    /// this recording's mic, and the recorded mic (decoded, from its start, only for a new score).
    public struct EndOfTurnInputs {
        /// The end-of-turn model.
        public var model: any EndOfTurnModel
        /// Scores known for this mic (nil: every score runs the model).
        public var scores: (any EndOfTurnScoreMemo)?
        /// Opens the recorded mic.
        public var mic: @Sendable () throws -> any RecordedFrames
        /// The recorded mic's format.
        public var format: AudioFormat

        /// Inputs for a model-mode replay.
        public init(
            model: any EndOfTurnModel, scores: (any EndOfTurnScoreMemo)?, format: AudioFormat,
            mic: @escaping @Sendable () throws -> any RecordedFrames
        ) {
            self.model = model
            self.format = format
            self.scores = scores
            self.mic = mic
        }
    }

    /// The replay's result.
    public struct Outcome: Sendable {
        /// The events, numbered 0, 1, 2, … in time order.
        public var events: [PipelineEvent]
        /// Where each reply that played went (in the order they were placed).
        public var placements: [Placement]
    }

    private enum Input {
        case recorded(Int)
        case tick(Int)
        case timer(Int)
        case chain(placement: Int, event: Int)
        case stopped(placement: Int)
        case score(ModelEndpointing.Score)
        case modelTimer(Int)
    }

    private struct Flight {
        var placement: Placement
        var turn: Int?
        var cancelled = false
        var playing = false
        var llmOpen = false
        var ttsOpen = false
        var audioStart: SimInstant?
        var remaining: Int
    }

    private let session: RecordedSession
    private let settings: PipelineSettings
    private let rerun: Rerun
    private var sim = Simulation<Input>()
    private var out: [PipelineEvent] = []
    private var vad: VADStateMachine
    private var endpointer: EndpointerStateMachine
    /// The model policy, when model mode re-derives the turn ends.
    private var model: ModelEndpointing?
    private var bargeIn: BargeInPolicy
    private var flights: [Flight] = []
    private var userTurn = 1
    private var segment = 0
    private var finished = false
    private let hasTranscripts: Bool

    /// Prepares a replay of `session` under `settings`, re-deriving `rerun`; `endOfTurn` is needed
    /// when that re-derives the turn ends in `pipeline.endpointing.mode: model` (the recorded
    /// `eot.prediction` events then give way to the model's).
    public init(session: RecordedSession, settings: PipelineSettings, rerun: Rerun, endOfTurn: EndOfTurnInputs? = nil) {
        self.session = session
        self.settings = settings
        self.rerun = rerun
        let frameMs = Int(session.frameDuration.microseconds / 1000)
        vad = VADStateMachine(startMs: settings.vad.startMs, stopMs: settings.vad.stopMs, frameMs: max(1, frameMs))
        endpointer = EndpointerStateMachine(settings: settings.endpointing)
        bargeIn = BargeInPolicy(settings: settings.bargein)
        hasTranscripts = session.events.contains { $0.kind == .sttFinal || $0.kind == .sttPartial }
        if rerun.contains(.endpointing) && settings.endpointing.mode == "model" {
            guard let endOfTurn else { preconditionFailure("a model-mode replay of a recorded session without its end-of-turn inputs") }
            model = ModelEndpointing(
                settings: settings.endpointing, model: endOfTurn.model, format: endOfTurn.format,
                scores: endOfTurn.scores, mic: endOfTurn.mic)
        }
    }

    /// Runs the replay (throws only what an end-of-turn model or the recorded mic's decoder throws).
    public mutating func run() throws -> Outcome {
        guard !rerun.isEmpty else {
            // Nothing to derive again: every decision is the recorded pipeline's.
            let events = session.events.enumerated().map { i, e in
                PipelineEvent(seq: Int64(i), time: e.time, kind: e.kind, turn: e.turn, data: e.data)
            }
            let placements = session.replies.indices.map { Placement(reply: $0, shift: .zero, audioEnd: session.replies[$0].audio?.upperBound) }
            return Outcome(events: events, placements: placements.filter { session.replies[$0.reply].audio != nil })
        }
        for (i, e) in session.events.enumerated() { sim.schedule(.recorded(i), at: e.time) }
        if session.frameCount > 0 { sim.schedule(.tick(0), at: frameEnd(0)) }
        for (k, reply) in session.replies.enumerated() where reply.anchor == nil {
            place(k, shift: .zero, turn: reply.turn)
        }
        while !finished, let input = sim.next() { try handle(input) }
        return Outcome(events: out, placements: flights.map(\.placement))
    }

    private func frameEnd(_ f: Int) -> SimInstant { SimInstant(microseconds: Int64(f + 1) * session.frameDuration.microseconds) }

    private mutating func emit(_ kind: EventKind, turn: Int?, _ data: JSONValue) {
        out.append(PipelineEvent(seq: Int64(out.count), time: sim.now, kind: kind, turn: turn, data: data))
    }

    private mutating func handle(_ input: Input) throws {
        switch input {
        case .recorded(let i): try recorded(session.events[i])
        case .tick(let f): try tick(f)
        case .timer(let id): endpoint(endpointer.timerFired(id: id, at: sim.now))
        case .chain(let p, let i): chainEvent(p, i)
        case .stopped(let p): stopPlayback(p, reason: "interrupted")
        case .score(let score): try scoreArrived(score)
        case .modelTimer(let id):
            guard var m = model else { preconditionFailure("a model endpointer timer without model endpointing") }
            let actions = m.machine.timerFired(id: id, at: sim.now)
            model = m
            try modelEndpoint(actions)
        }
    }

    private mutating func recorded(_ e: PipelineEvent) throws {
        switch e.kind {
        case .sessionEnd:
            for p in flights.indices where !flights[p].cancelled && !isDone(p) { cancel(p, reason: "session_end", fade: false) }
            emit(.sessionEnd, turn: e.turn, e.data)
            finished = true
        case .callerSpeechStart, .callerSpeechEnd:
            emit(e.kind, turn: e.turn, e.data)
        case .vadStart, .vadStop:
            guard !rerun.contains(.vad) else { return }
            emit(e.kind, turn: userTurn, e.data)
            if e.kind == .vadStart {
                speechStarted(onset: e.data["onset_us"]?.intValue.map { SimInstant(microseconds: $0) } ?? e.time)
            } else {
                try speechStopped(lastSpeechEnd: e.data["speech_end_us"]?.intValue.map { SimInstant(microseconds: $0) } ?? e.time)
            }
        case .sttPartial, .sttFinal:
            emit(e.kind, turn: userTurn, e.data)
            let text = e.data["text"]?.stringValue ?? ""
            bargeIn.transcriptReceived(text, isFinal: e.kind == .sttFinal)
            if rerun.contains(.endpointing) {
                endpoint(endpointer.transcriptReceived(text, isFinal: e.kind == .sttFinal, segment: segment, at: sim.now))
            }
            if e.kind == .sttFinal { segment += 1 }
        case .eotPrediction:
            // The recording's verdicts, unless the model decides again (then its own are the events).
            guard model == nil else { return }
            emit(e.kind, turn: userTurn, e.data)
        case .turnEnd:
            guard !rerun.contains(.endpointing) else { return }
            let turn = userTurn
            emit(.turnEnd, turn: turn, e.data)
            userTurn += 1
            let recordedTurn = e.turn ?? session.turnEnds.first { $0.time == e.time }?.turn
            turnEnded(turn: turn, reply: session.replies.firstIndex { $0.anchor != nil && $0.turn == recordedTurn })
        case .bargeIn:
            // Barge-in always runs again: replies may have moved.
            return
        default:
            // Reply events are placed as chains.
            return
        }
    }

    private mutating func tick(_ f: Int) throws {
        if f + 1 < session.frameCount { sim.schedule(.tick(f + 1), at: frameEnd(f + 1)) }
        if rerun.contains(.vad) {
            let p = session.vadProbabilities.flatMap { f < $0.count ? $0[f] : nil } ?? 0
            switch vad.frameClassified(end: sim.now, isSpeech: p >= settings.vad.threshold) {
            case .speechStarted(let onset)?:
                emit(.vadStart, turn: userTurn, ["onset_us": .int(onset.microseconds)])
                speechStarted(onset: onset)
            case .speechStopped(let end)?:
                emit(.vadStop, turn: userTurn, ["speech_end_us": .int(end.microseconds)])
                try speechStopped(lastSpeechEnd: end)
            case nil:
                break
            }
        }
        if let interruption = bargeIn.frameProcessed(at: sim.now), let p = flights.lastIndex(where: { $0.playing && !$0.cancelled }) {
            emit(.bargeIn, turn: flights[p].turn, [
                "trigger": .string(interruption.trigger), "speech_ms": .int(interruption.speech.milliseconds),
                "onset_us": .int(interruption.onset.microseconds),
            ])
            cancel(p, reason: "bargein", fade: true)
        }
    }

    private mutating func speechStarted(onset: SimInstant) {
        bargeIn.speechStarted(onset: onset)
        guard rerun.contains(.endpointing) else { return }
        endpointer.speechStarted()
        model?.speechStarted(onset: onset)
        if !hasTranscripts {
            // A recording without transcripts: the endpointer hears that someone spoke.
            endpoint(endpointer.transcriptReceived("…", isFinal: false, segment: segment, at: sim.now))
        }
    }

    private mutating func speechStopped(lastSpeechEnd: SimInstant) throws {
        bargeIn.speechStopped()
        guard rerun.contains(.endpointing) else { return }
        if var m = model {
            // The text endpointer only gathers the transcript; the model policy decides.
            let actions = m.machine.speechStopped(at: sim.now, speechEnd: lastSpeechEnd)
            model = m
            try modelEndpoint(actions)
        } else {
            endpoint(endpointer.speechStopped(at: sim.now, lastSpeechEnd: lastSpeechEnd))
        }
    }

    /// Carries out the model policy's actions: a score is of the mic frames that ended by now.
    private mutating func modelEndpoint(_ actions: [ModelEndpointerStateMachine.Action]) throws {
        for action in actions {
            switch action {
            case .score(let request, _):
                let ended = min(session.frameCount, Int(sim.now.microseconds / session.frameDuration.microseconds))
                model!.audio.heardUndecoded(upTo: ended * model!.audio.format.samplesPerFrame)
                let score = try model!.score(request: request)
                sim.schedule(.score(score), at: sim.now + model!.inference)
            case .scheduleTimer(let id, let at):
                sim.schedule(.modelTimer(id), at: max(at, sim.now))
            case .verdict:
                break  // emitted with the score, in `scoreArrived`
            case .endTurn(let reason, let waited):
                let transcript = endpointer.transcript
                endpointer.turnEndedElsewhere()
                model!.audio.turnEnded()
                endpoint([.endTurn(reason: reason, waited: waited, transcript: transcript)])
            }
        }
    }

    private mutating func scoreArrived(_ score: ModelEndpointing.Score) throws {
        guard var m = model else { preconditionFailure("a score without model endpointing") }
        let actions = m.machine.scoreArrived(request: score.request, probability: score.probability, at: sim.now)
        model = m
        let used = actions.contains { if case .verdict = $0 { return true } else { return false } }
        emit(.eotPrediction, turn: userTurn, m.predictionData(score, used: used))
        try modelEndpoint(actions)
    }

    private mutating func endpoint(_ actions: [EndpointerStateMachine.Action]) {
        for action in actions {
            switch action {
            case .scheduleTimer(let id, let at):
                sim.schedule(.timer(id), at: max(at, sim.now))
            case .discardSpeech:
                break
            case .endTurn(let reason, let waited, let transcript):
                let turn = userTurn
                let speechEnd = sim.now - waited
                emit(.turnEnd, turn: turn, [
                    "reason": .string(reason), "waited_ms": .int(waited.milliseconds),
                    "transcript": .string(transcript), "speech_end_us": .int(speechEnd.microseconds),
                ])
                userTurn += 1
                turnEnded(turn: turn, reply: reply(hearing: speechEnd))
            }
        }
    }

    /// The recorded reply that answers speech ending at `speechEnd`: the first recorded turn whose
    /// speech ends at or after it (within a frame), if `speechEnd` falls after the turn before it ended.
    private func reply(hearing speechEnd: SimInstant) -> Int? {
        let ends = session.turnEnds
        guard let n = ends.firstIndex(where: { $0.speechEnd + session.frameDuration >= speechEnd }) else { return nil }
        if n > 0, speechEnd <= ends[n - 1].time { return nil }
        return session.replies.firstIndex { $0.anchor != nil && $0.turn == ends[n].turn }
    }

    private mutating func turnEnded(turn: Int, reply k: Int?) {
        // A new turn supersedes whatever the bot was still doing.
        for p in flights.indices where !flights[p].cancelled && !isDone(p) { cancel(p, reason: "superseded", fade: false) }
        guard let k, let anchor = session.replies[k].anchor else { return }
        place(k, shift: sim.now - anchor, turn: turn)
    }

    private func isDone(_ p: Int) -> Bool { flights[p].remaining == 0 && !flights[p].playing }

    private mutating func place(_ k: Int, shift: SimDuration, turn: Int?) {
        let reply = session.replies[k]
        let p = flights.count
        flights.append(Flight(placement: Placement(reply: k, shift: shift, audioEnd: reply.audio.map { $0.upperBound + shift }), turn: turn, remaining: reply.events.count))
        for (i, e) in reply.events.enumerated() { sim.schedule(.chain(placement: p, event: i), at: max(sim.now, e.time + shift)) }
    }

    private mutating func chainEvent(_ p: Int, _ i: Int) {
        guard !flights[p].cancelled else { return }
        flights[p].remaining -= 1
        let reply = session.replies[flights[p].placement.reply]
        let e = reply.events[i]
        var data = e.data
        switch e.kind {
        case .llmRequest: flights[p].llmOpen = true
        case .llmDone, .llmCancel: flights[p].llmOpen = false
        case .ttsRequest: flights[p].ttsOpen = true
        case .ttsDone, .ttsCancel: flights[p].ttsOpen = false
        case .playStart:
            flights[p].playing = true
            if flights[p].audioStart == nil { flights[p].audioStart = sim.now }
            bargeIn.playbackStarted()
        case .playStop:
            flights[p].playing = false
            bargeIn.playbackStopped()
            if i == reply.events.lastIndex(where: { $0.kind == .playStop }), reply.interruptedInRecording {
                // Cut in the recording, not here: its audio ends where the recording's did.
                if case .object(var members) = data {
                    members["reason"] = .string("done")
                    members["recorded_reason"] = .string("interrupted")
                    data = .object(members)
                }
            }
        default: break
        }
        emit(e.kind, turn: flights[p].turn, data)
    }

    /// Stops placement `p`: its remaining events are dropped, open requests cancelled, and its
    /// playback stopped (after the 10 ms fade-out for a barge-in, as the simulator's playout does).
    private mutating func cancel(_ p: Int, reason: String, fade: Bool) {
        flights[p].cancelled = true
        let turn = flights[p].turn
        if flights[p].llmOpen { emit(.llmCancel, turn: turn, ["reason": .string(reason)]) }
        if flights[p].ttsOpen { emit(.ttsCancel, turn: turn, ["reason": .string(reason)]) }
        flights[p].llmOpen = false
        flights[p].ttsOpen = false
        if flights[p].audioStart == nil { flights[p].audioStart = sim.now }
        if flights[p].playing {
            if fade { sim.schedule(.stopped(placement: p), at: sim.now + .milliseconds(10)) } else { stopPlayback(p, reason: reason == "session_end" ? "done" : "interrupted") }
        } else {
            flights[p].placement.audioEnd = min(flights[p].placement.audioEnd ?? sim.now, sim.now)
        }
    }

    private mutating func stopPlayback(_ p: Int, reason: String) {
        guard flights[p].playing else { return }
        flights[p].playing = false
        flights[p].placement.audioEnd = min(flights[p].placement.audioEnd ?? sim.now, sim.now)
        bargeIn.playbackStopped()
        let reply = session.replies[flights[p].placement.reply]
        emit(.playStop, turn: flights[p].turn, ["reason": .string(reason), "heard_text": .string(heard(reply, placement: flights[p].placement))])
    }

    /// The words of the reply's recorded audio that played before its audio stopped, spread over
    /// the audio in proportion to their length (the recording gives the text, not word times).
    private func heard(_ reply: RecordedSession.Reply, placement: Placement) -> String {
        guard let audio = reply.audio, let end = placement.audioEnd else { return "" }
        let total = audio.upperBound - audio.lowerBound
        let played = max(.zero, min(total, end - (audio.lowerBound + placement.shift)))
        let words = reply.heardText.words
        let length = words.reduce(0) { $0 + $1.count + 1 }
        guard length > 0, total > .zero else { return "" }
        var used = 0
        var heard: [String] = []
        for w in words {
            used += w.count + 1
            guard Int64(used) * total.microseconds <= Int64(length) * played.microseconds else { break }
            heard.append(w)
        }
        return heard.joined(separator: " ")
    }
}
