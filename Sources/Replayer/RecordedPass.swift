import Core
import Recorder

/// What one pass over a recording's events gives a replay, read through a cursor so the recording
/// is never held in memory: its hash and metrics, and where the replay's events first differ.
public struct RecordedPass: Sendable {
    /// `EventStreamHash` of the recorded events.
    public var hash: String
    /// `SessionMetrics` of the recorded events.
    public var metrics: SessionMetrics
    /// The first difference between the recording and `got` (nil: identical).
    public var difference: EventStreamDifference?

    /// Reads `archive`'s events once, comparing them with `got` (the replay's, in stream order);
    /// the metrics take `labels` as ground truth when given.
    public static func read(_ archive: SessionArchive, against got: [PipelineEvent], labels: CallerLabels? = nil) throws -> RecordedPass {
        var finder = EventStreamDifference.Finder(got: got)
        var accumulator = SessionMetrics.Accumulator(labels: labels)
        try archive.forEachEvent { event in
            finder.add(expected: event)
            accumulator.add(event)
        }
        return RecordedPass(hash: finder.expectedHash, metrics: accumulator.metrics, difference: finder.finish())
    }
}
