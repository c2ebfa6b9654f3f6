/// `pipeline.endpointing.mode: model`: the policy state machine, the model that scores the turn,
/// and the turn's audio since its first speech onset (the last 8 s of it are what the model sees).
///
/// Used by the simulator and by replays of recorded sessions. Where the mic is not decoded as it
/// is heard (the fast replay path, a recorded session), scores come from `scores` (what the
/// recording or another sweep point already scored on the same audio), and only a score not there
/// decodes the recorded mic (`mic`, in order from its start, up to what has been heard) and runs
/// the model.
struct ModelEndpointing {
    /// A score asked for: what the model gave, for which stretch of the turn's audio.
    struct Score {
        var request: Int
        var probability: Double
        var turnStart: SimInstant
        var audioEnd: SimInstant
    }

    var machine: ModelEndpointerStateMachine
    let model: any EndOfTurnModel
    let inference: SimDuration
    let threshold: Double
    var audio: TurnAudio
    /// Scores known for this mic audio (nil: every score runs the model).
    let scores: (any EndOfTurnScoreMemo)?
    /// The recorded mic when the mic audio is not decoded as it is heard (the fast replay path, a
    /// recorded session's replay): opened on the first score that must be computed.
    let openMic: (@Sendable () throws -> any RecordedFrames)?
    var mic: (any RecordedFrames)?

    init(
        settings: PipelineSettings.Endpointing, model: any EndOfTurnModel, format: AudioFormat,
        scores: (any EndOfTurnScoreMemo)?, mic: (@Sendable () throws -> any RecordedFrames)?
    ) {
        machine = ModelEndpointerStateMachine(policy: settings.modelPolicy)
        self.model = model
        inference = .milliseconds(settings.inferenceMs)
        threshold = settings.threshold
        audio = TurnAudio(format: format)
        self.scores = scores
        openMic = mic
    }

    /// VAD speech began at `onset`: the first onset after a turn end opens the turn's audio.
    mutating func speechStarted(onset: SimInstant) {
        audio.turnSpeechStarted(onset: onset)
        machine.speechStarted()
    }

    /// Scores the turn heard so far for the policy's `request`.
    mutating func score(request: Int) throws -> Score {
        Score(
            request: request, probability: try probability(),
            turnStart: audio.format.instant(ofSample: audio.turnStartSample), audioEnd: audio.format.instant(ofSample: audio.heard))
    }

    /// The `eot.prediction` event's data for `score` (`used`: whether the policy acted on it; a
    /// score that landed after the user spoke again is `stale`).
    func predictionData(_ score: Score, used: Bool) -> JSONValue {
        var data: [String: JSONValue] = [
            "probability": .double(score.probability), "threshold": .double(threshold),
            "outcome": .string(score.probability >= threshold ? "complete" : "incomplete"),
            "inference_ms": .int(inference.milliseconds), "audio_end_us": .int(score.audioEnd.microseconds),
            "turn_start_us": .int(score.turnStart.microseconds),
        ]
        if !used { data["stale"] = true }
        return .object(data)
    }

    /// P(complete) for the turn heard so far: a known score, or the model's.
    private mutating func probability() throws -> Double {
        let start = audio.turnStartSample, end = audio.heard
        if let known = scores?.probability(turnStart: start, audioEnd: end) { return known }
        if let openMic {
            if mic == nil { mic = try openMic() }
            try audio.catchUp(from: mic!)
        }
        let probability = try model.probability(ofTurn: audio.turn)
        scores?.remember(probability, turnStart: start, audioEnd: end)
        return probability
    }
}
