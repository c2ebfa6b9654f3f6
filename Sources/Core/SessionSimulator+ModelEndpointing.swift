extension SessionSimulator {
    /// Carries out the model policy's actions.
    func modelEndpoint(_ actions: [ModelEndpointerStateMachine.Action]) throws {
        guard let model = modelEndpointing else { preconditionFailure("model endpointer actions without model endpointing") }
        for action in actions {
            switch action {
            case .score(let request, _):
                // Scored now on the audio heard so far; the verdict lands after the inference time.
                sim.schedule(.eotScore(try modelEndpointing!.score(request: request)), at: sim.now + model.inference)
            case .scheduleTimer(let id, let at):
                sim.schedule(.modelEndpointTimer(id), at: max(at, sim.now))
            case .verdict:
                break  // emitted with the score's audio end, in `eotScoreArrived`
            case .endTurn(let reason, let waited):
                let transcript = endpointer.transcript
                endpointer.turnEndedElsewhere()
                modelEndpointing?.audio.turnEnded()
                endpoint([.endTurn(reason: reason, waited: waited, transcript: transcript)])
            }
        }
    }

    /// A score is done: the `eot.prediction` event (every score has one; `stale: true` when the user
    /// spoke again before it landed, so the policy ignored it), then whatever the policy does with it.
    func eotScoreArrived(_ score: ModelEndpointing.Score) throws {
        guard var model = modelEndpointing else { preconditionFailure("a score without model endpointing") }
        let actions = model.machine.scoreArrived(request: score.request, probability: score.probability, at: sim.now)
        modelEndpointing = model
        let used = actions.contains { if case .verdict = $0 { return true } else { return false } }
        emit(.eotPrediction, turn: userTurn, model.predictionData(score, used: used))
        try modelEndpoint(actions)
    }
}
