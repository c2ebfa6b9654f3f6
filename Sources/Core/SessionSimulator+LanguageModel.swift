/// Replies from a language model outside the simulation (`pipeline.llm.engine: openai`, or its
/// recording in a replay): the request goes out at a virtual instant, and before the clock moves
/// to the next input at `v` the stream is asked for every token that arrived up to `v − request`
/// (a live stream waits for wall time to catch up), so tokens land at their arrival offsets. The
/// clock runs at real-time pace only while a live stream is open.
extension SessionSimulator {
    /// Sends the conversation and opens the reply's stream.
    func startLanguageModelReply(_ model: any LanguageModel, turn: Int, transcript: String, index: Int, attempt: Int) {
        generation += 1
        reply = Reply(turn: turn, callerTurn: index, attempt: attempt, generation: generation, speech: SynthesizedSpeech(samples: [], words: []))
        aggregator.reset()
        conversation.append(ChatMessage(role: "user", content: transcript))
        emit(.llmRequest, turn: turn, [
            "transcript": .string(transcript), "reply_index": .int(Int64(index)), "network_ms": .int(0),
            "model": .string(scenario.pipeline.llm.model), "messages": .int(Int64(conversation.count)),
        ])
        if let recorded = model as? RecordedLanguageModel { recorded.nextCallerTurn = index }
        do {
            liveStream = (try model.stream(conversation), sim.now, generation, 0)
        } catch {
            llmEnded(generation: generation, failure: "\(error)")
        }
    }

    /// Collects what the stream delivered up to the next input's instant.
    func pollLanguageModel() throws {
        guard let live = liveStream, let v = sim.nextInstant else { return }
        let elapsed = v - live.start
        let tokens: [StreamedToken]
        do {
            tokens = try live.stream.tokens(until: elapsed)
        } catch {
            liveStream = nil
            sim.schedule(.llmEnded(generation: live.generation, failure: "\(error)"), at: v)
            return
        }
        var count = live.tokens
        for t in tokens {
            let at = max(sim.now, live.start + t.offset)
            sim.schedule(.llmToken(generation: live.generation, token: ScriptedLLM.Token(index: count, text: t.text, at: at), last: false), at: at)
            count += 1
        }
        liveStream?.tokens = count
        if live.stream.isComplete {
            liveStream = nil
            sim.schedule(.llmEnded(generation: live.generation, failure: nil), at: v)
        }
    }

    /// The stream ended (or failed): what is pending goes to TTS.
    func llmEnded(generation gen: Int, failure: String?) {
        guard var r = reply, r.generation == gen, !r.llmDone else { return }
        r.llmDone = true
        if let failure {
            emit(.llmCancel, turn: r.turn, ["reason": .string("error"), "error": .string(failure)])
        } else {
            emit(.llmDone, turn: r.turn, ["tokens": .int(Int64(r.tokenCount))])
        }
        if let tokens = aggregator.streamEnded() { requestLiveSpeech(tokens, reply: &r) }
        reply = r
        finishSynthesisIfComplete()
    }

    /// Speaks the aggregator's tokens: synthesized now (the text was not known before the run),
    /// appended to the reply's audio, and streamed by TTS like any other request.
    func requestLiveSpeech(_ tokens: [String], reply r: inout Reply) {
        let text = tokens.joined().trimmed
        guard !text.isEmpty, let synthesizer = liveSynthesizer else { return }
        let clip: SynthesizedSpeech
        do {
            clip = try synthesizer.synthesize(text, voice: scenario.pipeline.tts.voice, sampleRate: format.sampleRate)
        } catch {
            emit(.ttsCancel, turn: r.turn, ["reason": .string("error"), "error": .string("\(error)")])
            return
        }
        let base = r.speech.samples.count
        r.speech.samples += clip.samples
        r.speech.words += clip.words.map { WordTiming(text: $0.text, startSample: base + $0.startSample, endSample: base + $0.endSample) }
        sendToTTS(text: text, range: base..<r.speech.samples.count, reply: &r)
    }
}
