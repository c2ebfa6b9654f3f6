extension SessionSimulator {
    /// One frame step at `now = k × frame`: the mic frame k−1 has just ended; bot frame k starts playing.
    func frameTick() throws {
        guard !ended else { return }
        let now = sim.now
        if sim.now.microseconds >= Int64(scenario.maxDurationMs) * 1000 {
            handleAction(.endSession(reason: "max_duration"))
        } else if let replay, !replay.stopsAtCommitPoint, let end = replay.recordingEnd, now >= end {
            handleAction(.endSession(reason: replay.recordingEndReason))
        } else if !stopRequested, shouldStop?() == true {
            stopRequested = true
            handleAction(.endSession(reason: "interrupted"))
        }
        if let botFrame = pendingBotFrame {
            let f = frameIndex
            let frameTime = now - format.frameDuration
            let probability: Double
            if let recorded = replay?.vadProbabilities {
                probability = f < recorded.count ? recorded[f] : 0
                modelEndpointing?.audio.heardUndecoded(format.samplesPerFrame)
            } else {
                probability = try hearFrame(f, time: frameTime, bot: botFrame)
            }
            let isSpeech = probability >= scenario.pipeline.vad.threshold
            recorder?.record(vadFrame: f, time: frameTime, probability: probability, speech: isSpeech)
            if let change = vad.frameClassified(end: now, isSpeech: isSpeech) { try vadChanged(change) }
            if let interruption = bargeIn.frameProcessed(at: now) { bargedIn(interruption) }
            frameIndex += 1
            if let replay, replay.stopsAtCommitPoint, let end = replay.recordingEnd, now >= end {
                // The recording's last commit came at this point of this tick: what it holds at
                // this instant was emitted above, so the replay stops here, not a step earlier.
                emit(.sessionEnd, turn: nil, ["reason": .string("recording_end"), "frames": .int(Int64(frameIndex))])
                ended = true
                return
            }
            if let end = observed?.call.frameCount, frameIndex >= end {
                emit(.sessionEnd, turn: nil, ["reason": .string("recording_end"), "frames": .int(Int64(frameIndex))])
                ended = true
                return
            }
            if frameIndex % max(1, 1000 / format.frameMs) == 0 { try recorder?.checkpoint(at: now) }
            if frameIndex % max(1, 10_000 / format.frameMs) == 0 { progress?(now) }
        }
        if observed != nil { try startDueSegment() }
        let (botFrame, actions) = playout.nextFrame()
        if replay?.vadProbabilities == nil { channel.botPlayed(botFrame) }
        pendingBotFrame = botFrame
        for action in actions { playoutAction(action) }
        if !ended { sim.schedule(.tick, at: now + format.frameDuration) }
    }

    /// Builds mic frame `f` (caller + echo + noise), passes it through the in-loop codec, records
    /// the three streams, and returns the VAD's speech probability for what the pipeline heard.
    func hearFrame(_ f: Int, time frameTime: SimInstant, bot botFrame: [Int16]) throws -> Double {
        let spf = format.samplesPerFrame
        let frameStart = f * spf
        let callerFrame: [Int16], heard: [Int16], packet: [UInt8]
        if let observed {
            // The recording: the caller channel, as stored, is what the pipeline hears.
            (heard, packet) = try observed.mic.frame(f)
            callerFrame = heard
        } else {
            callerFrame = tape.samples(from: frameStart, count: spf)
            var mic = channel.micFrame(caller: callerFrame, start: frameStart)
            if let echoCanceller { mic = try echoCanceller.cancel(mic: mic, playback: botFrame) }
            packet = try micCodec.encode(mic)
            heard = micCodec.name == "pcm16" ? mic : try micCodec.decode(packet)
        }
        if let recognizer {
            for r in try recognizer.accept(heard, end: sim.now) {
                let output = SimulatedSTT.Output(text: r.text, isFinal: r.isFinal, segment: r.segment, at: max(r.at, sim.now), audioEnd: r.audioEnd)
                sim.schedule(.stt(output), at: output.at)
            }
        }
        recorder?.record(stream: .caller, frame: f, time: frameTime, samples: callerFrame, packet: observed == nil ? nil : packet)
        recorder?.record(stream: .mic, frame: f, time: frameTime, samples: heard, packet: packet)
        recorder?.record(stream: .bot, frame: f, time: frameTime, samples: botFrame, packet: nil)
        modelEndpointing?.audio.append(heard)
        return try vadModel.probability(of: heard)
    }

    func vadChanged(_ change: VADStateMachine.Action) throws {
        switch change {
        case .speechStarted(let onset):
            emit(.vadStart, turn: userTurn, ["onset_us": .int(onset.microseconds)])
            endpointer.speechStarted()
            modelEndpointing?.speechStarted(onset: onset)
            bargeIn.speechStarted(onset: onset)
        case .speechStopped(let end):
            emit(.vadStop, turn: userTurn, ["speech_end_us": .int(end.microseconds)])
            bargeIn.speechStopped()
            if var model = modelEndpointing {
                // The text endpointer only gathers the transcript; the model policy decides.
                let actions = model.machine.speechStopped(at: sim.now, speechEnd: end)
                modelEndpointing = model
                try modelEndpoint(actions)
            } else {
                endpoint(endpointer.speechStopped(at: sim.now, lastSpeechEnd: end))
            }
        }
    }

    func playoutAction(_ action: PlayoutStateMachine.Action) {
        switch action {
        case .started(let turn):
            reply?.playStarted = true
            audibleTurn = turn
            emit(.playStart, turn: Self.eventTurn(turn), [:])
            bargeIn.playbackStarted()
            apply(caller.playbackStarted(at: sim.now))
        case .stopped(let turn, let interrupted, let heard):
            if interrupted {
                guard audibleTurn == turn else { return }
                // The fade-out runs into this frame; playback is silent 10 ms from now.
                sim.schedule(.playStopped(turn: turn, heard: heard), at: sim.now + .milliseconds(10))
            } else {
                playbackStopped(turn: turn, interrupted: false, heard: heard)
            }
        }
    }

    func playbackStopped(turn: Int, interrupted: Bool, heard: String) {
        audibleTurn = nil
        emit(.playStop, turn: Self.eventTurn(turn), ["reason": .string(interrupted ? "interrupted" : "done"), "heard_text": .string(heard)])
        lastHeard = interrupted ? heard : nil
        if languageModel != nil, let r = reply, r.turn == turn {
            // The model hears what the caller heard of its reply.
            let said = interrupted ? heard : r.text.trimmed
            if !said.isEmpty { conversation.append(ChatMessage(role: "assistant", content: said)) }
        }
        if reply?.turn == turn { reply?.finished = true }
        bargeIn.playbackStopped()
        apply(caller.playbackStopped(at: sim.now, interrupted: interrupted))
    }
}

extension SessionSimulator {
    /// The `turn` column for a reply's events: a reply before any turn ended (an imported call's
    /// greeting, turn 0) belongs to no turn.
    static func eventTurn(_ turn: Int) -> Int? { turn > 0 ? turn : nil }
}
