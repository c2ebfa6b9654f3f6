import Core
import Testing

/// Recorded frames held in memory (pcm16 "packets").
final class ArrayFrames: RecordedFrames {
    let frames: [[Int16]]
    init(_ frames: [[Int16]]) { self.frames = frames }
    func frame(_ index: Int) throws -> (samples: [Int16], packet: [UInt8]) {
        let samples = frames[index]
        return (samples, try PCM16Codec(samplesPerFrame: samples.count).encode(samples))
    }
    func samples(_ range: Range<Int>) throws -> [Int16] { range.flatMap { frames[$0] } }
}

/// A simulated session turned into an "observed call" (its mic and bot audio as if recorded on two
/// channels), then run through the pipeline the way `crosstalk import` and its replays do.
@Suite struct ObservedSessionTests {
    struct Call {
        var call: ObservedCall
        var mic: [[Int16]]
        var bot: [[Int16]]
        var scenario: Scenario
    }

    /// Records the hesitation scenario at 800 ms endpointing (no cut-off) and reads it as a call.
    static func recordedCall() throws -> Call {
        let scenario = TestScenarios.hesitation.with { $0.pipeline.endpointing.silenceMs = 800 }
        let (events, recording) = try TestScenarios.run(scenario)
        var turns: [ObservedCall.CallerTurn] = []
        for e in events where e.kind == .callerSpeechStart {
            let words = (e.data["words"]?.arrayValue ?? []).map {
                SimulatedSTT.SpokenWord(
                    text: $0["word"]!.stringValue!, start: SimInstant(microseconds: $0["start_us"]!.intValue!),
                    end: SimInstant(microseconds: $0["end_us"]!.intValue!))
            }
            turns.append(.init(start: words[0].start, text: e.data["text"]!.stringValue!, words: words))
        }
        let frameUs = scenario.audio.format.frameDuration.microseconds
        var segments: [ObservedCall.BotSegment] = []
        var start: Int64?
        for e in events {
            if e.kind == .playStart { start = e.time.microseconds }
            if e.kind == .playStop, let s = start {
                segments.append(.init(startFrame: Int(s / frameUs), frameCount: Int((e.time.microseconds - s) / frameUs), text: ""))
                start = nil
            }
        }
        let mic = recording.frames[.mic]!, bot = recording.frames[.bot]!
        let call = ObservedCall(callerTurns: turns, botSegments: segments, hasTranscript: true, frameCount: mic.count)
        return Call(call: call, mic: mic, bot: bot, scenario: scenario)
    }

    static func run(_ c: Call, call: ObservedCall, configure: (inout Scenario) -> Void = { _ in }) throws -> [PipelineEvent] {
        var scenario = c.scenario
        configure(&scenario)
        let sim = SessionSimulator(
            scenario: scenario, speech: SpeechBank(), micCodec: PCM16Codec(samplesPerFrame: scenario.audio.format.samplesPerFrame),
            recorder: nil, replay: ReplayPlan(turnStarts: call.callerTurns.map(\.start)),
            observed: ObservedInputs(call: call, mic: ArrayFrames(c.mic), botSource: ArrayFrames(c.bot)))
        return try sim.run()
    }

    static func playStarts(_ events: [PipelineEvent]) -> [Int64] {
        events.filter { $0.kind == .playStart }.map(\.time.microseconds)
    }

    @Test func anchoredRepliesPlayAtTheirRecordedTimes() throws {
        let c = try Self.recordedCall()
        #expect(c.call.botSegments.count == 3)
        let probe = try Self.run(c, call: c.call)
        let anchored = c.call.anchored(to: probe, frameDuration: .milliseconds(20))
        #expect(anchored.botSegments.allSatisfy { $0.anchor != nil }, "every reply follows a turn.end")
        let events = try Self.run(c, call: anchored)
        let recorded = c.call.botSegments.map { Int64($0.startFrame) * 20_000 }
        #expect(Self.playStarts(events) == recorded)
        // Same inputs, same stream.
        #expect(EventStreamHash.of(try Self.run(c, call: anchored)) == EventStreamHash.of(events))
        // The JSON kept in the archive gives the same call back.
        #expect(ObservedCall(json: anchored.json) == anchored)
    }

