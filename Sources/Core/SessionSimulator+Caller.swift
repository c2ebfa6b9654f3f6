extension SessionSimulator {
    func apply(_ actions: [CallerStateMachine.Action]) {
        // A recorded caller does not react; the recording's end ends the session.
        guard observed == nil else { return }
        for action in actions { handleAction(action) }
    }

    func handleAction(_ action: CallerStateMachine.Action) {
        switch action {
        case .scheduleTimer(let id, let at):
            sim.schedule(.callerTimer(id), at: at)
        case .startTurn(let index):
            // A replay's caller speaks at the recorded instants, not when it would react.
            if replay == nil { startCallerTurn(index) }
        case .endSession(let reason):
            // End on a frame boundary so every stream has the same length.
            let frame = format.frameDuration.microseconds
            let t = (sim.now.microseconds + frame - 1) / frame * frame
            sim.schedule(.sessionEnd(reason: reason), at: SimInstant(microseconds: t))
        }
    }

    /// Lays the turn's audio on the tape from now on, and tells ground truth and STT its word times.
    func startCallerTurn(_ index: Int) {
        if let observed {
            startObservedCallerTurn(index, observed.call.callerTurns[index], transcript: observed.call.hasTranscript)
            return
        }
        let turn = scenario.caller.turns[index]
        let startSample = format.sampleIndex(at: sim.now)
        var samples: [Int16] = []
        var words: [SimulatedSTT.SpokenWord] = []
        for segment in turn.segments {
            switch segment {
            case .pause(let ms):
                samples.append(contentsOf: repeatElement(0, count: format.sampleCount(.milliseconds(ms))))
            case .say, .clip:
                let clip: SynthesizedSpeech
                switch segment {
                case .clip(let path, let text): clip = bank.clip(path: path, text: text)
                case .say(let text): clip = bank.clip(voice: scenario.caller.voice, text: text)
                case .pause: preconditionFailure("unreachable")
                }
                let base = startSample + samples.count
                for w in clip.words {
                    words.append(SimulatedSTT.SpokenWord(
                        text: w.text, start: format.instant(ofSample: base + w.startSample),
                        end: format.instant(ofSample: base + w.endSample)))
                }
                samples.append(contentsOf: clip.samples)
            }
        }
        if replay?.vadProbabilities == nil { tape.place(samples, at: startSample) }
        callerTurnsStarted = index + 1
        scheduleCallerTurn(index, words: words, audioEnd: format.instant(ofSample: startSample + samples.count), transcribe: true)
    }

    /// A recorded caller turn: its audio is already in the recording; ground truth and (with a
    /// transcript) the simulated STT get its word times.
    func startObservedCallerTurn(_ index: Int, _ turn: ObservedCall.CallerTurn, transcript: Bool) {
        callerTurnsStarted = index + 1
        scheduleCallerTurn(index, words: turn.words, audioEnd: turn.end, transcribe: transcript)
    }

    /// Ground-truth edges, the turn's placement and its transcripts.
    func scheduleCallerTurn(_ index: Int, words: [SimulatedSTT.SpokenWord], audioEnd: SimInstant, transcribe: Bool) {
        callerWords[index + 1] = words
        if let first = words.first, let last = words.last {
            sim.schedule(.callerSpeechEdge(turn: index + 1, start: true), at: first.start)
            sim.schedule(.callerSpeechEdge(turn: index + 1, start: false), at: last.end)
        }
        sim.schedule(.callerTurnAudioEnded, at: audioEnd)
        turnStarts[index + 1] = sim.now
        if recognizer == nil && transcribe {
            for output in stt.wordsScheduled(words, callerTurn: index) { sim.schedule(.stt(output), at: output.at) }
        }
    }

    /// Ground truth: the caller's turn (first word start to last word end, pauses included).
    func callerSpeechEdge(turn: Int, start: Bool) {
        let words = callerWords[turn] ?? []
        let text = observed?.call.callerTurns[turn - 1].text ?? scenario.caller.turns[turn - 1].text
        if start {
            let list: [JSONValue] = words.map {
                ["word": .string($0.text), "start_us": .int($0.start.microseconds), "end_us": .int($0.end.microseconds)]
            }
            let placed = turnStarts[turn] ?? sim.now
            emit(.callerSpeechStart, turn: turn, [
                "text": .string(text), "words": .array(list), "turn_start_us": .int(placed.microseconds),
            ])
        } else {
            emit(.callerSpeechEnd, turn: turn, ["text": .string(text)])
            callerWords[turn] = nil
        }
    }
}
