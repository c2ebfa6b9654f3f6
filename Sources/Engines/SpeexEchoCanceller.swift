import Core
import Foundation

/// Acoustic echo cancellation with libspeexdsp (Debian `libspeexdsp1`, opened at run time): an
/// adaptive filter (speex's MDF) learns the speaker-to-mic path from the bot's playback and
/// subtracts the echo it predicts, speexdsp's preprocessor suppresses the residual echo, and an
/// `EchoPostFilter` covers the filter's cold start and keeps the line's background noise steady.
///
/// Alignment: like WebRTC's `set_stream_delay_ms`, the canceller is told the device's playback to
/// capture latency and holds the playback reference back by it (`referenceDelayMs`, the factory's
/// `pipeline.echo.delay_ms` minus a 20 ms margin), so the filter only models the path around it.
/// A short filter matters: speex trusts its filter, and turns its residual suppressor on, only
/// after about four filter lengths of playback.
///
/// Blocks: speex runs on 10 ms blocks (every frame length is a multiple), its state adapting to
/// everything it has seen, so one instance serves one session's stream. speexdsp is floating
/// point here, single-threaded and free of randomness: the same frames give the same output.
public final class SpeexEchoCanceller: EchoCanceller {
    /// Tunables of the canceller.
    public struct Settings: Hashable, Sendable {
        /// Adaptive filter length (the echo path it can model after the reference delay), in ms.
        public var filterMs: Int
        /// How far the playback reference is held back before the filter sees it, in ms.
        public var referenceDelayMs: Int
        /// Run speexdsp's preprocessor on the output to suppress residual echo.
        public var residualSuppression = true
        /// Residual echo suppression while the caller is silent, in dB (negative).
        public var echoSuppressDb = -45
        /// Residual echo suppression during double talk, in dB (negative).
        public var echoSuppressActiveDb = -15
        /// The preprocessor's noise suppression, in dB (negative; small, to leave the caller alone;
        /// speex's echo suppressor runs inside its denoiser, which therefore stays on).
        public var noiseSuppressDb = -3
        /// Attenuation of echo-only blocks during the filter's warm-up, in dB (0: no warm-up gate).
        public var warmupSuppressDb = -30.0
        /// Playback after which the warm-up gate retires, in ms. speex counts its filter as adapted
        /// after about 4 × `filterMs`, but on the bundled scenarios its echo return loss keeps
        /// improving for about two seconds of speech (a −6 dB echo still leaks through at 1.2 s).
        public var warmupMs = 2000

        /// Settings for a filter of `filterMs` with the reference held back `referenceDelayMs`.
        public init(filterMs: Int, referenceDelayMs: Int = 0) {
            self.filterMs = filterMs
            self.referenceDelayMs = referenceDelayMs
        }

        /// The settings for an echo `delayMs` behind the playback: the reference held back
        /// `delayMs − 20` (a margin for a latency estimate that is slightly off), and a 80 ms filter
        /// spanning the echo from 20 ms early to 60 ms late.
        public static func forEchoDelay(ms delayMs: Int) -> Settings {
            Settings(filterMs: 80, referenceDelayMs: max(0, delayMs - 20))
        }
    }

    /// The message when libspeexdsp is missing.
    public static let missingMessage = "speex echo canceller (libspeexdsp) is not installed: run `make engines`"

    /// Samples in one frame (every call takes exactly this many).
    public let samplesPerFrame: Int
    /// Samples speex works on at a time (10 ms, or the frame when it is not a multiple of 10 ms).
    public let blockSamples: Int
    /// The settings in force.
    public let settings: Settings

    private let speex: SpeexAPI
    private let echoState: OpaquePointer
    private let preprocessState: OpaquePointer?
    private var postFilter: EchoPostFilter
    private var output: [Int16]
    /// Playback not yet given to the filter (the reference delay), oldest first.
    private var reference: [Int16]

