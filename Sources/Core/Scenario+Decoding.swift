extension Scenario {
    /// Decodes a scenario from a configuration tree, checking every key, type and range.
    ///
    /// Errors name the file, line and key path (`hesitation.yaml:12: pipeline.vad.start_ms: ...`).
    public init(from root: ConfigNode) throws {
        self.init()
        var top = try ConfigReader(root, path: "", parentMark: root.mark)
        name = try top.string("name", default: "unnamed")
        let seedValue = try top.int("seed", default: 1, range: 0...Int.max)
        seed = UInt64(seedValue)
        maxDurationMs = try top.int("max_duration_ms", default: maxDurationMs, range: 1000...24 * 3600 * 1000)
        var audioReader = try top.child("audio")
        audio = try Audio(audioReader: &audioReader)
        var pipe = try top.child("pipeline")
        pipeline = try PipelineSettings(reader: &pipe)
        var callerReader = try top.child("caller")
        caller = try Caller(reader: &callerReader)
        var botReader = try top.child("bot")
        bot = try Bot(reader: &botReader)
        try top.finish()
        guard !caller.turns.isEmpty else {
            throw ScenarioError(mark: callerReader.mark, path: "caller.turns", "the caller needs at least one turn")
        }
    }
}

extension Scenario.Audio {
    fileprivate init(audioReader r: inout ConfigReader) throws {
        self.init()
        sampleRate = try r.int("sample_rate", default: sampleRate, range: 8000...48000)
        guard [8000, 16000, 24000, 48000].contains(sampleRate) else {
            throw ScenarioError(mark: r.mark, path: r.keyPath("sample_rate"), "\(sampleRate) is not one of 8000, 16000, 24000, 48000 (Opus rates)")
        }
        frameMs = try r.int("frame_ms", default: frameMs, range: 10...60)
        guard [10, 20, 40, 60].contains(frameMs) else {
            throw ScenarioError(mark: r.mark, path: r.keyPath("frame_ms"), "\(frameMs) is not one of 10, 20, 40, 60")
        }
        codec = try r.choice("codec", default: codec, among: ["opus", "pcm16"])
        bitrate = try r.int("bitrate", default: bitrate, range: 6000...128_000)
        complexity = try r.int("complexity", default: complexity, range: 0...10)
        dtx = try r.bool("dtx", default: dtx)
        try r.finish()
    }
}

