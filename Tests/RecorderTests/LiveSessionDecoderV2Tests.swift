import Core
import Foundation
import Testing
@testable import Recorder

/// The protocol's forms for real pipelines (docs/record-protocol.md, "Chunks, rates and time"):
/// chunks of any length at a stream's own rate, placed by `t_us`, VAD rows by time, the event
/// reorder window, the hello's `settings`.
@Suite struct LiveSessionDecoderV2Tests {
    /// Frames written per stream and the samples of each, from a sequence of actions.
    private struct Written {
        var frames: [AudioStream: [[Int16]]] = [:]
        var vad: [(frame: Int, probability: Double, speech: Bool)] = []
        var events: [PipelineEvent] = []
        var samplesPerFrame = 320

        mutating func take(_ rows: [LiveSessionDecoder.Row]) {
            for row in rows {
                switch row {
                case .frame(let stream, let frame, _, let samples):
                    #expect(frame == frames[stream, default: []].count, "frames of \(stream) in order")
                    frames[stream, default: []].append(samples)
                case .silence(let stream, let first, let count):
                    #expect(first == frames[stream, default: []].count)
                    frames[stream, default: []] += Array(repeating: Array(repeating: 0, count: samplesPerFrame), count: count)
                case .vad(let frame, _, let probability, let speech):
                    #expect(frame == vad.count)
                    vad.append((frame, probability, speech))
                case .vadSpan(let first, let count, _, let probability, let speech):
                    #expect(first == vad.count)
                    for frame in first..<(first + count) { vad.append((frame, probability, speech)) }
                case .event(let event):
                    events.append(event)
                }
            }
        }

        mutating func take(_ action: LiveSessionDecoder.Action?) {
            switch action {
            case .record(let rows)?: take(rows)
            case .finishArchive(let finish)?: take(finish.rows)
            default: Issue.record("expected rows, got \(String(describing: action))")
            }
        }
    }

    private func opened(_ extra: [String: JSONValue] = [:]) -> LiveSessionDecoder {
        var decoder = LiveSessionDecoder(defaultSessionID: "x")
        guard case .openArchive = decoder.feed(LiveLines.hello(extra: extra)) else {
            preconditionFailure("the hello must open the session")
        }
        return decoder
    }

    @Test func chunksOfAnyLengthAreRecutIntoWholeFramesAndTheLastIsPadded() {
        var decoder = opened()
        var written = Written()
        let ramp = (0..<1000).map { Int16($0) }
        // 10 ms, 25 ms, 3 samples, the rest: 1000 samples in all = 3 frames and 40 samples.
        for piece in [ramp[0..<160], ramp[160..<560], ramp[560..<563], ramp[563...]] {
            written.take(decoder.feed(LiveLines.chunk("mic", Array(piece))))
        }
        #expect(written.frames[.mic]?.count == 3)
        written.take(decoder.feed(LiveLines.end))
        let mic = written.frames[.mic] ?? []
        #expect(mic.count == 4)
        #expect(mic.flatMap { $0 }.prefix(1000).elementsEqual(ramp))
        #expect(mic.last?.suffix(280).allSatisfy { $0 == 0 } == true)
    }

    @Test func aStreamAtItsOwnRateIsResampledToTheArchiveRate() {
        var decoder = opened(["stream_rates": ["bot": 24000]])
        var written = Written()
        // One second of a 24 kHz 200 Hz tone in 40 ms chunks (Pipecat's output chunk).
        let tone = (0..<24000).map { Int16(8000 * sin(2 * Double.pi * 200 * Double($0) / 24000)) }
        for start in stride(from: 0, to: 24000, by: 960) {
            written.take(decoder.feed(LiveLines.chunk("bot", Array(tone[start..<(start + 960)]), extra: ["sample_rate": 24000])))
        }
        written.take(decoder.feed(LiveLines.end))
        let bot = (written.frames[.bot] ?? []).flatMap { $0 }
        #expect(bot.count == 16000)
        // The same tone at 16 kHz, within the error of linear interpolation.
        var worst = 0.0
        for k in 0..<16000 {
            let expected: Double = 8000 * sin(2 * Double.pi * 200 * Double(k) / 16000)
            worst = max(worst, abs(Double(bot[k]) - expected))
        }
        #expect(worst < 60, "largest deviation \(worst)")
    }