    /// Creates a canceller for frames of `samplesPerFrame` at `sampleRate`. `library`: the
    /// libspeexdsp to open (nil: the system's). Throws `EngineError.engineUnavailable` when missing.
    public init(samplesPerFrame: Int, sampleRate: Int, settings: Settings, library: String? = nil) throws {
        precondition(samplesPerFrame > 0 && sampleRate > 0 && settings.filterMs > 0 && settings.referenceDelayMs >= 0, "bad speex settings")
        self.samplesPerFrame = samplesPerFrame
        self.settings = settings
        let block = sampleRate / 100
        blockSamples = samplesPerFrame % block == 0 ? block : samplesPerFrame
        let speex = try SpeexAPI.load(library: library, missing: Self.missingMessage)
        self.speex = speex
        let filterSamples = Int32(settings.filterMs * sampleRate / 1000)
        guard let echo = speex.echoInit(Int32(blockSamples), filterSamples) else {
            throw EngineError.engineFailed(engine: "speex echo canceller", reason: "speex_echo_state_init refused block \(blockSamples), filter \(filterSamples)")
        }
        echoState = echo
        var rate = Int32(sampleRate)
        _ = speex.echoCtl(echo, SpeexAPI.echoSetSamplingRate, &rate)
        if settings.residualSuppression {
            guard let pre = speex.preprocessInit(Int32(blockSamples), Int32(sampleRate)) else {
                speex.echoDestroy(echo)
                throw EngineError.engineFailed(engine: "speex echo canceller", reason: "speex_preprocess_state_init failed")
            }
            preprocessState = pre
            var on: Int32 = 1
            var noise = Int32(settings.noiseSuppressDb)
            var echoSuppress = Int32(settings.echoSuppressDb)
            var echoActive = Int32(settings.echoSuppressActiveDb)
            _ = speex.preprocessCtl(pre, SpeexAPI.preprocessSetDenoise, &on)
            _ = speex.preprocessCtl(pre, SpeexAPI.preprocessSetNoiseSuppress, &noise)
            _ = speex.preprocessCtl(pre, SpeexAPI.preprocessSetEchoSuppress, &echoSuppress)
            _ = speex.preprocessCtl(pre, SpeexAPI.preprocessSetEchoSuppressActive, &echoActive)
            _ = speex.preprocessCtl(pre, SpeexAPI.preprocessSetEchoState, UnsafeMutableRawPointer(echo))
        } else {
            preprocessState = nil
        }
        let blockMs = max(1, blockSamples * 1000 / sampleRate)
        postFilter = EchoPostFilter(
            spanBlocks: (settings.filterMs + blockMs - 1) / blockMs + 1,
            warmupBlocks: settings.warmupMs / blockMs, suppressDb: settings.warmupSuppressDb)
        output = [Int16](repeating: 0, count: samplesPerFrame)
        reference = [Int16](repeating: 0, count: settings.referenceDelayMs * sampleRate / 1000)
    }

    deinit {
        // The preprocessor points at the echo state: free it first.
        if let preprocessState { speex.preprocessDestroy(preprocessState) }
        speex.echoDestroy(echoState)
    }

    /// The mic frame with the echo of `playback` (what the bot played during the same frame) removed.
    public func cancel(mic: [Int16], playback: [Int16]) throws -> [Int16] {
        precondition(mic.count == samplesPerFrame && playback.count == samplesPerFrame,
                     "speex frames are \(samplesPerFrame) samples, got mic \(mic.count), playback \(playback.count)")
        reference += playback
        let delayed = Array(reference[0..<samplesPerFrame])
        reference.removeFirst(samplesPerFrame)
        let n = blockSamples
        mic.withUnsafeBufferPointer { m in
            delayed.withUnsafeBufferPointer { p in
                output.withUnsafeMutableBufferPointer { o in
                    for start in stride(from: 0, to: samplesPerFrame, by: n) {
                        speex.cancellation(echoState, m.baseAddress! + start, p.baseAddress! + start, o.baseAddress! + start)
                        if let preprocessState { _ = speex.preprocessRun(preprocessState, o.baseAddress! + start) }
                        postFilter.process(
                            reference: UnsafeBufferPointer(rebasing: p[start..<(start + n)]),
                            mic: UnsafeBufferPointer(rebasing: m[start..<(start + n)]),
                            output: UnsafeMutableBufferPointer(rebasing: o[start..<(start + n)]))
                    }
                }
            }
        }
        return output
    }
}
