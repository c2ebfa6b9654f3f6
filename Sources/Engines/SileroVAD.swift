import CSherpaOnnx
import Core
import Foundation

/// The Silero VAD neural model (`silero_vad.onnx` from PyPI's `silero-vad` 6.2.3), run by
/// sherpa-onnx's voice activity detector through its C API (`libsherpa-onnx-c-api.so` and
/// `libonnxruntime.so` from PyPI's `sherpa-onnx-core` 2.0.1), both unpacked into `.engines/` by
/// `make engines` and opened at run time.
///
/// The model runs on 16 kHz windows of 512 samples (32 ms) plus the 64 samples before them as
/// context, so mic frames (20 ms) are buffered: the first window completes after 576 samples, then
/// one every 512. Each frame gets the decision of the latest completed window (0 before the first).
///
/// sherpa-onnx's C API does not expose the model's probability, only whether its detector is in
/// speech, so the probability is 1 or 0. The detector compares the probability with `threshold`
/// (the scenario's `pipeline.vad.threshold`), enters speech on the second window in a row above it
/// and leaves on the second window in a row below `threshold − 0.15` (its own hysteresis, with
/// the shortest durations its config accepts); the pipeline's `start_ms`/`stop_ms` come on top.
///
/// Deterministic: one intra-op thread on the CPU, and the detector's state (the model's recurrent
/// state and the hysteresis) lives in this instance only, so the same audio gives the same values.
public final class SileroVAD: VoiceActivityModel {
    /// Samples the model advances per window at 16 kHz.
    public static let windowSamples = 512
    /// Samples of context the model sees before each window.
    public static let contextSamples = 64
    /// The one sample rate the model runs at here.
    public static let sampleRate = 16000
    /// The message when the library or model is missing.
    public static let missingMessage = "silero VAD needs sherpa-onnx and the Silero model: run `make engines`"

    /// The functions used from `libsherpa-onnx-c-api.so`.
    private struct API {
        let create: SherpaOnnxCreateVoiceActivityDetectorFn
        let destroy: SherpaOnnxDestroyVoiceActivityDetectorFn
        let accept: SherpaOnnxVoiceActivityDetectorAcceptWaveformFn
        let detected: SherpaOnnxVoiceActivityDetectorDetectedFn
        let flush: SherpaOnnxVoiceActivityDetectorFlushFn
        let clear: SherpaOnnxVoiceActivityDetectorClearFn
    }

    private let api: API
    private let detector: OpaquePointer
    private var pending: [Float] = []
    private var windowsRun = 0
    private var inSpeech = false

    /// Loads the detector. `directory` holds `lib/libsherpa-onnx-c-api.so` (with
    /// `libonnxruntime.so` beside it) and `models/silero_vad.onnx`; nil: `EngineInstall.directory`.
    /// Throws `EngineError.engineUnavailable` when a file is missing or the rate is not 16 kHz.
    public init(threshold: Double = 0.5, sampleRate: Int = 16000, directory: String? = nil) throws {
        guard sampleRate == Self.sampleRate else {
            throw EngineError.engineUnavailable("silero VAD runs on 16 kHz audio: set audio.sample_rate to 16000 (not \(sampleRate))")
        }
        guard let root = directory ?? EngineInstall.directory else { throw EngineError.engineUnavailable(Self.missingMessage) }
        let model = root + "/models/silero_vad.onnx"
        guard FileManager.default.isReadableFile(atPath: model) else { throw EngineError.engineUnavailable(Self.missingMessage) }
        let library = try DynamicLibrary.open([root + "/lib/libsherpa-onnx-c-api.so"], missing: Self.missingMessage)
        let api = API(
            create: try library.function("SherpaOnnxCreateVoiceActivityDetector"),
            destroy: try library.function("SherpaOnnxDestroyVoiceActivityDetector"),
            accept: try library.function("SherpaOnnxVoiceActivityDetectorAcceptWaveform"),
            detected: try library.function("SherpaOnnxVoiceActivityDetectorDetected"),
            flush: try library.function("SherpaOnnxVoiceActivityDetectorFlush"),
            clear: try library.function("SherpaOnnxVoiceActivityDetectorClear"))
        let made: OpaquePointer? = model.withCString { modelPath in
            "cpu".withCString { provider in
                var config = SherpaOnnxVadModelConfig()
                config.silero_vad.model = modelPath
                config.silero_vad.threshold = Float(min(max(threshold, 0.01), 0.99))
                // The shortest durations sherpa-onnx accepts (0 means "default" to it).
                config.silero_vad.min_silence_duration = 0.001
                config.silero_vad.min_speech_duration = 0.001
                config.silero_vad.window_size = Int32(Self.windowSamples)
                // Never reached: the buffer is flushed after every window (see `run`).
                config.silero_vad.max_speech_duration = 3600
                config.sample_rate = Int32(Self.sampleRate)
                config.num_threads = 1
                config.provider = provider
                config.debug = 0
                return api.create(&config, 5)
            }
        }
        self.api = api
        guard let made else {
            throw EngineError.engineUnavailable("silero VAD could not load \(model) (a damaged download? run `make engines` again)")
        }
        detector = made
    }

    deinit { api.destroy(detector) }

    /// Windows the model has run so far.
    public var windowCount: Int { windowsRun }

    /// 1 when the detector is in speech after the latest completed window, else 0.
    public func probability(of frame: [Int16]) throws -> Double {
        pending.reserveCapacity(pending.count + frame.count)
        for s in frame { pending.append(Float(s) / 32768) }
        var needed = windowsRun == 0 ? Self.windowSamples + Self.contextSamples : Self.windowSamples
        while pending.count >= needed {
            run(Array(pending[0..<needed]))
            pending.removeFirst(needed)
            needed = Self.windowSamples
        }
        return inSpeech ? 1 : 0
    }

    /// Feeds exactly one window (sherpa-onnx keeps the 64-sample context itself) and reads the
    /// decision. Flushing and clearing after each window keeps the detector's segment buffer from
    /// growing with long speech, and leaves `Detected` meaning "this window is speech".
    private func run(_ window: [Float]) {
        window.withUnsafeBufferPointer { api.accept(detector, $0.baseAddress, Int32($0.count)) }
        inSpeech = api.detected(detector) != 0
        api.flush(detector)
        api.clear(detector)
        windowsRun += 1
    }
}