    @Test func aRateOtherThanTheStreamsIsRejected() {
        var decoder = opened(["stream_rates": ["bot": 24000]])
        guard case .reject(let error) = decoder.feed(LiveLines.chunk("bot", [1, 2], extra: ["sample_rate": 16000])) else {
            Issue.record("accepted")
            return
        }
        #expect(error.message == "audio: bot chunk says sample_rate 16000, but the bot stream is at 24000 Hz (set it in hello's stream_rates)")
        guard case .reject(let strict) = decoder.feed(LiveLines.audio("bot", 0, LiveLines.tone(frame: 0))) else {
            Issue.record("a frame by index of a 24 kHz stream was accepted")
            return
        }
        #expect(strict.message.contains("the bot stream arrives at 24000 Hz (stream_rates), so send it as chunks"))
        guard case .reject(let empty) = decoder.feed(#"{"type":"audio","stream":"mic","pcm16":""}"#),
              case .reject(let long) = decoder.feed(LiveLines.chunk("bot", [Int16](repeating: 0, count: 24001))) else {
            Issue.record("an empty or over-long chunk was accepted")
            return
        }
        #expect(empty.message == "audio: mic chunk holds 0 samples; a chunk without \"frame\" holds 1 to 16000 (1 s at 16000 Hz)")
        #expect(long.message == "audio: bot chunk holds 24001 samples; a chunk without \"frame\" holds 1 to 24000 (1 s at 24000 Hz)")
    }

    @Test func helloChecksStreamRatesAndSettings() {
        func rejection(_ extra: [String: JSONValue]) -> String? {
            var decoder = LiveSessionDecoder(defaultSessionID: "x")
            if case .reject(let error) = decoder.feed(LiveLines.hello(extra: extra)) { return error.message }
            return nil
        }
        #expect(rejection(["stream_rates": ["tts": 24000]]) == "hello: stream_rates names unknown stream \"tts\" (expected one of caller, mic, bot)")
        #expect(rejection(["stream_rates": ["bot": 96000]]) == "hello: stream_rates.bot must be an integer sample rate in 8000…48000 Hz")
        #expect(rejection(["settings": ["pipeline.endpointing.silence_ms": 800]]) == nil)
        #expect(rejection(["settings": ["pipeline.endpointing.silence_ms": 800, "pipeline.bargein.mode": "vad"]]) == nil)
        #expect(rejection(["settings": ["pipeline.endpointing.silense_ms": 800]])?.hasPrefix("hello: settings \"pipeline.endpointing.silense_ms\": ") == true)
        #expect(rejection(["settings": ["pipeline.endpointing.silence_ms": [1]]]) == "hello: settings \"pipeline.endpointing.silence_ms\" must be a string, number or boolean")
        #expect(rejection(["settings": [1, 2]])?.hasPrefix("hello: settings must be a JSON object") == true)
    }

    @Test func aChunkPlacedByTimeLeavesSilenceBeforeItAndJitterIsAbsorbed() {
        var decoder = opened()
        var written = Written()
        let speech = [Int16](repeating: 1000, count: 320)
        // Bot audio only while the bot speaks: 20 ms at 100 ms, then at 200 ms.
        written.take(decoder.feed(LiveLines.chunk("bot", speech, timeUs: 100_000)))
        written.take(decoder.feed(LiveLines.chunk("bot", speech, timeUs: 200_000)))
        // 5 ms early: jitter, appended at the end (220 ms).
        written.take(decoder.feed(LiveLines.chunk("bot", speech, timeUs: 215_000)))
        #expect(decoder.receivedTime == SimInstant(microseconds: 240_000))
        let bot = written.frames[.bot] ?? []
        #expect(bot.count == 12)
        #expect(bot[0..<5].allSatisfy { $0.allSatisfy { $0 == 0 } })
        #expect(bot[5] == speech && bot[10] == speech && bot[11] == speech)
        #expect(bot[6..<10].allSatisfy { $0.allSatisfy { $0 == 0 } })
        // More than a second back is an overlap.
        written.take(decoder.feed(LiveLines.chunk("bot", speech, timeUs: 2_000_000)))
        guard case .reject(let error) = decoder.feed(LiveLines.chunk("bot", speech, timeUs: 900_000)) else {
            Issue.record("an overlapping chunk was accepted")
            return
        }
        #expect(error.message == "audio: bot chunk at t_us 900000 overlaps the stream, which already reaches 2020000 µs (at most 1000000 µs of jitter is absorbed)")
        guard case .reject(let gap) = decoder.feed(LiveLines.chunk("bot", speech, timeUs: 700_000_000)) else {
            Issue.record("a ten-minute gap was accepted")
            return
        }
        #expect(gap.message.contains("leaves 697980000 µs of silence after the stream's end at 2020000 µs (at most 600000000 µs)"))
    }

    @Test func chunkedStreamsArePaddedToTheLongestStreamAtTheEnd() {
        var decoder = opened()
        var written = Written()
        for frame in 0..<10 { written.take(decoder.feed(LiveLines.audio("mic", frame, LiveLines.tone(frame: frame)))) }
        written.take(decoder.feed(LiveLines.chunk("bot", [Int16](repeating: 500, count: 100), timeUs: 40_000)))
        guard case .finishArchive(let finish) = decoder.feed(LiveLines.end) else {
            Issue.record("end did not finish")
            return
        }
        written.take(finish.rows)
        #expect(written.frames[.bot]?.count == 10)
        #expect(written.frames[.bot]?[2].prefix(100).allSatisfy { $0 == 500 } == true)
        #expect(finish.summary.frames[.bot] == 10 && finish.summary.frames[.mic] == 10)
        #expect(finish.summary.endEvent.time == SimInstant(microseconds: 200_000))
    }

    @Test func vadRowsByTimeHoldUntilTheNextRowOnEveryMicFrame() {
        var decoder = opened()
        var written = Written()
        // Silero-like 32 ms windows: speech from 64 ms, silence from 160 ms.
        written.take(decoder.feed(LiveLines.vad(timeUs: 0, prob: 0.1, speech: false)))
        written.take(decoder.feed(LiveLines.vad(timeUs: 64_000, prob: 0.9, speech: true)))
        #expect(written.vad.isEmpty, "no mic frames yet")
        for frame in 0..<6 { written.take(decoder.feed(LiveLines.audio("mic", frame, LiveLines.tone(frame: frame)))) }
        // Frames starting before 64 ms (0, 20, 40, 60) are settled; 80 and 100 wait for a later row.
        #expect(written.vad.map(\.probability) == [0.1, 0.1, 0.1, 0.1])
        written.take(decoder.feed(LiveLines.vad(timeUs: 160_000, prob: 0.2, speech: false)))
        #expect(written.vad.map(\.speech) == [false, false, false, false, true, true])
        for frame in 6..<10 { written.take(decoder.feed(LiveLines.audio("mic", frame, LiveLines.tone(frame: frame)))) }
        written.take(decoder.feed(LiveLines.end))
        #expect(written.vad.map(\.probability) == [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9, 0.2, 0.2])
        var second = opened()
        guard case .reject(let error) = second.feedAll([LiveLines.vad(timeUs: 50_000), LiveLines.vad(timeUs: 40_000)]) else {
            Issue.record("a vad row back in time was accepted")
            return
        }
        #expect(error.message == "vad: t_us 40000 is earlier than the previous vad row's 50000 (vad rows come in time order)")
    }

    @Test func eventsWithinTheReorderWindowAreWrittenSortedAndOlderOnesAreRejected() {
        var decoder = opened()
        var written = Written()
        // LLMContextFrame pushed before UserStoppedSpeakingFrame: llm.request arrives first.
        written.take(decoder.feed(LiveLines.event(1_000_100, "llm.request")))
        written.take(decoder.feed(LiveLines.event(1_000_000, "turn.end")))
        #expect(written.events.isEmpty, "held in the window")
        written.take(decoder.feed(LiveLines.event(2_000_050, "play.start")))
        #expect(written.events.map(\.kind) == [.turnEnd], "released once the latest time passed it by 1 s")
        guard case .reject(let error) = decoder.feed(LiveLines.event(900_000, "vad.stop")) else {
            Issue.record("an event outside the window was accepted")
            return
        }
        #expect(error.message == "event: t_us 900000 is more than 1000000 µs earlier than the latest event's t_us 2000050 (events may arrive at most 1000000 µs out of order)")
        written.take(decoder.feed(LiveLines.event(1_500_000, "stt.final", data: ["text": "hi", "audio_end_us": 900_000])))
        written.take(decoder.feed(LiveLines.end))
        #expect(written.events.map(\.kind) == [.turnEnd, .llmRequest, .sttFinal, .playStart])
        #expect(written.events.map(\.seq) == [0, 1, 2, 3])
    }

    @Test func theMicAudioReleasesEventsSoAQuietMomentInTheEventsStillCommitsThem() {
        var decoder = opened()
        var written = Written()
        written.take(decoder.feed(LiveLines.event(100_000, "vad.start")))
        for frame in 0..<54 { written.take(decoder.feed(LiveLines.audio("mic", frame, LiveLines.tone(frame: frame)))) }
        #expect(written.events.isEmpty, "the mic reaches 1.08 s: 100 ms is inside the window")
        written.take(decoder.feed(LiveLines.audio("mic", 54, LiveLines.tone(frame: 54))))
        #expect(written.events.map(\.kind) == [.vadStart])
        guard case .reject(let error) = decoder.feed(LiveLines.event(90_000, "vad.stop")) else {
            Issue.record("an event before one already written was accepted")
            return
        }
        #expect(error.message == "event: t_us 90000 is earlier than an event already written at 100000 µs (the mic audio reached 1100000 µs; events may arrive at most 1000000 µs behind the session)")
    }
}

extension LiveSessionDecoder {
    /// Feeds every line; the last one's action.
    mutating func feedAll(_ lines: [String]) -> Action? {
        var last: Action?
        for line in lines { last = feed(line) }
        return last
    }
}
