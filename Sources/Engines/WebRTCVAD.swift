import CWebRTCShim
import Core

/// WebRTC's voice activity detector (the GMM detector behind `AudioProcessing::voice_detection()`
/// of Debian's libwebrtc-audio-processing 0.3), through the C API of `Sources/CWebRTCShim`, which
/// opens the library at run time.
///
/// WebRTC decides on 10 ms chunks; a frame's probability is the fraction of its chunks it called
/// voice (0, 0.5 or 1 for 20 ms frames). `likelihood` is WebRTC's own knob: 0 (very low, the VAD's
/// most aggressive mode 3) declares voice least often, 3 (high, mode 0) clips the least speech.
/// The default is 0: on espeak-ng speech every likelihood takes every frame inside a word, while on
/// white noise at −30 dBFS likelihood 0 says voice for 2% of frames against 14–38% for the others.
/// (At −20 dBFS white noise is voice to WebRTC at any likelihood; Silero says no.)
///
/// Deterministic: WebRTC's VAD is fixed-point arithmetic with state kept in this instance only.
/// Rates: 8, 16 and 48 kHz (24 kHz is not one WebRTC's audio processing module accepts).
public final class WebRTCVAD: VoiceActivityModel {
    /// The message when the library is missing.
    public static let missingMessage = "webrtc VAD (libwebrtc-audio-processing) is not installed: run `make engines`"
    /// The library opened when none is named.
    public static let defaultLibrary = "libwebrtc_audio_processing.so.1"

    /// Samples per 10 ms chunk.
    public let chunkSamples: Int
    private let handle: OpaquePointer

    /// Creates a detector for audio at `sampleRate`. `library`: the shared object to open.
    /// Throws `EngineError.engineUnavailable` when it is missing or does not take this rate.
    public init(sampleRate: Int = 16000, likelihood: Int = 0, library: String = WebRTCVAD.defaultLibrary) throws {
        guard [8000, 16000, 32000, 48000].contains(sampleRate) else {
            throw EngineError.engineUnavailable("webrtc VAD runs on 8, 16, 32 or 48 kHz audio, not \(sampleRate) Hz (audio.sample_rate)")
        }
        precondition((0...3).contains(likelihood), "WebRTC likelihood is 0...3, not \(likelihood)")
        chunkSamples = sampleRate / 100
        var missing: Int32 = 0
        var message = [CChar](repeating: 0, count: 512)
        let made = message.withUnsafeMutableBufferPointer {
            cwebrtc_vad_create(library, Int32(sampleRate), Int32(likelihood), &missing, $0.baseAddress, $0.count)
        }
        guard let made else {
            if missing == 1 { throw EngineError.engineUnavailable(Self.missingMessage) }
            if missing == 2 {
                throw EngineError.engineUnavailable("webrtc VAD was built without libwebrtc-audio-processing-dev: run `make engines`, then rebuild")
            }
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw EngineError.engineUnavailable("webrtc VAD cannot start: \(reason)")
        }
        handle = made
    }

    deinit { cwebrtc_vad_destroy(handle) }

    /// The fraction of the frame's 10 ms chunks WebRTC called voice.
    public func probability(of frame: [Int16]) throws -> Double {
        precondition(frame.count % chunkSamples == 0 && !frame.isEmpty,
                     "webrtc VAD frames are whole 10 ms chunks of \(chunkSamples) samples, got \(frame.count)")
        var voiced = 0
        let chunks = frame.count / chunkSamples
        try frame.withUnsafeBufferPointer { all in
            for c in 0..<chunks {
                let rc = cwebrtc_vad_process(handle, all.baseAddress! + c * chunkSamples, chunkSamples)
                guard rc >= 0 else { throw EngineError.engineFailed(engine: "webrtc VAD", reason: "ProcessStream error \(rc)") }
                voiced += Int(rc)
            }
        }
        return Double(voiced) / Double(chunks)
    }
}
