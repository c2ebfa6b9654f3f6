import Core
import Foundation
import Testing
@testable import Recorder

@Suite struct ArchiveVerifierTests {
    /// A good archive and a copy of it to damage.
    private func goodArchiveAndCopy(_ dir: TemporaryDirectory) throws -> (good: String, copy: String) {
        let good = dir.path("good.ctk")
        try SyntheticSession(frameCount: 120).write(to: good)
        let copy = dir.path("copy.ctk")
        try copyFile(good, copy)
        return (good, copy)
    }

    @Test func goodArchiveHasNoFindings() throws {
        let dir = TemporaryDirectory()
        let (good, _) = try goodArchiveAndCopy(dir)
        #expect(try ArchiveVerifier().verify(path: good) == [])
    }

    @Test func catchesADeletedFrameRow() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "DELETE FROM audio WHERE stream = 'bot' AND frame = 57")
        let findings = try ArchiveVerifier().verify(path: copy)
        #expect(findings.contains(ArchiveVerifier.Finding(
            check: "audio", message: "bot frame 58 follows frame 56 (frames must run 0, 1, 2, …)")), "\(findings)")
    }

    @Test func catchesADeletedMicFrameAsAVADMismatch() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "DELETE FROM audio WHERE stream = 'mic' AND frame = 119")
        let findings = try ArchiveVerifier().verifyBesideChecksums(path: copy)
        #expect(findings == [
            ArchiveVerifier.Finding(check: "audio", message: "the streams differ in length (caller 120, mic 119, bot 120 frames)"),
            ArchiveVerifier.Finding(check: "vad", message: "120 vad rows for 119 mic frames"),
        ])
    }

    /// Found by the FuzzArchive fuzzer (Fuzz/findings/FuzzArchive/): a frame number near Int64's
    /// limit trapped on arithmetic overflow (frame × frame_ms, and the next expected frame).
    @Test func aHugeFrameNumberIsAFindingNotATrap() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, """
            UPDATE audio SET frame = 9223372036854775807 WHERE stream = 'bot' AND frame = 119;
            UPDATE audio SET frame = 4611686018427387904 WHERE stream = 'mic' AND frame = 119;
            """)
        let findings = try ArchiveVerifier().verify(path: copy)
        #expect(findings.contains(ArchiveVerifier.Finding(
            check: "audio", message: "bot frame 9223372036854775807 at t_us 2380000, expected a time beyond any session")), "\(findings)")
        #expect(findings.contains(ArchiveVerifier.Finding(
            check: "audio", message: "mic frame 4611686018427387904 follows frame 118 (frames must run 0, 1, 2, …)")), "\(findings)")
        // Reading the stream refuses the frame number instead of sizing a buffer from it.
        #expect(throws: ArchiveError.self) { try SessionArchive(path: copy).decodedAudio(.mic) }
    }

    @Test func catchesAReorderedEventTime() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "UPDATE events SET t_us = 5 WHERE seq = 40")
        let findings = try ArchiveVerifier().verifyBesideChecksums(path: copy)
        #expect(findings.count == 1)
        #expect(findings.first?.check == "events")
        #expect(findings.first?.message.hasPrefix("event 40 at t_us 5 is earlier") == true, "\(findings)")
    }

    @Test func catchesABadKindAndBadData() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, """
            UPDATE events SET kind = 'llm.tokens' WHERE seq = 8;
            UPDATE events SET data = '[1,2]' WHERE seq = 9;
            UPDATE events SET data = '{"a":' WHERE seq = 10;
            DELETE FROM events WHERE seq = 20;
            """)
        let messages = try ArchiveVerifier().verify(path: copy).map(\.description)
        #expect(messages.contains("events: event 8 has unknown kind 'llm.tokens'"), "\(messages)")
        #expect(messages.contains("events: event 9 data is not a JSON object"))
        #expect(messages.contains { $0.hasPrefix("events: event 10 data: invalid JSON") })
        #expect(messages.contains("events: event seq 21 follows 19 (seq must run 0, 1, 2, …)"))
        // The reader refuses to return an event it cannot represent.
        #expect(throws: ArchiveError.self) { try SessionArchive(path: copy).events() }
    }

    @Test func catchesBadPacketsTimesAndCodecs() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, """
            UPDATE audio SET data = x'0102' WHERE stream = 'caller' AND frame = 3;
            UPDATE audio SET t_us = 1 WHERE stream = 'caller' AND frame = 4;
            UPDATE audio SET codec = 'mp3' WHERE stream = 'bot' AND frame = 5;
            UPDATE vad SET prob = 1.5 WHERE frame = 6;
            DELETE FROM meta WHERE key = 'session_id';
            """)
        let messages = try ArchiveVerifier().verify(path: copy).map(\.description)
        #expect(messages.contains { $0.hasPrefix("audio: caller frame 3 does not decode") }, "\(messages)")
        #expect(messages.contains("audio: caller frame 4 at t_us 1, expected 80000"))
        #expect(messages.contains("audio: bot frame 5 has unknown codec 'mp3'"))
        #expect(messages.contains("vad: vad frame 6 probability 1.5 is outside 0…1"))
        #expect(messages.contains("meta: key session_id is missing"))
    }

    @Test func limitsFindingsPerCheck() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "UPDATE events SET kind = 'nope'")
        let findings = try ArchiveVerifier().verifyBesideChecksums(path: copy)
        #expect(findings.count == 6)
        #expect(findings.last?.message.hasPrefix("… and ") == true)
    }

    @Test func countsEveryBadRowButKeepsOnlyTheFirstMessages() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "UPDATE events SET data = '{ }'")
        try mutate(copy, "UPDATE vad SET prob = 2")
        let rows = try SessionArchive(path: copy).events().count
        let findings = try ArchiveVerifier().verify(path: copy)
        let events = findings.filter { $0.check == "events" }.map(\.message)
        #expect(events.count == 6)
        #expect(events.first?.hasPrefix("event 0 data is not canonical JSON") == true, "\(events)")
        #expect(events.last == "… and \(rows - 5) more")
        let vad = findings.filter { $0.check == "vad" }.map(\.message)
        #expect(vad.last == "… and \(try SessionArchive(path: copy).vadFrames().count - 5) more", "\(vad)")
    }

    @Test func droppedIndexIsASchemaFinding() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "DROP INDEX events_t")
        let findings = try ArchiveVerifier().verify(path: copy)
        #expect(findings == [ArchiveVerifier.Finding(check: "schema", message: "index events_t on events(t_us) is missing")])
    }

    @Test func catchesWhatBreaksTheContractBeyondTheSchema() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, """
            UPDATE events SET data = '{"z":1,"a":2}' WHERE seq = 3;
            UPDATE events SET turn = 'abc' WHERE seq = 4;
            UPDATE events SET t_us = -5 WHERE seq = 0;
            UPDATE audio SET data = x'' WHERE stream = 'caller' AND frame = 7;
            DELETE FROM audio WHERE stream = 'bot' AND frame >= 100;
            """)
        let messages = try ArchiveVerifier().verify(path: copy).map(\.description)
        #expect(messages.contains("events: event 3 data is not canonical JSON (sorted keys, no spaces)"), "\(messages)")
        #expect(messages.contains("events: event 4 turn is \"abc\", not an integer"), "\(messages)")
        #expect(messages.contains("events: event 0 has negative t_us -5"), "\(messages)")
        #expect(messages.contains("audio: caller frame 7 has an empty packet"), "\(messages)")
        #expect(messages.contains("audio: the streams differ in length (caller 120, mic 120, bot 100 frames)"), "\(messages)")
    }

    @Test func catchesAMissingScenarioAndEventsWithoutAudio() throws {
        let dir = TemporaryDirectory()
        let (_, copy) = try goodArchiveAndCopy(dir)
        try mutate(copy, "DELETE FROM meta WHERE key = 'scenario'; DELETE FROM events; INSERT INTO meta VALUES ('source', 'simulated');")
        let messages = try ArchiveVerifier().verify(path: copy).map(\.description)
        #expect(messages.contains("meta: key scenario is missing (a simulated session keeps it for replays)"), "\(messages)")
        #expect(messages.contains("events: no events for 120 frames of audio"), "\(messages)")
    }
}