extension PipelineSettings {
    fileprivate init(reader p: inout ConfigReader) throws {
        self.init()
        let ms = 0...600_000
        var r = try p.child("vad")
        vad.engine = try r.choice("engine", default: vad.engine, among: ["energy", "silero", "webrtc"])
        vad.startMs = try r.int("start_ms", default: vad.startMs, range: 0...10_000)
        vad.stopMs = try r.int("stop_ms", default: vad.stopMs, range: 0...10_000)
        vad.threshold = try r.double("threshold", default: vad.threshold, range: 0...1)
        vad.marginDb = try r.double("margin_db", default: vad.marginDb, range: 0...60)
        vad.floorDb = try r.double("floor_db", default: vad.floorDb, range: -120...0)
        try r.finish()

        r = try p.child("endpointing")
        endpointing.mode = try r.choice("mode", default: endpointing.mode, among: ["silence", "smart", "model"])
        endpointing.silenceMs = try r.int("silence_ms", default: endpointing.silenceMs, range: 0...60_000)
        endpointing.maxDelayMs = try r.int("max_delay_ms", default: endpointing.maxDelayMs, range: 0...60_000)
        endpointing.model = try r.choice("model", default: endpointing.model, among: ["smart-turn-v3.2"])
        endpointing.threshold = try r.double("threshold", default: endpointing.threshold, range: 0...1)
        endpointing.actionDelayMs = try r.int("action_delay_ms", default: endpointing.actionDelayMs, range: 0...60_000)
        endpointing.timeoutMs = try r.int("timeout_ms", default: endpointing.timeoutMs, range: 0...60_000)
        endpointing.inferenceIntervalMs = try r.int("inference_interval_ms", default: endpointing.inferenceIntervalMs, range: 10...10_000)
        endpointing.inferenceMs = try r.int("inference_ms", default: endpointing.inferenceMs, range: 0...10_000)
        try r.finish()
        if endpointing.maxDelayMs < endpointing.silenceMs {
            throw ScenarioError(mark: r.mark, path: "pipeline.endpointing.max_delay_ms", "\(endpointing.maxDelayMs) is below silence_ms (\(endpointing.silenceMs))")
        }

        r = try p.child("stt")
        stt.engine = try r.choice("engine", default: stt.engine, among: ["simulated", "pocketsphinx"])
        stt.rtf = try r.double("rtf", default: stt.rtf, range: 0...10)
        stt.preset = try r.choice("preset", default: stt.preset, among: LatencyPreset.names(for: .stt))
        stt.partialLatencyMs = try r.optionalInt("partial_latency_ms", range: ms)
        stt.finalLatencyMs = try r.optionalInt("final_latency_ms", range: ms)
        stt.segmentPauseMs = try r.int("segment_pause_ms", default: stt.segmentPauseMs, range: 20...10_000)
        try r.finish()

        r = try p.child("llm")
        llm.engine = try r.choice("engine", default: llm.engine, among: ["scripted", "openai"])
        llm.preset = try r.choice("preset", default: llm.preset, among: LatencyPreset.names(for: .llm))
        llm.ttftMs = try r.optionalInt("ttft_ms", range: ms)
        llm.tokensPerSecond = try r.optionalInt("tokens_per_second", range: 1...100_000)
        llm.baseURL = try r.string("base_url", default: llm.baseURL)
        llm.model = try r.string("model", default: llm.model)
        llm.systemPrompt = try r.string("system_prompt", default: llm.systemPrompt)
        llm.maxTokens = try r.int("max_tokens", default: llm.maxTokens, range: 1...4096)
        llm.temperature = try r.double("temperature", default: llm.temperature, range: 0...2)
        llm.apiKeyEnv = try r.string("api_key_env", default: llm.apiKeyEnv)
        llm.timeoutMs = try r.int("timeout_ms", default: llm.timeoutMs, range: 100...600_000)
        try r.finish()
        if llm.engine == "openai" {
            let lower = llm.baseURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw ScenarioError(mark: r.mark, path: "pipeline.llm.base_url", "engine openai needs base_url, an http(s) URL such as http://127.0.0.1:8080/v1 (got '\(llm.baseURL)')")
            }
            guard !llm.model.isEmpty else {
                throw ScenarioError(mark: r.mark, path: "pipeline.llm.model", "engine openai needs a model name")
            }
        }

        r = try p.child("tts")
        tts.engine = try r.choice("engine", default: tts.engine, among: ["espeak"])
        tts.preset = try r.choice("preset", default: tts.preset, among: LatencyPreset.names(for: .tts))
        tts.voice = try r.string("voice", default: tts.voice)
        tts.flushTokens = try r.int("flush_tokens", default: tts.flushTokens, range: 1...10_000)
        tts.flushOnPunctuation = try r.bool("flush_on_punctuation", default: tts.flushOnPunctuation)
        tts.ttfbMs = try r.optionalInt("ttfb_ms", range: ms)
        tts.chunkMs = try r.int("chunk_ms", default: tts.chunkMs, range: 10...5000)
        try r.finish()

        r = try p.child("bargein")
        bargein.mode = try r.choice("mode", default: bargein.mode, among: ["vad", "none"])
        bargein.minSpeechMs = try r.int("min_speech_ms", default: bargein.minSpeechMs, range: 0...60_000)
        bargein.minWords = try r.int("min_words", default: bargein.minWords, range: 0...1000)
        try r.finish()

        r = try p.child("network")
        network.rttMs = try r.int("rtt_ms", default: network.rttMs, range: 0...10_000)
        try r.finish()

        r = try p.child("echo")
        echo.enabled = try r.bool("enabled", default: echo.enabled)
        echo.delayMs = try r.int("delay_ms", default: echo.delayMs, range: 0...2000)
        echo.gainDb = try r.double("gain_db", default: echo.gainDb, range: -120...0)
        echo.aec = try r.choice("aec", default: echo.aec, among: ["none", "speex"])
        try r.finish()

        r = try p.child("noise")
        noise.kind = try r.choice("kind", default: noise.kind, among: ["none", "white", "babble-file"])
        noise.levelDb = try r.double("level_db", default: noise.levelDb, range: -120...0)
        noise.file = try r.string("file", default: noise.file).trimmed
        try r.finish()
        if noise.kind == "babble-file", noise.file.isEmpty {
            throw ScenarioError(mark: r.mark, path: "pipeline.noise.file", "kind babble-file needs file: a recording to loop under the call (WAV, FLAC, ...)")
        }
        try p.finish()
    }
}

