extension SessionSimulator {
    func sttOutput(_ output: SimulatedSTT.Output) {
        emit(output.isFinal ? .sttFinal : .sttPartial, turn: userTurn, [
            "text": .string(output.text), "segment": .int(Int64(output.segment)),
            "audio_end_us": .int(output.audioEnd.microseconds),
        ])
        bargeIn.transcriptReceived(output.text, isFinal: output.isFinal)
        endpoint(endpointer.transcriptReceived(output.text, isFinal: output.isFinal, segment: output.segment, at: sim.now))
    }

    func endpoint(_ actions: [EndpointerStateMachine.Action]) {
        for action in actions {
            switch action {
            case .scheduleTimer(let id, let at):
                sim.schedule(.endpointTimer(id), at: max(at, sim.now))
            case .discardSpeech:
                break
            case .endTurn(let reason, let waited, let transcript):
                let turn = userTurn
                emit(.turnEnd, turn: turn, [
                    "reason": .string(reason), "waited_ms": .int(waited.milliseconds),
                    "transcript": .string(transcript), "speech_end_us": .int((sim.now - waited).microseconds),
                ])
                userTurn += 1
                if observed?.call.botIsObserved == true {
                    observedTurnEnded(turn: turn, speechEnd: sim.now - waited)
                } else {
                    cancelReply(reason: "superseded")
                    startReply(turn: turn, transcript: transcript)
                }
            }
        }
    }

    /// Sends the conversation to the LLM: the reply answers the caller turn in progress.
    func startReply(turn: Int, transcript: String) {
        let replies = scenario.bot.replies
        let index = max(0, callerTurnsStarted - 1)
        if let languageModel {
            let attempt = attempts[index, default: 0]
            attempts[index] = attempt + 1
            startLanguageModelReply(languageModel, turn: turn, transcript: transcript, index: index, attempt: attempt)
            return
        }
        let text = index < replies.count ? replies[index] : scenario.bot.fallbackReply
        generation += 1
        let speech = bank.clip(voice: scenario.pipeline.tts.voice, text: text)
        let attempt = attempts[index, default: 0]
        attempts[index] = attempt + 1
        reply = Reply(turn: turn, callerTurn: index, attempt: attempt, generation: generation, speech: speech)
        aggregator.reset()
        var data: JSONValue = [
            "transcript": .string(transcript), "reply_index": .int(Int64(index)),
            "network_ms": .int(llm.networkDelay.milliseconds),
        ]
        if let heard = lastHeard, case .object(var members) = data {
            members["previous_reply_heard"] = .string(heard)
            data = .object(members)
        }
        emit(.llmRequest, turn: turn, data)
        let tokens = llm.requested(at: sim.now, reply: text, callerTurn: index, attempt: attempt)
        for (i, token) in tokens.enumerated() {
            sim.schedule(.llmToken(generation: generation, token: token, last: i == tokens.count - 1), at: token.at)
        }
    }

    func llmToken(generation gen: Int, token: ScriptedLLM.Token, last: Bool) {
        guard var r = reply, r.generation == gen, !r.llmDone else { return }
        emit(.llmToken, turn: r.turn, ["index": .int(Int64(token.index)), "text": .string(token.text)])
        r.text += token.text
        r.tokenCount += 1
        if let tokens = aggregator.tokenReceived(token.text) {
            if languageModel != nil { requestLiveSpeech(tokens, reply: &r) } else { requestSpeech(tokens.count, reply: &r) }
        }
        if last {
            r.llmDone = true
            emit(.llmDone, turn: r.turn, ["tokens": .int(Int64(token.index + 1))])
            if let words = aggregator.streamEnded() { requestSpeech(words.count, reply: &r) }
        }
        reply = r
        finishSynthesisIfComplete()
    }

