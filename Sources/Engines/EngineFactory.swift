import Foundation
import Core

/// Builds the real engines a scenario names (VAD, echo canceller, recognizer) for one session.
///
/// Built-in choices (`energy`, `none`, `simulated`) give nil: Core's own stages run. Every engine
/// has state (adaptive filters, recurrent models, decoders that adapt), so each call makes fresh
/// instances: one set per session, which is what keeps a session deterministic. A missing library
/// or model throws `EngineError.engineUnavailable` with one line saying to run `make engines`.
///
/// Settings they take from the scenario: Silero's threshold is `pipeline.vad.threshold`; speex is
/// told the echo's latency (`pipeline.echo.delay_ms`, see `SpeexEchoCanceller.Settings.forEchoDelay`);
/// pocketsphinx's declared real-time factor is `pipeline.stt.rtf` and the silence that ends its
/// utterances is `pipeline.stt.segment_pause_ms` (what closes a segment of the simulated STT too).
public enum EngineFactory {
    /// Fresh engine instances for one run of `scenario` (engines have state: one set per session).
    ///
    /// With `languageModel` (the default), `pipeline.llm.engine: openai` connects to its server
    /// (replays pass false: they play the recorded replies back). In `pipeline.endpointing.mode: model`
    /// the model is opened here, so a missing one fails before the session starts; with
    /// `deferEndOfTurnModel` (replays, whose scores are mostly known) it opens on its first score.
    public static func engines(for scenario: Scenario, languageModel: Bool = true, deferEndOfTurnModel: Bool = false) throws -> StageEngines {
        var engines = StageEngines()
        let p = scenario.pipeline
        let format = scenario.audio.format
        switch p.vad.engine {
        case "energy": break
        case "webrtc": engines.vad = try WebRTCVAD(sampleRate: format.sampleRate)
        case "silero": engines.vad = try SileroVAD(threshold: p.vad.threshold, sampleRate: format.sampleRate)
        default: throw EngineError.engineUnavailable("VAD engine '\(p.vad.engine)' is not one of energy, silero, webrtc")
        }
        switch p.echo.aec {
        case "none": break
        case "speex":
            let settings = SpeexEchoCanceller.Settings.forEchoDelay(ms: p.echo.delayMs)
            engines.echoCanceller = try SpeexEchoCanceller(samplesPerFrame: format.samplesPerFrame, sampleRate: format.sampleRate, settings: settings)
        default: throw EngineError.engineUnavailable("echo canceller '\(p.echo.aec)' is not one of none, speex")
        }
        switch p.stt.engine {
        case "simulated": break
        case "pocketsphinx":
            var settings = PocketsphinxRecognizer.Settings()
            settings.rtf = p.stt.rtf
            settings.endSilenceMs = max(10, p.stt.segmentPauseMs)
            engines.recognizer = try PocketsphinxRecognizer(sampleRate: format.sampleRate, settings: settings)
        default: throw EngineError.engineUnavailable("STT engine '\(p.stt.engine)' is not one of simulated, pocketsphinx")
        }
        if languageModel, p.llm.engine == "openai" {
            engines.languageModel = try openAIModel(p.llm)
            engines.synthesizer = EspeakSynthesizer()
        }
        if p.endpointing.mode == "model" {
            let name = p.endpointing.model
            engines.endOfTurnModel = deferEndOfTurnModel ? DeferredEndOfTurnModel { try endOfTurnModel(name) } : try endOfTurnModel(name)
        }
        return engines
    }

    /// The end-of-turn model named `name` (`pipeline.endpointing.model`).
    public static func endOfTurnModel(_ name: String) throws -> any EndOfTurnModel {
        switch name {
        case "smart-turn-v3.2": return try SmartTurnEndOfTurnModel()
        default: throw EngineError.engineUnavailable("pipeline.endpointing.model '\(name)' is not one of smart-turn-v3.2")
        }
    }
}

extension EngineFactory {
    /// The OpenAI-compatible client for `settings` (the key, if any, from the named environment variable).
    static func openAIModel(_ settings: PipelineSettings.LLM) throws -> any LanguageModel {
        let key = settings.apiKeyEnv.isEmpty ? nil : ProcessInfo.processInfo.environment[settings.apiKeyEnv]
        let timeout = Duration.milliseconds(settings.timeoutMs)
        return try OpenAIChatModel(
            baseURL: settings.baseURL, model: settings.model, apiKey: key.flatMap { $0.isEmpty ? nil : $0 },
            temperature: settings.temperature, maxTokens: settings.maxTokens, seed: 0,
            timeouts: .init(connect: min(timeout, .seconds(5)), idle: timeout, total: max(timeout, .seconds(120))))
    }
}
