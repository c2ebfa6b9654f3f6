/// Finds speech in a recorded call's channels and groups it into caller turns and bot replies
/// (for imports without a transcript).
public enum CallSegmentation {
    /// Stretches of speech: runs of speech frames, joined across gaps shorter than `mergeGap`
    /// frames, dropping stretches shorter than `minLength` frames.
    public static func regions(_ isSpeech: [Bool], mergeGap: Int, minLength: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for (i, s) in isSpeech.enumerated() {
            if s, start == nil { start = i }
            if !s, let a = start {
                runs.append(a..<i)
                start = nil
            }
        }
        if let a = start { runs.append(a..<isSpeech.count) }
        var merged: [Range<Int>] = []
        for run in runs {
            if let last = merged.last, run.lowerBound - last.upperBound < mergeGap {
                merged[merged.count - 1] = last.lowerBound..<run.upperBound
            } else {
                merged.append(run)
            }
        }
        return merged.filter { $0.count >= minLength }
    }

    /// Groups the caller's speech regions (frames) into turns: a turn is what the caller says
    /// between the bot's replies, so a new turn starts with the first region after a reply began.
    /// Without replies (`botStarts` empty), a silence of `turnGap` frames or more separates turns.
    public static func callerTurns(_ regions: [Range<Int>], botStarts: [Int], turnGap: Int) -> [[Range<Int>]] {
        var turns: [[Range<Int>]] = []
        for region in regions {
            guard let previous = turns.last?.last else {
                turns.append([region])
                continue
            }
            let replyBetween = botStarts.contains { $0 > previous.lowerBound && $0 <= region.lowerBound }
            let longSilence = botStarts.isEmpty && region.lowerBound - previous.upperBound >= turnGap
            if replyBetween || longSilence {
                turns.append([region])
            } else {
                turns[turns.count - 1].append(region)
            }
        }
        return turns
    }
}
