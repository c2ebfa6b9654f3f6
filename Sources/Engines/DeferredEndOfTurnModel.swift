import Core

/// An end-of-turn model opened on its first score: a replay whose scores are all known
/// (`EndOfTurnScoreMemo`) never loads the model or ONNX Runtime, so it runs without the engines.
public final class DeferredEndOfTurnModel: EndOfTurnModel {
    private let open: () throws -> any EndOfTurnModel
    private var model: (any EndOfTurnModel)?

    /// Defers `open` (e.g. `EngineFactory.endOfTurnModel(_:)`) to the first score.
    public init(open: @escaping () throws -> any EndOfTurnModel) {
        self.open = open
    }

    /// Whether the model has been opened (a score was computed, not reused).
    public var isOpen: Bool { model != nil }

    /// P(complete) from the model, opened now if it is not yet.
    public func probability(ofTurn turn: [Float]) throws -> Double {
        if model == nil { model = try open() }
        return try model!.probability(ofTurn: turn)
    }
}