extension Scenario.Caller {
    fileprivate init(reader r: inout ConfigReader) throws {
        self.init()
        voice = try r.string("voice", default: voice)
        startMs = try r.int("start_ms", default: startMs, range: 0...600_000)
        patienceMs = try r.int("patience_ms", default: patienceMs, range: 100...600_000)
        let turnsNode = r.node("turns")
        try r.finish()
        guard let turnsNode else { return }
        guard case .sequence(let items, _) = turnsNode else {
            throw ScenarioError(mark: turnsNode.mark, path: "caller.turns", "expected a list of turns, got \(turnsNode.typeName)")
        }
        for (i, item) in items.enumerated() {
            var t = try ConfigReader(item, path: "caller.turns.\(i)", parentMark: item.mark)
            let segments = try Self.segments(t.node("say"), path: t.keyPath("say"), mark: t.mark)
            let gap = try t.int("gap_ms", default: 300, range: 0...600_000)
            let bargeIn = try t.optionalInt("barge_in_after_ms", range: 0...600_000)
            try t.finish()
            turns.append(Scenario.CallerTurn(segments: segments, gapMs: gap, bargeInAfterMs: bargeIn))
        }
    }

    private static func segments(_ node: ConfigNode?, path: String, mark: ConfigMark) throws -> [Scenario.Segment] {
        guard let node else { throw ScenarioError(mark: mark, path: path, "missing: what does the caller say?") }
        var out: [Scenario.Segment] = []
        let items: [ConfigNode]
        if case .sequence(let list, _) = node { items = list } else { items = [node] }
        for item in items {
            switch item {
            case .scalar(let s, _, let m):
                let text = s.trimmed
                guard !text.isEmpty else { throw ScenarioError(mark: m, path: path, "empty text") }
                guard text.count <= 2000 else { throw ScenarioError(mark: m, path: path, "text longer than 2000 characters") }
                out.append(.say(text))
            case .mapping:
                var p = try ConfigReader(item, path: path, parentMark: item.mark)
                let ms = try p.optionalInt("pause_ms", range: 0...60_000)
                let wav = try p.optionalString("wav")
                let text = try p.optionalString("text")
                try p.finish()
                if let ms, wav == nil, text == nil {
                    out.append(.pause(ms: ms))
                } else if let wav, ms == nil {
                    let file = wav.trimmed
                    guard !file.isEmpty else { throw ScenarioError(mark: item.mark, path: path + ".wav", "empty file name") }
                    let said = text?.trimmed ?? ""
                    guard !said.isEmpty else {
                        throw ScenarioError(mark: item.mark, path: path + ".text", "a clip needs text: what it says (the simulated STT and the metrics use its words)")
                    }
                    guard said.count <= 2000 else { throw ScenarioError(mark: item.mark, path: path + ".text", "text longer than 2000 characters") }
                    out.append(.clip(path: file, text: said))
                } else {
                    throw ScenarioError(mark: item.mark, path: path, "a mapping in 'say' must be { pause_ms: N } or { wav: FILE, text: WORDS }")
                }
            default:
                throw ScenarioError(mark: item.mark, path: path, "expected text, { pause_ms: N } or { wav: FILE, text: WORDS }, got \(item.typeName)")
            }
        }
        guard out.contains(where: { if case .pause = $0 { return false } else { return true } }) else {
            throw ScenarioError(mark: node.mark, path: path, "a turn must say something")
        }
        return out
    }
}

extension Scenario.Bot {
    fileprivate init(reader r: inout ConfigReader) throws {
        self.init()
        fallbackReply = try r.string("fallback_reply", default: fallbackReply)
        let node = r.node("replies")
        try r.finish()
        guard let node else { return }
        guard case .sequence(let items, _) = node else {
            throw ScenarioError(mark: node.mark, path: "bot.replies", "expected a list of replies, got \(node.typeName)")
        }
        for (i, item) in items.enumerated() {
            guard case .scalar(let s, _, let m) = item else {
                throw ScenarioError(mark: item.mark, path: "bot.replies.\(i)", "expected text, got \(item.typeName)")
            }
            guard !s.trimmed.isEmpty else { throw ScenarioError(mark: m, path: "bot.replies.\(i)", "empty reply") }
            replies.append(s.trimmed)
        }
    }
}

extension String {
    /// Without leading and trailing whitespace.
    var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// Whitespace-separated words.
    var words: [String] { split(whereSeparator: { $0.isWhitespace }).map(String.init) }
}
