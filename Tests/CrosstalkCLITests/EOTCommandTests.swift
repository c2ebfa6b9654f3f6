import Core
import Foundation
import Recorder
import Testing

/// Smart Turn v3.2 from outside: `crosstalk eot score` against pipecat's own probabilities, and
/// `pipeline.endpointing.mode: model` in a whole simulate → replay → counterfactual loop.
@Suite(.serialized) struct EOTCommandTests {
    static let fixtures = CLIHarness.root.appendingPathComponent("Tests/Fixtures/smart-turn")

    @Test func eotScoreAgreesWithPipecatWithin1e3() throws {
        let json = try JSONParser.parse(try String(contentsOf: Self.fixtures.appendingPathComponent("reference.json"), encoding: .utf8))
        let cases = json["cases"]?.arrayValue ?? []
        #expect(cases.count == 5)
        for c in cases {
            let file = try #require(c["file"]?.stringValue), at = try #require(c["at"]?.doubleValue)
            let expected = try #require(c["probability"]?.doubleValue)
            let run = try CLIHarness.run(["eot", "score", Self.fixtures.appendingPathComponent(file).path, "--at", "\(at)"])
            #expect(run.status == 0, "\(run.stderr)")
            let fields = run.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(fields.count == 2 && Double(fields[0]) == at, "\(run.stdout)")
            let probability = try #require(fields.last.flatMap(Double.init))
            #expect(abs(probability - expected) < 1e-3, "\(file) at \(at): \(probability), pipecat \(expected)")
        }
        // Several instants: one line each, in the order asked.
        let several = try CLIHarness.run(["eot", "score", Self.fixtures.appendingPathComponent("goforward.wav").path, "--at", "2.78,0.9"])
        #expect(several.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["2.78", "0.9"], "\(several.stdout)")
    }

    @Test func eotScoreBadInputIsOneLineAndExit2() throws {
        let wav = Self.fixtures.appendingPathComponent("goforward.wav").path
        for (arguments, problem) in [
            ([wav, "--at", "5"], "is only 2.786 s long"),
            ([wav, "--at", "x"], "'x' is not an instant"),
            ([wav, "--at", "1,,2"], "'' is not an instant"),
            ([wav, "--at=-1"], "is not an instant"),
            (["/nonexistent/a.wav", "--at", "1"], "a.wav"),
            ([wav, "--at", "1", "--model", "/nonexistent/m.onnx"], "run `make engines`"),
        ] {
            let run = try CLIHarness.run(["eot", "score"] + arguments)
            #expect(run.status == 2 && run.stderr.contains(problem) && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }

    @Test func aSessionEndpointedBySmartTurnIsDeterministicReplaysAndSweepsItsThreshold() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("a.ctk").path, b = dir.appendingPathComponent("b.ctk").path
        let scenario = CLIHarness.scenario("happy-path")
        for out in [a, b] {
            let run = try CLIHarness.run(["simulate", scenario, "--set", "pipeline.endpointing.mode=model", "-o", out])
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(FileManager.default.contentsEqual(atPath: a, andPath: b), "two runs, byte-identical archives")
        let events = try SessionArchive(path: a).events()
        let predictions = events.filter { $0.kind == .eotPrediction }, ends = events.filter { $0.kind == .turnEnd }
        #expect(!predictions.isEmpty && predictions.allSatisfy { ($0.data["probability"]?.doubleValue).map { (0...1).contains($0) } == true })
        #expect(!ends.isEmpty && ends.allSatisfy { ["model", "timeout"].contains($0.data["reason"]?.stringValue ?? "") })
        // A turn ended by the model ends exactly one inference (40 ms) after a complete prediction was asked for.
        for end in ends where end.data["reason"] == "model" {
            #expect(predictions.contains { $0.time == end.time && $0.data["outcome"] == "complete" })
        }
        #expect(try CLIHarness.run(["verify", a]).status == 0)
        let exact = try CLIHarness.run(["replay", a])
        #expect(exact.status == 0 && exact.stdout.contains("reproduced exactly"), "\(exact.stdout)\(exact.stderr)")
        // A stricter threshold waits longer: every turn ends no earlier.
        let strict = try CLIHarness.run(["replay", a, "--set", "pipeline.endpointing.threshold=0.95", "-o", b, "--force"])
        #expect(strict.status == 0, "\(strict.stderr)")
        let later = try SessionArchive(path: b).events().filter { $0.kind == .turnEnd }
        #expect(zip(ends, later).allSatisfy { $1.time >= $0.time } || later.count < ends.count)
        #expect(later != ends)
    }

    @Test func aThresholdSweepOnAModelArchiveNeedsNoModel() throws {
        let dir = try CLIHarness.tempDir()
        let a = dir.appendingPathComponent("a.ctk").path
        let made = try CLIHarness.run(["simulate", CLIHarness.scenario("happy-path"), "--set", "pipeline.endpointing.mode=model", "-o", a])
        #expect(made.status == 0, "\(made.stderr)")
        // No engines at all: every score the sweep needs is in the archive.
        let noEngines = ["CROSSTALK_ENGINES_DIR": dir.appendingPathComponent("no-engines").path]
        let sweep = try CLIHarness.run(["sweep", a, "--param", "pipeline.endpointing.threshold=0.05,0.1,0.3,0.5"], environment: noEngines)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stderr.contains(" reused, 0 computed by the model"), "\(sweep.stderr)")
        let exact = try CLIHarness.run(["replay", a], environment: noEngines)
        #expect(exact.status == 0 && exact.stdout.contains("reproduced exactly"), "\(exact.stdout)\(exact.stderr)")
        // A point that needs a new score needs the model: one line, exit 2.
        let strict = try CLIHarness.run(["sweep", a, "--param", "pipeline.endpointing.threshold=0.5,0.99"], environment: noEngines)
        #expect(strict.status == 2 && strict.stderr.contains("run `make engines`") && strict.stderr.split(separator: "\n").count == 1, "\(strict.stderr)")
    }
}
