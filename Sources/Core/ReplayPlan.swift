/// What a replay keeps fixed from the recording it re-executes (DESIGN.md §4).
///
/// The caller's turns start at their recorded instants instead of reacting to the bot, so the
/// caller audio is fixed; everything downstream (VAD, endpointer, barge-in, LLM, TTS, playout)
/// runs again under the replay's settings.
public struct ReplayPlan: Sendable {
    /// When each caller turn's audio starts (index = 0-based caller turn), as recorded.
    public var turnStarts: [SimInstant]
    /// The recorded VAD speech probability of every mic frame. When given, the mic audio is not
    /// rebuilt and the VAD model does not run: the fast path for counterfactuals that cannot change
    /// what the microphone heard (no echo, same VAD model settings). Needs no recorder.
    public var vadProbabilities: [Double]?
    /// The recorded mic, decoded on demand (opened on first use): what an end-of-turn model scores
    /// on the fast path when `scores` does not hold a score (`pipeline.endpointing.mode: model`).
    public var mic: (@Sendable () throws -> any RecordedFrames)?
    /// Scores already known for this recording's mic audio; given only when the replay's mic is
    /// the recording's (see `EndOfTurnScoreMemo`).
    public var scores: (any EndOfTurnScoreMemo)?
    /// Where the recording ends when it was cut short (its recorder was killed, so it has no
    /// `session.end`): the replay stops there too, with `session.end` reason `recording_end`.
    public var recordingEnd: SimInstant?
    /// The `session.end` reason of a replay that stops at `recordingEnd`: `recording_end`, or
    /// `interrupted` for a recording whose simulation was stopped by Ctrl-C there.
    public var recordingEndReason = "recording_end"
    /// Whether the replay stops at `recordingEnd` right after that instant's mic frame is heard,
    /// where a recorder commits (a recording cut short, or a replay of one: reason `recording_end`),
    /// rather than at the end of that frame step as a stopped simulation did (`interrupted`).
    public var stopsAtCommitPoint: Bool { recordingEndReason == "recording_end" }

    /// Creates a plan.
    public init(turnStarts: [SimInstant], vadProbabilities: [Double]? = nil) {
        self.turnStarts = turnStarts
        self.vadProbabilities = vadProbabilities
    }
}
