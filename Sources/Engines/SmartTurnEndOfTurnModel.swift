import Core

/// Smart Turn v3.2 as the simulator's end-of-turn model: the turn's audio → Whisper log-mel features
/// (`WhisperLogMel`, in Swift) → the ONNX model run in-process (`SmartTurnModel`).
public final class SmartTurnEndOfTurnModel: EndOfTurnModel {
    private let model: SmartTurnModel
    private let features = WhisperLogMel()

    /// Opens the pinned model (`modelPath`: another copy of it); errors say to run `make engines`.
    public init(modelPath: String? = nil) throws {
        model = try SmartTurnModel(modelPath: modelPath)
    }

    /// P(complete) for the turn whose 16 kHz audio is `turn` (the model sees its last 8 s).
    public func probability(ofTurn turn: [Float]) throws -> Double {
        try model.probability(features: features.features(of: turn))
    }
}
