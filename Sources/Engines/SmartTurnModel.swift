import COnnxRuntime
import Crypto
import Foundation

/// Pipecat's Smart Turn v3.2 end-of-turn model (`smart-turn-v3.2-cpu.onnx` from PyPI's
/// `pipecat-ai` 1.14.0, unpacked into `.engines/models/` by `make engines`), run in-process by ONNX
/// Runtime 1.32.0 (`.engines/lib/onnxruntime-1.32.0/libonnxruntime.so` from PyPI's `onnxruntime`,
/// the version pipecat's environment pins; opened at run time through `COnnxRuntime`). The model is
/// quantized, and sherpa-onnx's older runtime beside it gives probabilities up to 2e-2 away from
/// pipecat's, so Smart Turn has its own.
///
/// The model reads Whisper log-mel features of the last 8 s of the caller's audio (80 mel bins ×
/// 800 frames, row-major by bin: index = bin × 800 + frame; Core's `WhisperLogMel` makes them) and
/// gives the probability that the caller's turn is complete: its output `logits` ([1, 1]) is
/// already a sigmoid, as pipecat's `LocalSmartTurnAnalyzerV3` reads it.
///
/// The file is checked before ONNX Runtime sees it: its size and sha256 must be the pinned ones
/// (a missing or other file: run `make engines`). One intra-op thread, one inter-op thread and
/// sequential execution: the same features give the same probability, run after run.
///
/// Thread-safe: the instance holds no mutable state and ONNX Runtime's `Run` may be called from
/// several threads on one session.
public final class SmartTurnModel: @unchecked Sendable {
    /// The model's file name in the engines folder's `models/`.
    public static let fileName = "smart-turn-v3.2-cpu.onnx"
    /// The sha256 of pipecat-ai 1.14.0's `smart-turn-v3.2-cpu.onnx` (lowercase hex).
    public static let sha256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
    /// The size in bytes of pipecat-ai 1.14.0's `smart-turn-v3.2-cpu.onnx`.
    public static let byteCount = 8_679_182
    /// Mel bins of the input features.
    public static let melBins = 80
    /// Frames (10 ms each, 8 s) of the input features.
    public static let frames = 800
    /// Values in one input: `melBins × frames`.
    public static let featureCount = melBins * frames
    /// The model's input name.
    public static let inputName = "input_features"
    /// The model's output name.
    public static let outputName = "logits"
    /// The ONNX Runtime library, relative to the engines folder.
    public static let runtimeLibrary = "lib/onnxruntime-1.32.0/libonnxruntime.so"
    /// The message when the model or ONNX Runtime is missing.
    public static let missingMessage = "Smart Turn needs its model and onnxruntime: run `make engines`"

    /// The model file this instance loaded.
    public let modelPath: String
    /// The ONNX Runtime version that runs it (e.g. "1.28.2").
    public let runtimeVersion: String
    private let model: OpaquePointer

    /// Loads the model.
    ///
    /// - Parameters:
    ///   - modelPath: the ONNX file; nil: `models/smart-turn-v3.2-cpu.onnx` in the engines folder.
    ///   - expectedSHA256: the file's required sha256 (lowercase hex), checked with its size before
    ///     loading; nil skips both checks (another build of the model, or a test).
    ///   - directory: the engines folder (with `runtimeLibrary`); nil: `EngineInstall.directory`.
    /// - Throws: `EngineError.engineUnavailable` with one line: the model or library missing, or the
    ///   file not the pinned one (both say to run `make engines`), or ONNX Runtime unable to load the
    ///   file (naming it).
    public init(modelPath: String? = nil, expectedSHA256: String? = SmartTurnModel.sha256, directory: String? = nil) throws {
        let root = directory ?? EngineInstall.directory
        guard let path = modelPath ?? root.map({ $0 + "/models/" + Self.fileName }) else {
            throw EngineError.engineUnavailable(Self.missingMessage)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw EngineError.engineUnavailable("Smart Turn model \(path) is missing: run `make engines`")
        }
        if let expectedSHA256 {
            try Self.check(path, sha256: expectedSHA256.lowercased())
        }
        guard let root else { throw EngineError.engineUnavailable(Self.missingMessage) }
        let library = root + "/" + Self.runtimeLibrary
        guard FileManager.default.fileExists(atPath: library) else {
            throw EngineError.engineUnavailable("Smart Turn needs onnxruntime (\(library) is missing): run `make engines`")
        }
        var error = [CChar](repeating: 0, count: 1024)
        guard ct_ort_open(library, &error, error.count) == 0 else {
            throw EngineError.engineUnavailable("Smart Turn cannot use onnxruntime: \(Self.message(error))")
        }
        guard let loaded = ct_ort_model_load(path, 1, &error, error.count) else {
            throw EngineError.engineUnavailable("Smart Turn model \(path) cannot be loaded: \(Self.message(error))")
        }
        self.modelPath = path
        self.model = loaded
        self.runtimeVersion = ct_ort_version().map { String(cString: $0) } ?? "?"
    }

    deinit { ct_ort_model_free(model) }

    /// The probability, in 0...1, that the turn is complete after the audio these features describe.
    ///
    /// - Parameter features: `featureCount` values, row-major by mel bin (index = bin × 800 + frame).
    /// - Throws: `EngineError.engineFailed` when `features` has another count or a value that is not
    ///   finite, when ONNX Runtime fails, or when its output is not a number in 0...1.
    public func probability(features: [Float]) throws -> Double {
        guard features.count == Self.featureCount else {
            throw EngineError.engineFailed(engine: "Smart Turn", reason: "it takes \(Self.featureCount) feature values (80 × 800), not \(features.count)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw EngineError.engineFailed(engine: "Smart Turn", reason: "feature value \(bad) (mel bin \(bad / Self.frames), frame \(bad % Self.frames)) is \(features[bad]), not a finite number")
        }
        var output: [Float] = [0]
        var error = [CChar](repeating: 0, count: 1024)
        let shape: [Int64] = [1, Int64(Self.melBins), Int64(Self.frames)]
        let status = features.withUnsafeBufferPointer { input in
            ct_ort_model_run(model, Self.inputName, input.baseAddress, input.count, shape, shape.count,
                             Self.outputName, &output, output.count, &error, error.count)
        }
        guard status == 0 else {
            throw EngineError.engineFailed(engine: "Smart Turn", reason: Self.message(error))
        }
        let value = Double(output[0])
        guard value.isFinite, (0...1).contains(value) else {
            throw EngineError.engineFailed(engine: "Smart Turn", reason: "its output \(value) is not a probability")
        }
        return value
    }

    /// Checks the file's size, then its sha256 (the size first: a wrong file is never read whole).
    private static func check(_ path: String, sha256 expected: String) throws {
        // The file itself, not a symbolic link to it.
        let file = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? -1
        let again = "run `make engines` (it fetches pipecat-ai 1.14.0's \(fileName))"
        guard size == byteCount else {
            throw EngineError.engineUnavailable("Smart Turn model \(path) has \(size) bytes, not the \(byteCount) of the pinned model: \(again)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.engineUnavailable("Smart Turn model \(path) cannot be read: \(again)")
        }
        let actual = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        guard actual == expected else {
            throw EngineError.engineUnavailable("Smart Turn model \(path) has sha256 \(actual), not the pinned \(expected): \(again)")
        }
    }

    /// The C shim's error buffer as one line.
    private static func message(_ buffer: [CChar]) -> String {
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.isEmpty ? "unknown error" : text
    }
}
