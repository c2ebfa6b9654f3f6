/// The kinds of event a session records (the `kind` column of the archive's `events` table).
///
/// The raw values are the public contract of DESIGN.md §3; add kinds, never rename them.
public enum EventKind: String, CaseIterable, Sendable, Comparable {
    case callerSpeechStart = "caller.speech_start"
    case callerSpeechEnd = "caller.speech_end"
    case vadStart = "vad.start"
    case vadStop = "vad.stop"
    case sttPartial = "stt.partial"
    case sttFinal = "stt.final"
    case turnEnd = "turn.end"
    case llmRequest = "llm.request"
    case llmToken = "llm.token"
    case llmDone = "llm.done"
    case llmCancel = "llm.cancel"
    case ttsRequest = "tts.request"
    case ttsChunk = "tts.chunk"
    case ttsDone = "tts.done"
    case ttsCancel = "tts.cancel"
    case playStart = "play.start"
    case playStop = "play.stop"
    case bargeIn = "bargein"
    /// An end-of-turn model's verdict on the user's audio so far (data: probability, threshold,
    /// outcome complete|incomplete, inference_ms, audio_end_us): from a model in the loop or a
    /// recorded pipeline (Smart Turn, LiveKit's turn detector).
    case eotPrediction = "eot.prediction"
    /// Extension: the simulated session ended (data: reason). Written last.
    case sessionEnd = "session.end"

    public static func < (lhs: EventKind, rhs: EventKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
