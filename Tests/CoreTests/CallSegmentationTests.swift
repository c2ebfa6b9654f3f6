import Core
import Testing

@Suite struct CallSegmentationTests {
    @Test func regionsJoinShortGapsAndDropBlips() {
        //            0 1 2 3 4 5 6 7 8 9 10 11 12 13
        let speech = [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1].map { $0 == 1 }
        // A 1-frame gap joins; a 4-frame gap separates; the lone frame 10 joins 12–13 (gap 1).
        #expect(CallSegmentation.regions(speech, mergeGap: 2, minLength: 1) == [1..<6, 10..<14])
        // Stretches shorter than the minimum are dropped.
        #expect(CallSegmentation.regions(speech, mergeGap: 1, minLength: 2) == [1..<3, 4..<6, 12..<14])
        #expect(CallSegmentation.regions([], mergeGap: 2, minLength: 1).isEmpty)
    }

    @Test func callerTurnsAreSplitByTheBotsReplies() {
        let regions = [0..<10, 15..<20, 40..<50, 60..<70, 72..<80]
        // Replies start at 25 (after the second region) and at 55.
        let turns = CallSegmentation.callerTurns(regions, botStarts: [25, 55], turnGap: 1000)
        #expect(turns == [[0..<10, 15..<20], [40..<50], [60..<70, 72..<80]])
        // A caller who starts talking while a reply plays (barge-in) begins a new turn too.
        #expect(CallSegmentation.callerTurns([0..<10, 30..<40], botStarts: [20], turnGap: 1000).count == 2)
        // Caller-only recordings: long silences separate turns.
        #expect(CallSegmentation.callerTurns(regions, botStarts: [], turnGap: 15) == [[0..<10, 15..<20], [40..<50, 60..<70, 72..<80]])
    }
}
