extension Scenario {
    /// The resolved settings after defaults and overrides, as canonical JSON (the archive's `config`).
    public var resolvedConfig: JSONValue {
        let p = pipeline
        func opt(_ v: Int?) -> JSONValue { v.map { .int(Int64($0)) } ?? .null }
        var llmConfig: JSONValue = [
            "engine": .string(p.llm.engine), "preset": .string(p.llm.preset),
            "ttft_ms": opt(p.llm.ttftMs), "tokens_per_second": opt(p.llm.tokensPerSecond),
        ]
        if p.llm.engine == "openai", case .object(var members) = llmConfig {
            // Only sessions that use a server carry its settings (older archives' configs stay as they were).
            members["base_url"] = .string(p.llm.baseURL)
            members["model"] = .string(p.llm.model)
            members["system_prompt"] = .string(p.llm.systemPrompt)
            members["max_tokens"] = .int(Int64(p.llm.maxTokens))
            members["temperature"] = .double(p.llm.temperature)
            members["api_key_env"] = .string(p.llm.apiKeyEnv)
            members["timeout_ms"] = .int(Int64(p.llm.timeoutMs))
            llmConfig = .object(members)
        }
        var noiseConfig: JSONValue = ["kind": .string(p.noise.kind), "level_db": .double(p.noise.levelDb)]
        if p.noise.kind == "babble-file", case .object(var members) = noiseConfig {
            // Only sessions with a noise recording carry its file (older archives' configs stay as they were).
            members["file"] = .string(p.noise.file)
            noiseConfig = .object(members)
        }
        return [
            "name": .string(name),
            "seed": .int(Int64(bitPattern: seed)),
            "max_duration_ms": .int(Int64(maxDurationMs)),
            "audio": [
                "sample_rate": .int(Int64(audio.sampleRate)), "frame_ms": .int(Int64(audio.frameMs)),
                "codec": .string(audio.codec), "bitrate": .int(Int64(audio.bitrate)),
                "complexity": .int(Int64(audio.complexity)), "dtx": .bool(audio.dtx),
            ],
            "pipeline": [
                "vad": [
                    "engine": .string(p.vad.engine), "start_ms": .int(Int64(p.vad.startMs)),
                    "stop_ms": .int(Int64(p.vad.stopMs)), "threshold": .double(p.vad.threshold),
                    "margin_db": .double(p.vad.marginDb), "floor_db": .double(p.vad.floorDb),
                ],
                "endpointing": p.endpointing.config,
                "stt": [
                    "engine": .string(p.stt.engine), "preset": .string(p.stt.preset),
                    "partial_latency_ms": opt(p.stt.partialLatencyMs), "final_latency_ms": opt(p.stt.finalLatencyMs),
                    "segment_pause_ms": .int(Int64(p.stt.segmentPauseMs)), "rtf": .double(p.stt.rtf),
                ],
                "llm": llmConfig,
                "tts": [
                    "engine": .string(p.tts.engine), "preset": .string(p.tts.preset), "voice": .string(p.tts.voice),
                    "flush_tokens": .int(Int64(p.tts.flushTokens)), "flush_on_punctuation": .bool(p.tts.flushOnPunctuation),
                    "ttfb_ms": opt(p.tts.ttfbMs), "chunk_ms": .int(Int64(p.tts.chunkMs)),
                ],
                "bargein": [
                    "mode": .string(p.bargein.mode), "min_speech_ms": .int(Int64(p.bargein.minSpeechMs)),
                    "min_words": .int(Int64(p.bargein.minWords)),
                ],
                "network": ["rtt_ms": .int(Int64(p.network.rttMs))],
                "echo": [
                    "enabled": .bool(p.echo.enabled), "delay_ms": .int(Int64(p.echo.delayMs)),
                    "gain_db": .double(p.echo.gainDb), "aec": .string(p.echo.aec),
                ],
                "noise": noiseConfig,
                "retime": p.retime.json,
            ],
            "caller": [
                "voice": .string(caller.voice), "start_ms": .int(Int64(caller.startMs)),
                "patience_ms": .int(Int64(caller.patienceMs)), "turns": .int(Int64(caller.turns.count)),
            ],
            "bot": ["replies": .int(Int64(bot.replies.count)), "fallback_reply": .string(bot.fallbackReply)],
        ]
    }
}

extension PipelineSettings.Endpointing {
    /// The resolved settings as JSON: the model keys only in `model` mode (so the configuration, and
    /// with it the session ids, of sessions in the other modes are as they were).
    var config: JSONValue {
        var members: [String: JSONValue] = [
            "mode": .string(mode), "silence_ms": .int(Int64(silenceMs)), "max_delay_ms": .int(Int64(maxDelayMs)),
        ]
        if mode == "model" {
            members["model"] = .string(model)
            members["threshold"] = .double(threshold)
            members["action_delay_ms"] = .int(Int64(actionDelayMs))
            members["timeout_ms"] = .int(Int64(timeoutMs))
            members["inference_interval_ms"] = .int(Int64(inferenceIntervalMs))
            members["inference_ms"] = .int(Int64(inferenceMs))
        }
        return .object(members)
    }
}
