/// A failure of a C-backed engine, with a message a user can act on.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// espeak-ng has no voice by this name.
    case voiceNotFound(String)
    /// espeak-ng could not start (usually its data files are missing).
    case synthesizerUnavailable(String)
    /// espeak-ng started but failed on this text.
    case synthesisFailed(text: String, reason: String)

    public var description: String {
        switch self {
        case .voiceNotFound(let voice):
            return "espeak-ng voice '\(voice)' not found (list voices with `espeak-ng --voices`)"
        case .synthesizerUnavailable(let reason):
            return "espeak-ng cannot start: \(reason) (install espeak-ng-data, or set ESPEAK_DATA_PATH)"
        case .synthesisFailed(let text, let reason):
            return "espeak-ng failed to synthesize \"\(text)\": \(reason)"
        }
    }
}
