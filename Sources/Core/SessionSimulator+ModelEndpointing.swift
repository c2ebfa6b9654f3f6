extension SessionSimulator {
    /// `pipeline.endpointing.mode: model`: the policy state machine, the model that scores the turn,
    /// and the turn's audio since its first speech onset (the last 8 s of it are what the model sees).
    ///
    /// On the fast replay path the mic is not decoded: scores come from `scores` (what the recording
    /// or another sweep point already scored on the same audio), and only a score not there decodes
    /// the recorded mic (`mic`, in order from its start, up to what has been heard) and runs the model.
    struct ModelEndpointing {
        var machine: ModelEndpointerStateMachine
        let model: any EndOfTurnModel
        let inference: SimDuration
        let threshold: Double
        var audio: TurnAudio
        /// Scores known for this mic audio (nil: every score runs the model).
        let scores: (any EndOfTurnScoreMemo)?
        /// The recorded mic, for the fast path (opened on the first score it must compute).
        let openMic: (@Sendable () throws -> any RecordedFrames)?
        var mic: (any RecordedFrames)?

        init(settings: PipelineSettings.Endpointing, model: any EndOfTurnModel, format: AudioFormat, replay: ReplayPlan?) {
            machine = ModelEndpointerStateMachine(policy: settings.modelPolicy)
            self.model = model
            inference = .milliseconds(settings.inferenceMs)
            threshold = settings.threshold
            audio = TurnAudio(format: format)
            scores = replay?.scores
            openMic = replay?.vadProbabilities == nil ? nil : replay?.mic
            precondition(replay?.vadProbabilities == nil || openMic != nil, "the fast replay path in model mode needs the recorded mic")
        }

        /// VAD speech began at `onset`: the first onset after a turn end opens the turn's audio.
        mutating func speechStarted(onset: SimInstant) {
            audio.turnSpeechStarted(onset: onset)
            machine.speechStarted()
        }

        /// P(complete) for the turn heard so far: a known score, or the model's.
        mutating func probability() throws -> Double {
            let start = audio.turnStartSample, end = audio.heard
            if let known = scores?.probability(turnStart: start, audioEnd: end) { return known }
            if let openMic {
                if mic == nil { mic = try openMic() }
                try audio.catchUp(from: mic!)
            }
            let probability = try model.probability(ofTurn: audio.turn)
            scores?.remember(probability, turnStart: start, audioEnd: end)
            return probability
        }
    }

    /// The mic audio the pipeline heard, kept for the last `keep` samples, and where the user turn
    /// in progress started.
    struct TurnAudio {
        let format: AudioFormat
        /// Samples kept: the model's 8 s window at the archive rate, and a second more.
        let keep: Int
        private(set) var samples: [Int16] = []
        /// Samples heard before `samples[0]`.
        private(set) var dropped = 0
        /// Samples the pipeline has heard so far (on the fast path, more than `samples` holds
        /// until `catchUp(from:)` decodes them).
        private(set) var heard = 0
        /// The sample the turn in progress started at (nil between turns).
        private(set) var turnStart: Int?

        init(format: AudioFormat) {
            self.format = format
            keep = (WhisperLogMel.windowSamples / WhisperLogMel.sampleRate + 1) * format.sampleRate
        }

        /// The pipeline heard `frame`.
        mutating func append(_ frame: [Int16]) {
            heard += frame.count
            keep(frame)
        }

        /// The pipeline heard a frame of `count` samples that is not decoded (the fast path).
        mutating func heardUndecoded(_ count: Int) { heard += count }

        /// Decodes the frames heard but not yet held, in order, from `mic`.
        mutating func catchUp(from mic: any RecordedFrames) throws {
            let spf = format.samplesPerFrame
            while dropped + samples.count < heard {
                keep(try mic.frame((dropped + samples.count) / spf).samples)
            }
        }

        private mutating func keep(_ frame: [Int16]) {
            samples += frame
            if samples.count > 2 * keep {
                let cut = samples.count - keep
                samples.removeFirst(cut)
                dropped += cut
            }
        }

        mutating func turnSpeechStarted(onset: SimInstant) {
            guard turnStart == nil else { return }
            turnStart = max(0, format.sampleIndex(at: onset))
        }

        mutating func turnEnded() { turnStart = nil }

        /// Where the turn in progress started (the audio's end when none is).
        var turnStartSample: Int { min(turnStart ?? heard, heard) }

        /// The turn's audio so far at 16 kHz in ±1 (its last 8 s and a second).
        var turn: [Float] {
            let start = max(0, turnStartSample - dropped)
            var heard = Array(samples[min(start, samples.count)...])
            if format.sampleRate != WhisperLogMel.sampleRate {
                heard = Resampler.resample(heard, from: format.sampleRate, to: WhisperLogMel.sampleRate)
            }
            return heard.map { Float($0) / 32768 }
        }
    }

    /// Carries out the model policy's actions.
    func modelEndpoint(_ actions: [ModelEndpointerStateMachine.Action]) throws {
        guard let model = modelEndpointing else { preconditionFailure("model endpointer actions without model endpointing") }
        for action in actions {
            switch action {
            case .score(let request, _):
                // Scored now on the audio heard so far; the verdict lands after the inference time.
                let turnStart = format.instant(ofSample: model.audio.turnStartSample)
                let audioEnd = format.instant(ofSample: model.audio.heard)
                let probability = try modelEndpointing!.probability()
                sim.schedule(
                    .eotScore(request: request, probability: probability, turnStart: turnStart, audioEnd: audioEnd),
                    at: sim.now + model.inference)
            case .scheduleTimer(let id, let at):
                sim.schedule(.modelEndpointTimer(id), at: max(at, sim.now))
            case .verdict:
                break  // emitted with the score's audio end, in `eotScoreArrived`
            case .endTurn(let reason, let waited):
                let transcript = endpointer.transcript
                endpointer.turnEndedElsewhere()
                modelEndpointing?.audio.turnEnded()
                endpoint([.endTurn(reason: reason, waited: waited, transcript: transcript)])
            }
        }
    }

    /// A score is done: the `eot.prediction` event (every score has one; `stale: true` when the user
    /// spoke again before it landed, so the policy ignored it), then whatever the policy does with it.
    func eotScoreArrived(request: Int, probability: Double, turnStart: SimInstant, audioEnd: SimInstant) throws {
        guard var model = modelEndpointing else { preconditionFailure("a score without model endpointing") }
        let actions = model.machine.scoreArrived(request: request, probability: probability, at: sim.now)
        modelEndpointing = model
        let used = actions.contains { if case .verdict = $0 { return true } else { return false } }
        var data: [String: JSONValue] = [
            "probability": .double(probability), "threshold": .double(model.threshold),
            "outcome": .string(probability >= model.threshold ? "complete" : "incomplete"),
            "inference_ms": .int(model.inference.milliseconds), "audio_end_us": .int(audioEnd.microseconds),
            "turn_start_us": .int(turnStart.microseconds),
        ]
        if !used { data["stale"] = true }
        emit(.eotPrediction, turn: userTurn, .object(data))
        try modelEndpoint(actions)
    }
}
