import Core
import Foundation

/// Real streaming speech recognition with CMU pocketsphinx (Debian `libpocketsphinx3`
/// 0.8+5prealpha, opened at run time, with the `pocketsphinx-en-us` model), fed the mic audio one
/// frame at a time.
///
/// Segmentation: pocketsphinx's own voice activity detector. One utterance is open at a time
/// (`ps_start_utt`); every frame goes through `ps_process_raw`; while `ps_get_in_speech` says
/// speech, the hypothesis (`ps_get_hyp`) is read after each frame and a partial is emitted when it
/// changed; when `ps_get_in_speech` falls back to silence, `ps_end_utt` closes the utterance and its
/// hypothesis is the segment's final (an utterance that never produced a word emits nothing and
/// uses no segment number). The detector ends speech after `endSilenceMs` of silence
/// (`-vad_postspeech`; the factory passes `pipeline.stt.segment_pause_ms`) and keeps 200 ms before
/// the onset (`-vad_prespeech`).
///
/// Time: compute time is declared, never measured. A partial read after the frame ending at `t`
/// covers the audio up to `t` (`audioEnd`) and arrives at `t + rtf × (audio processed since the
/// utterance started)`, where the utterance starts 200 ms (the prespeech) before the detector's
/// onset: pocketsphinx searches only the speech it detected, so that is the audio it has worked on.
/// Partials therefore move forward in time. A final is decided at the frame ending at `t` where the
/// detector closes the utterance and arrives at the same `t + rtf × …`; its `audioEnd` is where the
/// speech ended as the detector heard it (`endSilenceMs` before `t`, never before an earlier
/// result's), which is what the session's STT lag is measured against.
///
/// Determinism: pocketsphinx adapts as it goes (cepstral mean normalization carries over from one
/// utterance to the next; DESIGN.md §1), so one decoder serves exactly one session, created fresh
/// with a fixed configuration (no dither, so no random numbers); the same frames in the same order
/// give the same results.
public final class PocketsphinxRecognizer: StreamingRecognizer {
    /// Tunables of the recognizer.
    public struct Settings: Hashable, Sendable {
        /// Declared real-time factor: compute time is `rtf` × the audio processed.
        public var rtf = 0.3
        /// Silence that ends an utterance (pocketsphinx's `-vad_postspeech`, in 10 ms frames).
        public var endSilenceMs = 400
        /// The model folder (holding `en-us/`, `en-us.lm.bin`, `cmudict-en-us.dict`).
        public var modelDirectory = EngineInstall.pocketsphinxModel
        /// The libpocketsphinx to open (nil: the system's).
        public var library: String?

        /// The defaults.
        public init() {}
    }

    /// The message when the library or model is missing.
    public static let missingMessage = "pocketsphinx is not installed: run `make engines`"
    /// The one sample rate the en-us model takes.
    public static let sampleRate = 16000
    /// Audio kept before the detector's speech onset (`-vad_prespeech`, 20 frames of 10 ms).
    public static let prespeech = SimDuration.milliseconds(200)

    /// The settings in force.
    public let settings: Settings
    private let api: PocketsphinxAPI
    private let decoder: OpaquePointer
    private var segment = 0
    private var utteranceOpen = false
    private var speechSeen = false
    private var utteranceStart = SimInstant.zero
    private var lastText = ""
    private var emittedInUtterance = false
    private var lastAt = SimInstant.zero
    private var lastAudioEnd = SimInstant.zero

    /// Loads the model and starts listening. Throws `EngineError.engineUnavailable` when the
    /// library or model is missing or the audio is not 16 kHz.
    public init(sampleRate: Int = 16000, settings: Settings = Settings()) throws {
        guard sampleRate == Self.sampleRate else {
            throw EngineError.engineUnavailable("pocketsphinx's en-us model takes 16 kHz audio: set audio.sample_rate to 16000 (not \(sampleRate))")
        }
        precondition(settings.rtf >= 0 && settings.endSilenceMs >= 10, "bad pocketsphinx settings")
        self.settings = settings
        let dir = settings.modelDirectory
        let files = [dir + "/en-us/mdef", dir + "/en-us.lm.bin", dir + "/cmudict-en-us.dict"]
        guard files.allSatisfy({ FileManager.default.isReadableFile(atPath: $0) }) else {
            throw EngineError.engineUnavailable(Self.missingMessage)
        }
        api = try PocketsphinxAPI.load(library: settings.library, missing: Self.missingMessage)
        let arguments = [
            "-hmm", dir + "/en-us", "-lm", dir + "/en-us.lm.bin", "-dict", dir + "/cmudict-en-us.dict",
            "-samprate", "16000", "-dither", "no",
            "-vad_prespeech", "20", "-vad_postspeech", String(max(1, settings.endSilenceMs / 10)),
        ]
        guard let made = api.makeDecoder(arguments) else {
            throw EngineError.engineUnavailable("pocketsphinx could not load its model from \(dir) (reinstall pocketsphinx-en-us: run `make engines`)")
        }
        decoder = made
    }

    deinit {
        if utteranceOpen { _ = api.endUtterance(decoder) }
        _ = api.freeDecoder(decoder)
    }

    /// Feeds the frame that ended at `end`; returns the partials and the final it produced.
    public func accept(_ frame: [Int16], end: SimInstant) throws -> [RecognizerResult] {
        if !utteranceOpen {
            guard api.startUtterance(decoder) >= 0 else { throw failure("ps_start_utt") }
            utteranceOpen = true
            speechSeen = false
            lastText = ""
            emittedInUtterance = false
        }
        let searched = frame.withUnsafeBufferPointer { api.processRaw(decoder, $0.baseAddress, $0.count, 0, 0) }
        guard searched >= 0 else { throw failure("ps_process_raw") }
        let inSpeech = api.inSpeech(decoder) != 0
        var results: [RecognizerResult] = []
        if inSpeech, !speechSeen {
            speechSeen = true
            let frameStart = end - SimDuration(microseconds: Int64(frame.count) * 1_000_000 / Int64(Self.sampleRate))
            utteranceStart = max(frameStart - Self.prespeech, .zero)
        }
        if inSpeech {
            let text = api.hypothesis(decoder)
            if text != lastText, !text.isEmpty {
                lastText = text
                emittedInUtterance = true
                results.append(result(text, isFinal: false, end: end))
            }
        } else if speechSeen {
            guard api.endUtterance(decoder) >= 0 else { throw failure("ps_end_utt") }
            utteranceOpen = false
            let text = api.hypothesis(decoder)
            if emittedInUtterance || !text.isEmpty {
                let speechEnd = max(end - .milliseconds(settings.endSilenceMs), utteranceStart, lastAudioEnd)
                results.append(result(text, isFinal: true, end: end, audioEnd: speechEnd))
                segment += 1
            }
        }
        return results
    }

    /// A result decided after the frame ending at `end`, covering the audio up to `audioEnd`.
    private func result(_ text: String, isFinal: Bool, end: SimInstant, audioEnd: SimInstant? = nil) -> RecognizerResult {
        let processed = Double((end - utteranceStart).microseconds)
        var at = end + SimDuration(microseconds: Int64((settings.rtf * processed).rounded()))
        at = max(at, lastAt)  // one decoder: results leave in order
        lastAt = at
        lastAudioEnd = audioEnd ?? end
        return RecognizerResult(text: text, isFinal: isFinal, segment: segment, audioEnd: lastAudioEnd, at: at)
    }

    private func failure(_ call: String) -> EngineError {
        .engineFailed(engine: "pocketsphinx", reason: "\(call) failed")
    }
}