    @Test func longerEndpointingMovesEachReplyByTheDifference() throws {
        let c = try Self.recordedCall()
        let anchored = c.call.anchored(to: try Self.run(c, call: c.call), frameDuration: .milliseconds(20))
        let before = try Self.run(c, call: anchored)
        let after = try Self.run(c, call: anchored) { $0.pipeline.endpointing.silenceMs = 1100 }
        let ends = { (e: [PipelineEvent]) in e.filter { $0.kind == .turnEnd }.map(\.time.microseconds) }
        #expect(zip(ends(before), ends(after)).allSatisfy { $1 - $0 == 300_000 })
        #expect(zip(Self.playStarts(before), Self.playStarts(after)).allSatisfy { $1 - $0 == 300_000 })
        #expect(Self.playStarts(after).count == 3)
    }

    @Test func shorterEndpointingCutsTheCallerOffAndTheReplyStillFollowsTheWholeTurn() throws {
        let c = try Self.recordedCall()
        let anchored = c.call.anchored(to: try Self.run(c, call: c.call), frameDuration: .milliseconds(20))
        let events = try Self.run(c, call: anchored) { $0.pipeline.endpointing.silenceMs = 500 }
        let metrics = SessionMetrics(events: events)
        #expect(metrics.summary.cutOffs == 1, "the 700 ms pause in caller turn 2 is cut at 500 ms")
        #expect(metrics.turns.count == 4)
        // The cut-off turn gets no recorded reply (the real bot did not answer there); the reply to
        // the whole turn moves 300 ms earlier with its turn.end.
        #expect(metrics.turns.first(where: \.cutOff)?.firstAudioMs == nil)
        let baseline = try Self.run(c, call: anchored)
        #expect(zip(Self.playStarts(baseline), Self.playStarts(events)).allSatisfy { $0 - $1 == 300_000 })
    }

    /// The real pipeline's own turn ends are known (a transcript's `turn_end`): each reply keeps the
    /// real pipeline's latency from its turn end, whatever Crosstalk's endpointer decided in the
    /// import's probe. Without them the probe's turn ends would be baked into every reply.
    @Test func repliesAnchoredToTheRecordedTurnEndsKeepTheRealPipelinesLatency() throws {
        let c = try Self.recordedCall()
        let (recordedEvents, _) = try TestScenarios.run(c.scenario)
        let realEnds = recordedEvents.filter { $0.kind == .turnEnd }.map(\.time)
        #expect(realEnds.count == 3)
        var call = c.call
        for i in call.botSegments.indices { call.botSegments[i].recordedTurnEnd = realEnds[i] }
        let starts = c.call.botSegments.map { Int64($0.startFrame) * 20_000 }
        // Crosstalk's endpointer at 1100 ms (the real one ran at 800 ms) in the import's probe.
        let slower = { (s: inout Scenario) in s.pipeline.endpointing.silenceMs = 1100 }
        let probe = try Self.run(c, call: c.call, configure: slower)
        let anchored = call.anchored(to: probe, frameDuration: .milliseconds(20))
        #expect(anchored.botSegments.map { $0.anchor?.delay.microseconds } == zip(starts, realEnds).map { $0 - $1.microseconds })
        let events = try Self.run(c, call: anchored, configure: slower)
        #expect(Self.playStarts(events) == starts.map { $0 + 300_000 }, "300 ms later endpointing, 300 ms later replies")
        // Anchored to the probe instead, the slower endpointer disappears into the delays.
        let naive = try Self.run(c, call: c.call.anchored(to: probe, frameDuration: .milliseconds(20)), configure: slower)
        #expect(Self.playStarts(naive) == starts)
        #expect(ObservedCall(json: anchored.json) == anchored)
    }
}
