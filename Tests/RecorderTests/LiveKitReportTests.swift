import Core
import Foundation
import Recorder
import Testing

/// Bad LiveKit input: one line naming the file, the entry and the field; no archive is left.
@Suite struct LiveKitReportTests {
    typealias Fixture = LiveKitImporterTests

    /// Imports the fixture with `edit` applied to its report; returns the error's one line, checking
    /// that no output (nor its temporary file) was left.
    func failure(
        report edit: ((inout [String: JSONValue]) -> Void)? = nil, audio: String = "audio.ogg", reportText: String? = nil
    ) throws -> String {
        let dir = try Fixture.tempDir()
        var reportPath = Fixture.fixturePath("session_report.json")
        if edit != nil || reportText != nil {
            var text = reportText ?? ""
            if let edit {
                guard case .object(var report) = try JSONParser.parse(String(contentsOfFile: reportPath, encoding: .utf8)) else {
                    throw ImportError("fixture report is not an object")
                }
                edit(&report)
                text = JSONValue.object(report).canonicalText
            }
            reportPath = dir.appendingPathComponent("session_report.json").path
            try text.write(toFile: reportPath, atomically: true, encoding: .utf8)
        }
        let output = dir.appendingPathComponent("out.ctk").path
        let audioPath = audio.hasPrefix("/") ? audio : Fixture.fixturePath(audio)
        var message = "(no error)"
        do {
            _ = try LiveKitImporter.run(LiveKitImporter.Request(report: reportPath, audio: audioPath, output: output))
        } catch {
            message = "\(error)"
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("out.ctk") }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(!message.contains("\n"), "\(message)")
        return message
    }

    func editEvent(_ index: Int, _ change: @escaping (inout [String: JSONValue]) -> Void) -> (inout [String: JSONValue]) -> Void {
        { report in
            var events = report["events"]?.arrayValue ?? []
            guard case .object(var fields) = events[index] else { return }
            change(&fields)
            events[index] = .object(fields)
            report["events"] = .array(events)
        }
    }

    @Test func aMissingFieldNamesTheEntryAndTheField() throws {
        let m = try failure(report: editEvent(5) { $0["created_at"] = nil })
        #expect(m.contains("session_report.json") && m.contains("events[5]") && m.contains("'created_at'") && m.contains("missing"), "\(m)")
        let state = try failure(report: editEvent(2) { $0["new_state"] = nil })
        #expect(state.contains("events[2] (agent_state_changed)") && state.contains("'new_state'"), "\(state)")
        let top = try failure(report: { $0["audio_recording_started_at"] = nil })
        #expect(top.contains("session_report.json") && top.contains("'audio_recording_started_at'"), "\(top)")
        let events = try failure(report: { $0["events"] = nil })
        #expect(events.contains("'events'") && events.contains("missing"), "\(events)")
    }

    @Test func aWrongTypeOrRangeNamesTheField() throws {
        let final = try failure(report: editEvent(6) { $0["is_final"] = "yes" })
        #expect(final.contains("events[6] (user_input_transcribed)") && final.contains("'is_final'"), "\(final)")
        let eot = try failure(report: { r in
            let i = (r["events"]?.arrayValue ?? []).firstIndex { $0["type"] == "eot_prediction" } ?? 0
            editEvent(i) { $0["probability"] = .double(1.5) }(&r)
        })
        #expect(eot.contains("(eot_prediction)") && eot.contains("'probability'") && eot.contains("outside"), "\(eot)")
        let option = try failure(report: { r in
            var options = r["options"]?.objectValue ?? [:]
            options["min_endpointing_delay"] = .double(-1)
            r["options"] = .object(options)
        })
        #expect(option.contains("options") && option.contains("'min_endpointing_delay'"), "\(option)")
    }

    @Test func anUnknownEventTypeIsAnError() throws {
        let m = try failure(report: editEvent(3) { $0["type"] = "user_mood_changed" })
        #expect(m.contains("events[3]") && m.contains("'type'") && m.contains("user_mood_changed") && m.contains("known:"), "\(m)")
    }

    @Test func timesRunningBackwardsAreAnError() throws {
        // events[10] moved 10 s before the events it follows (beyond LiveKit's 2 s backdating).
        let m = try failure(report: editEvent(10) { $0["created_at"] = .double(($0["created_at"]?.doubleValue ?? 0) - 10) })
        #expect(m.contains("events[10]") && m.contains("'created_at'") && m.contains("backwards"), "\(m)")
        // The fixture's own backdated user_state_changed (0.33 s before the final it follows) is fine.
        #expect(try !LiveKitImporterTests.importFixture().outcome.events.isEmpty)
    }

    @Test func anOggThatIsNotOpusOrHasOneChannelIsAnError() throws {
        let vorbis = try failure(audio: "vorbis.ogg")
        #expect(vorbis.contains("vorbis.ogg") && vorbis.contains("Vorbis") && vorbis.contains("not Ogg Opus"), "\(vorbis)")
        let mono = try failure(audio: "mono.ogg")
        #expect(mono.contains("mono.ogg") && mono.contains("1 channel"), "\(mono)")
        let wav = try failure(audio: Fixture.fixturePath("expected.json"))
        #expect(wav.contains("expected.json") && wav.contains("cannot read audio"), "\(wav)")
    }

    @Test func unreadableFilesAreOneLine() throws {
        let missing = try failure(audio: "/nonexistent/audio.ogg")
        #expect(missing.contains("/nonexistent/audio.ogg") && missing.contains("no such file"), "\(missing)")
        let notJSON = try failure(reportText: "{\"job_id\": ")
        #expect(notJSON.contains("session_report.json") && notJSON.contains("not JSON"), "\(notJSON)")
        let dir = try failure(audio: Fixture.fixture.path)
        #expect(dir.contains("is a directory"), "\(dir)")
    }
}