    /// Sends the next `count` words of the reply to TTS; their audio is the matching slice of the reply's speech.
    func requestSpeech(_ count: Int, reply r: inout Reply) {
        let words = r.speech.words
        let a = r.wordCursor, b = min(words.count, r.wordCursor + count)
        func boundary(_ i: Int) -> Int { i == 0 ? 0 : i >= words.count ? r.speech.samples.count : words[i].startSample }
        let range = boundary(a)..<boundary(b)
        r.wordCursor = b
        sendToTTS(text: words[a..<b].map(\.text).joined(separator: " "), range: range, reply: &r)
    }

    /// Requests the audio of `range` of the reply's speech (`text`) from TTS.
    func sendToTTS(text: String, range: Range<Int>, reply r: inout Reply) {
        let request = r.requestsSent
        r.requestsSent += 1
        if request == 0 {
            playout.replyBegan(turn: r.turn, words: r.speech.words)
        } else if languageModel != nil {
            playout.wordsKnown(r.speech.words)
        }
        emit(.ttsRequest, turn: r.turn, [
            "request": .int(Int64(request)), "text": .string(text),
            "samples": .int(Int64(range.count)), "network_ms": .int(tts.networkDelay.milliseconds),
        ])
        let chunks = tts.requested(at: sim.now, sampleCount: range.count, key: "turn \(r.callerTurn) attempt \(r.attempt) request \(request)")
        for (i, chunk) in chunks.enumerated() {
            var c = chunk
            c.range = (range.lowerBound + chunk.range.lowerBound)..<(range.lowerBound + chunk.range.upperBound)
            sim.schedule(.ttsChunk(generation: r.generation, request: request, chunk: c, last: i == chunks.count - 1), at: c.at)
        }
    }

    func ttsChunk(generation gen: Int, request: Int, chunk: TTSStream.Chunk, last: Bool) {
        guard var r = reply, r.generation == gen, !r.ttsDone else { return }
        emit(.ttsChunk, turn: r.turn, [
            "request": .int(Int64(request)), "index": .int(Int64(chunk.index)),
            "samples": .int(Int64(chunk.range.count)), "offset": .int(Int64(chunk.range.lowerBound)),
        ])
        playout.chunkArrived(r.speech.samples[chunk.range])
        if last { r.requestsDone += 1 }
        reply = r
        finishSynthesisIfComplete()
    }

    func finishSynthesisIfComplete() {
        guard var r = reply, r.llmDone, !r.ttsDone, r.requestsDone == r.requestsSent else { return }
        r.ttsDone = true
        reply = r
        emit(.ttsDone, turn: r.turn, ["requests": .int(Int64(r.requestsSent))])
        if r.requestsSent == 0 { playout.replyBegan(turn: r.turn, words: []) }
        playout.synthesisFinished()
    }

    func bargedIn(_ interruption: BargeInPolicy.Interruption) {
        let turn = audibleTurn ?? reply?.turn
        emit(.bargeIn, turn: turn.flatMap(Self.eventTurn), [
            "trigger": .string(interruption.trigger), "speech_ms": .int(interruption.speech.milliseconds),
            "onset_us": .int(interruption.onset.microseconds),
        ])
        cancelReply(reason: "bargein")
    }

    /// Stops whatever the bot is doing: LLM, TTS and playout.
    func cancelReply(reason: String) {
        guard var r = reply, !r.finished else { return }
        if let live = liveStream, live.generation == r.generation {
            // Barge-in or a superseded turn: the request is stopped (the connection closes).
            live.stream.cancel()
            liveStream = nil
        }
        if !r.llmDone {
            r.llmDone = true
            emit(.llmCancel, turn: r.turn, ["reason": .string(reason)])
        }
        if !r.ttsDone {
            r.ttsDone = true
            tts.cancelled(at: sim.now)
            emit(.ttsCancel, turn: r.turn, ["reason": .string(reason)])
        }
        aggregator.reset()
        r.finished = true
        reply = r
        for action in playout.stopRequested() { playoutAction(action) }
    }
}
