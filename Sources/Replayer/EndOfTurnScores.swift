import Core
import Foundation

/// The end-of-turn scores known for one archive's recorded mic audio, shared by all its replays
/// (the points of a sweep, on several threads): those the recording's own `eot.prediction` events
/// carry, and those a replay computed. A replay consults it only when its mic is the recording's
/// (`SessionReplayer.fastPathAllowed(for:)`), so a known score is the score the model would give.
///
/// One instance per model name: a score of one model says nothing about another.
public final class EndOfTurnScores: EndOfTurnScoreMemo, @unchecked Sendable {
    private struct Key: Hashable {
        var turnStart: Int
        var audioEnd: Int
    }

    private let lock = NSLock()
    private var known: [Key: Double] = [:]
    private var counts = (reused: 0, computed: 0)

    /// Scores from `events` (`eot.prediction` with `turn_start_us`, `audio_end_us` and
    /// `probability`, as Crosstalk's model mode writes them; others are skipped), positions at the
    /// sample rate of `format`.
    public init(events: [PipelineEvent], format: AudioFormat) {
        for e in events where e.kind == .eotPrediction {
            guard let start = e.data["turn_start_us"]?.intValue, let end = e.data["audio_end_us"]?.intValue,
                  let p = e.data["probability"]?.doubleValue, (0...1).contains(p), start <= end else { continue }
            known[Key(turnStart: format.sampleIndex(at: SimInstant(microseconds: start)),
                      audioEnd: format.sampleIndex(at: SimInstant(microseconds: end)))] = p
        }
    }

    /// The known score of the turn audio `turnStart..<audioEnd`.
    public func probability(turnStart: Int, audioEnd: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        let p = known[Key(turnStart: turnStart, audioEnd: audioEnd)]
        if p != nil { counts.reused += 1 }
        return p
    }

    /// Keeps a score a replay computed.
    public func remember(_ probability: Double, turnStart: Int, audioEnd: Int) {
        lock.lock()
        defer { lock.unlock() }
        counts.computed += 1
        known[Key(turnStart: turnStart, audioEnd: audioEnd)] = probability
    }

    /// How many scores replays took from here, and how many they had to compute (ran the model).
    public var usage: (reused: Int, computed: Int) {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}
