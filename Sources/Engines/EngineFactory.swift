import Core

/// Builds the real engines a scenario names (VAD, echo canceller, recognizer) for one session.
///
/// Built-in choices (`energy`, `none`, `simulated`) give nil: Core's own stages run.
public enum EngineFactory {
    /// Fresh engine instances for one run of `scenario` (engines have state: one set per session).
    public static func engines(for scenario: Scenario) throws -> StageEngines {
        var engines = StageEngines()
        let p = scenario.pipeline
        switch p.vad.engine {
        case "energy": break
        default: throw EngineError.synthesizerUnavailable("VAD engine '\(p.vad.engine)' is not available in this build")
        }
        switch p.echo.aec {
        case "none": break
        default: throw EngineError.synthesizerUnavailable("echo canceller '\(p.echo.aec)' is not available in this build")
        }
        switch p.stt.engine {
        case "simulated": break
        default: throw EngineError.synthesizerUnavailable("STT engine '\(p.stt.engine)' is not available in this build")
        }
        _ = engines
        return engines
    }
}
