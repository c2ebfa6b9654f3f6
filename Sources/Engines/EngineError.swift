/// A failure of a C-backed engine, with a message a user can act on.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// espeak-ng has no voice by this name.
    case voiceNotFound(String)
    /// espeak-ng could not start (usually its data files are missing).
    case synthesizerUnavailable(String)
    /// espeak-ng started but failed on this text.
    case synthesisFailed(text: String, reason: String)
    /// A real engine (VAD, echo canceller, recognizer) cannot be used here: its library or model
    /// is missing, or it does not support the session's audio. The message says what to do.
    case engineUnavailable(String)
    /// A real engine was loaded but failed while running.
    case engineFailed(engine: String, reason: String)

    public var description: String {
        switch self {
        case .voiceNotFound(let voice):
            return "espeak-ng has no voice or language '\(voice.clippedForMessage)' (set caller.voice / pipeline.tts.voice to one such as en-us, en-gb, de, fr)"
        case .synthesizerUnavailable(let reason):
            return "espeak-ng cannot start: \(reason) (install espeak-ng-data, or set ESPEAK_DATA_PATH)"
        case .synthesisFailed(let text, let reason):
            return "espeak-ng failed to synthesize \"\(text)\": \(reason)"
        case .engineUnavailable(let message):
            return message
        case .engineFailed(let engine, let reason):
            return "\(engine) failed: \(reason)"
        }
    }
}
