import Core
import Engines
import Foundation
import Testing

/// Smart Turn v3.2 run in-process against pipecat's own ONNX Runtime session on the same tensors
/// (Tests/Fixtures/smart-turn/reference-probabilities.py), and its file checks.
@Suite struct SmartTurnModelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/smart-turn")

    /// One reference case: how to build its tensor and pipecat's probability for it.
    struct Case {
        var name: String
        var seed: UInt32
        var lo: Double
        var hi: Double
        var probability: Double
    }

    static func reference() throws -> [Case] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("reference-probabilities.json"), encoding: .utf8)
        let json = try JSONParser.parse(text)
        return (json["cases"]?.arrayValue ?? []).map { c in
            Case(name: c["name"]?.stringValue ?? "", seed: UInt32(c["seed"]?.intValue ?? 0),
                 lo: c["lo"]?.doubleValue ?? 0, hi: c["hi"]?.doubleValue ?? 0,
                 probability: c["probability"]?.doubleValue ?? -1)
        }
    }

    /// The case's tensor, built as the script builds it (row-major by mel bin).
    static func features(_ c: Case) -> [Float] {
        let count = SmartTurnModel.featureCount
        switch c.name {
        case "zeros":
            return [Float](repeating: 0, count: count)
        case "bin-ramp":
            return (0..<count).map { Float(-1 + 2 * Double($0 / 800) / 79) }
        case "frame-ramp":
            return (0..<count).map { Float(-1 + 2 * Double($0 % 800) / 799) }
        default:
            var x = c.seed
            return (0..<count).map { _ in
                x = 1_664_525 &* x &+ 1_013_904_223
                return Float(c.lo + (c.hi - c.lo) * (Double(x >> 8) / Double(1 << 24)))
            }
        }
    }

    /// A scratch folder for bad model files, removed after the test.
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smart-turn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func loadsThePinnedModel() throws {
        let model = try SmartTurnModel()
        #expect(model.modelPath.hasSuffix("/models/smart-turn-v3.2-cpu.onnx"))
        #expect(model.runtimeVersion.hasPrefix("1."))
    }

    @Test func probabilitiesMatchPipecatsOnnxRuntimeWithin1e4() throws {
        let cases = try Self.reference()
        #expect(cases.map(\.name) == ["zeros", "bin-ramp", "frame-ramp", "lcg-1", "lcg-2024"])
        let model = try SmartTurnModel()
        for c in cases {
            let p = try model.probability(features: Self.features(c))
            #expect((0...1).contains(p))
            #expect(abs(p - c.probability) < 1e-4, "\(c.name): \(p) vs pipecat's \(c.probability)")
        }
    }

    @Test func sameFeaturesSameProbabilityAcrossCallsAndInstances() throws {
        let cases = try Self.reference()
        let first = try SmartTurnModel(), second = try SmartTurnModel()
        for c in cases {
            let features = Self.features(c)
            let a = try first.probability(features: features)
            #expect(try first.probability(features: features) == a)
            #expect(try second.probability(features: features) == a)
        }
    }

    @Test func oneModelFromSeveralThreadsGivesTheSameProbabilities() throws {
        let cases = try Self.reference()
        let model = try SmartTurnModel()
        let inputs = cases.map(Self.features)
        let expected = try inputs.map { try model.probability(features: $0) }
        let count = inputs.count * 2
        let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
        defer { results.deallocate() }
        // Each iteration writes only its own slot.
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: count) { i in
            slots[i] = (try? model.probability(features: inputs[i % inputs.count])) ?? -1
        }
        for i in 0..<count { #expect(results[i] == expected[i % inputs.count]) }
    }

    @Test func realSpeechFeaturesMatchPipecatsAnalyzer() throws {
        // Core's features of a committed recording (matching pipecat's within 1e-4, see
        // WhisperLogMelTests) through the model: pipecat's own analyzer gave 0.91398 at 0.9 s.
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("goforward.wav"))
        let audio = stride(from: 44, to: data.count - 1, by: 2).map { i in
            Float(Int16(bitPattern: UInt16(data[i]) | UInt16(data[i + 1]) << 8)) / 32768
        }
        let features = WhisperLogMel().features(of: Array(audio.prefix(14_400)))
        let p = try SmartTurnModel().probability(features: features)
        #expect(abs(p - 0.91398) < 1e-3, "\(p)")
    }

    @Test func wrongFeatureCountIsAnErrorNotACrash() throws {
        let model = try SmartTurnModel()
        #expect(throws: EngineError.self) { _ = try model.probability(features: [0, 1, 2]) }
        #expect(throws: EngineError.self) { _ = try model.probability(features: []) }
    }

    @Test func nonFiniteFeaturesAreAnError() throws {
        let model = try SmartTurnModel()
        var features = [Float](repeating: 0, count: SmartTurnModel.featureCount)
        features[123] = .nan
        #expect(throws: EngineError.self) { _ = try model.probability(features: features) }
    }

    @Test func missingModelSaysToRunMakeEngines() throws {
        let path = "/nonexistent/models/smart-turn-v3.2-cpu.onnx"
        #expect(throws: EngineError.engineUnavailable("Smart Turn model \(path) is missing: run `make engines`")) {
            _ = try SmartTurnModel(modelPath: path)
        }
        let inFolder = "/nonexistent/.engines/models/smart-turn-v3.2-cpu.onnx"
        #expect(throws: EngineError.engineUnavailable("Smart Turn model \(inFolder) is missing: run `make engines`")) {
            _ = try SmartTurnModel(directory: "/nonexistent/.engines")
        }
    }

    @Test func missingRuntimeSaysToRunMakeEngines() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let models = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: models.appendingPathComponent(SmartTurnModel.fileName).path,
                                                   withDestinationPath: try SmartTurnModel().modelPath)
        let error = try #require(throws: EngineError.self) { _ = try SmartTurnModel(directory: dir.path) }
        #expect(error.description.contains(dir.path + "/" + SmartTurnModel.runtimeLibrary))
        #expect(error.description.contains("run `make engines`"))
    }

    @Test func runsBesideSherpaOnnxsRuntimeInOneProcess() throws {
        // Silero (sherpa-onnx with its own onnxruntime 1.28.2) and Smart Turn (1.32.0) loaded together.
        let vad = try SileroVAD()
        let model = try SmartTurnModel()
        let zeros = [Float](repeating: 0, count: SmartTurnModel.featureCount)
        let before = try model.probability(features: zeros)
        for _ in 0..<10 { _ = try vad.probability(of: [Int16](repeating: 0, count: 320)) }
        #expect(vad.windowCount > 0)
        #expect(try model.probability(features: zeros) == before)
    }

    @Test func otherFileThanThePinnedOneSaysToRunMakeEngines() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pinned = try SmartTurnModel().modelPath
        // Same size, one byte changed: only the sha256 tells them apart.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: pinned))
        bytes[bytes.count / 2] ^= 0xFF
        let edited = dir.appendingPathComponent("smart-turn-v3.2-cpu.onnx")
        try bytes.write(to: edited)
        let error = try #require(throws: EngineError.self) { _ = try SmartTurnModel(modelPath: edited.path) }
        let message = error.description
        #expect(message.contains(edited.path) && message.contains("sha256") && message.contains("run `make engines`"))
        #expect(!message.contains("\n"))
        // A file of another size is refused before it is hashed.
        let short = dir.appendingPathComponent("short.onnx")
        try Data("not a model".utf8).write(to: short)
        let sizeError = try #require(throws: EngineError.self) { _ = try SmartTurnModel(modelPath: short.path) }
        #expect(sizeError.description.contains("11 bytes") && sizeError.description.contains("run `make engines`"))
    }

    @Test func corruptFileIsAnErrorNamingIt() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corrupt = dir.appendingPathComponent("smart-turn-v3.2-cpu.onnx")
        var state: UInt32 = 7
        let garbage = Data((0..<4096).map { _ -> UInt8 in
            state = 1_664_525 &* state &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        })
        try garbage.write(to: corrupt)
        for bytes in [garbage, Data(), garbage.prefix(3)] {
            try bytes.write(to: corrupt)
            let error = try #require(throws: EngineError.self) {
                _ = try SmartTurnModel(modelPath: corrupt.path, expectedSHA256: nil)
            }
            #expect(error.description.contains(corrupt.path) && error.description.contains("cannot be loaded"))
            #expect(!error.description.contains("\n"))
        }
        // The runtime stays usable after the failures.
        #expect(try SmartTurnModel().probability(features: [Float](repeating: 0, count: SmartTurnModel.featureCount)) > 0)
    }
}
