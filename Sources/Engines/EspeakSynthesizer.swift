import CEspeak
import Core
import Foundation

/// Speech synthesis with espeak-ng (C API, synchronous mode), with word timings.
///
/// espeak-ng keeps state between syntheses that no API call resets, so the same text sounds
/// different depending on what was said before (DESIGN.md §1). Every synthesis here therefore runs
/// in a freshly forked child process that initializes the library, sets the voice and every
/// parameter, synthesizes once and exits (see `CEspeak/shim.h`): the samples for a text are those
/// of the first synthesis in a new process, whatever this process did before. One process-wide lock
/// serializes the children, and a process-wide cache keyed by (voice, text, sample rate) means a
/// text is synthesized once; any number of instances share both.
///
/// Output: mono samples at the requested rate (resampled from espeak-ng's native 22050 Hz), with
/// silence before the first and after the last sound trimmed to `marginMs`, and one `WordTiming`
/// per whitespace-separated word of the text, punctuation attached as written. A word runs from
/// its first to its last non-silent sample before the next word starts, so pauses (at commas, in
/// stop closures between words) belong to no word. A word espeak-ng does not speak (a lone "—")
/// gets an empty range where the previous word ended.
public final class EspeakSynthesizer: SpeechSynthesizer {
    /// Silence kept before the first and after the last sound of an utterance.
    public static let marginMs = 5
    /// Whether this instance reads and fills the process-wide cache (tests turn it off).
    public let usesCache: Bool
    /// Syntheses this instance ran in espeak-ng (cache hits do not count).
    public private(set) var synthesisCount = 0

    /// Creates a synthesizer; cheap (espeak-ng is loaded in each synthesis' child process).
    public init(usesCache: Bool = true) {
        self.usesCache = usesCache
    }

    /// Synthesizes `text` with espeak-ng voice `voice` (e.g. `en-us`) at `sampleRate` Hz.
    public func synthesize(_ text: String, voice: String, sampleRate: Int) throws -> SynthesizedSpeech {
        precondition(sampleRate > 0, "sample rate must be positive, not \(sampleRate)")
        let key = EspeakLibrary.Key(voice: voice, text: text, sampleRate: sampleRate)
        return try EspeakLibrary.shared.withLock {
            if usesCache, let cached = $0.cached(key) { return cached }
            let speech = try Self.render(text, voice: voice, sampleRate: sampleRate, library: &$0)
            synthesisCount += 1
            if usesCache { $0.store(speech, for: key) }
            return speech
        }
    }

    /// Runs espeak-ng, then trims, times and resamples its output.
    private static func render(_ written: String, voice: String, sampleRate: Int, library: inout EspeakLibrary.State) throws -> SynthesizedSpeech {
        // C strings end at NUL; a space keeps every other character at its position.
        let text = written.replacingOccurrences(of: "\0", with: " ")
        let spans = WordSpan.split(text)
        if spans.isEmpty { return SynthesizedSpeech(samples: [], words: []) }
        guard !voice.isEmpty, !voice.contains("\0") else { throw EngineError.voiceNotFound(voice) }
        let run = try EspeakChild.synthesize(text, voice: voice)
        let native = WordAligner(samples: run.samples, sampleRate: run.sampleRate)
        let ranges = native.wordRanges(spans: spans, events: run.events)
        let clip = native.clipRange(marginMs: marginMs)
        let resampler = library.resampler(from: run.sampleRate, to: sampleRate)
        let samples = resampler.resample(Array(run.samples[clip]))
        var words: [WordTiming] = []
        var previousEnd = 0
        for (span, range) in zip(spans, ranges) {
            let clamp = { (i: Int) in min(max(i - clip.lowerBound, 0), clip.count) }
            var start = resampler.outputIndex(ofInputIndex: clamp(range.lowerBound))
            var end = resampler.outputIndex(ofInputIndex: clamp(range.upperBound))
            start = min(max(start, previousEnd), samples.count)
            end = min(max(end, start), samples.count)
            words.append(WordTiming(text: span.text, startSample: start, endSample: end))
            previousEnd = end
        }
        return SynthesizedSpeech(samples: samples, words: words)
    }
}

/// The process-wide state behind every `EspeakSynthesizer`: the lock, the cache, the resamplers.
final class EspeakLibrary: @unchecked Sendable {
    static let shared = EspeakLibrary()

    /// What the cache is keyed by.
    struct Key: Hashable {
        var voice: String
        var text: String
        var sampleRate: Int
    }

    /// Everything the lock guards.
    struct State {
        /// Keep at most this many samples cached (about 64 MB).
        static let cacheBudgetSamples = 32 * 1024 * 1024
        var entries: [Key: (speech: SynthesizedSpeech, lastUse: Int)] = [:]
        var cachedSamples = 0
        var useClock = 0
        var resamplers: [Int: Resampler] = [:]

        mutating func cached(_ key: Key) -> SynthesizedSpeech? {
            guard let entry = entries[key] else { return nil }
            useClock += 1
            entries[key]?.lastUse = useClock
            return entry.speech
        }

        mutating func store(_ speech: SynthesizedSpeech, for key: Key) {
            useClock += 1
            if let old = entries[key] { cachedSamples -= old.speech.samples.count }
            entries[key] = (speech, useClock)
            cachedSamples += speech.samples.count
            // Evict least recently used clips; the newest one always stays.
            while cachedSamples > Self.cacheBudgetSamples, entries.count > 1,
                let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                cachedSamples -= oldest.value.speech.samples.count
                entries[oldest.key] = nil
            }
        }

        mutating func resampler(from: Int, to: Int) -> Resampler {
            let key = from << 32 | to
            if let existing = resamplers[key] { return existing }
            let made = Resampler(from: from, to: to)
            resamplers[key] = made
            return made
        }
    }

    private let lock = NSLock()
    private var state = State()

    func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}

/// A whitespace-separated word of the input and where it lies, in Unicode scalars (as espeak-ng
/// counts text positions).
struct WordSpan: Equatable {
    var text: String
    var scalarStart: Int
    var scalarEnd: Int

    /// The words of `text`, split at whitespace characters (as `Scenario`'s word lists are).
    static func split(_ text: String) -> [WordSpan] {
        var spans: [WordSpan] = []
        var current = ""
        var start = 0
        var offset = 0
        for character in text {
            if character.isWhitespace {
                if !current.isEmpty { spans.append(WordSpan(text: current, scalarStart: start, scalarEnd: offset)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.append(character)
            }
            offset += character.unicodeScalars.count
        }
        if !current.isEmpty { spans.append(WordSpan(text: current, scalarStart: start, scalarEnd: offset)) }
        return spans
    }
}

/// Finds words and the utterance inside espeak-ng's output from its word events and its silences.
///
/// espeak-ng writes exact zeros for pauses and stop closures; "sound" is any sample louder than
/// 1% of the utterance's peak, so quiet tails of fricatives still count as the word.
struct WordAligner {
    let samples: [Int16]
    let sampleRate: Int
    let threshold: Int

    init(samples: [Int16], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
        let peak = samples.reduce(0) { max($0, abs(Int($1))) }
        threshold = max(16, peak / 100)
    }

    private func isSound(_ index: Int) -> Bool { abs(Int(samples[index])) > threshold }

    /// The span of sound plus `marginMs` of silence each side (empty if there is no sound).
    func clipRange(marginMs: Int) -> Range<Int> {
        guard let first = samples.indices.first(where: isSound), let last = samples.indices.last(where: isSound) else {
            return 0..<0
        }
        let margin = marginMs * sampleRate / 1000
        return max(0, first - margin)..<min(samples.count, last + 1 + margin)
    }

    /// One sample range per span: from the first to past the last sound between the word's first
    /// event and the next word's first event.
    func wordRanges(spans: [WordSpan], events: [EspeakChild.WordEvent]) -> [Range<Int>] {
        var onsets = [Int?](repeating: nil, count: spans.count)
        var word = 0
        var lastOnset = 0
        for event in events {
            // Events come in text order; one that points into whitespace belongs to the next word.
            while word < spans.count && spans[word].scalarEnd <= event.scalarIndex { word += 1 }
            guard word < spans.count else { break }
            if onsets[word] == nil {
                lastOnset = min(max(event.sample, lastOnset), samples.count)
                onsets[word] = lastOnset
            }
        }
        var ranges: [Range<Int>] = []
        var previousEnd = 0
        for index in spans.indices {
            guard let onset = onsets[index] else {
                ranges.append(previousEnd..<previousEnd)
                continue
            }
            let bound = onsets[(index + 1)...].lazy.compactMap { $0 }.first ?? samples.count
            let start = (onset..<bound).first(where: isSound) ?? onset
            let end = (start..<bound).last(where: isSound).map { $0 + 1 } ?? start
            ranges.append(start..<end)
            previousEnd = end
        }
        return ranges
    }
}

/// One synthesis in a forked child process (see `CEspeak/shim.h` for why and for the wire format).
enum EspeakChild {
    /// An `espeakEVENT_WORD`: where the word starts in the text and in the samples.
    struct WordEvent: Equatable {
        /// 0-based Unicode scalar index into the text.
        var scalarIndex: Int
        /// First sample of the word at the native rate.
        var sample: Int
    }

    /// What the child sent back.
    struct Run {
        var samples: [Int16]
        var sampleRate: Int
        var events: [WordEvent]
    }

    /// A reply shorter than its header announced: the child died mid-way.
    private struct Truncated: Error {}

    /// Forks a child, reads its reply and reaps it. Call with `EspeakLibrary`'s lock held.
    static func synthesize(_ text: String, voice: String) throws -> Run {
        var fd: Int32 = -1
        let pid = voice.withCString { v in text.withCString { t in cespeak_spawn_synthesis(v, t, &fd) } }
        guard pid > 0 else {
            throw EngineError.synthesisFailed(text: text, reason: "cannot start a child process: \(String(cString: strerror(errno)))")
        }
        let reply = Result { try readReply(fd: fd, text: text, voice: voice) }
        close(fd)  // before waiting: a child still writing gets EPIPE and exits
        let status = reap(pid)
        do {
            return try reply.get()
        } catch is Truncated {
            throw EngineError.synthesisFailed(text: text, reason: "espeak-ng's process ended early (\(status))")
        }
    }

    private static func readReply(fd: Int32, text: String, voice: String) throws -> Run {
        var header = [Int32](repeating: 0, count: CESPEAK_HEADER_INTS)
        try header.withUnsafeMutableBytes { try readExactly(fd, into: $0) }
        let (status, rate, sampleCount, wordCount, messageBytes) = (header[0], Int(header[1]), Int(header[2]), Int(header[3]), Int(header[4]))
        guard (0..<(1 << 28)).contains(sampleCount), (0..<(1 << 20)).contains(wordCount), (0..<4096).contains(messageBytes) else {
            throw EngineError.synthesisFailed(text: text, reason: "malformed reply from espeak-ng's process")
        }
        var messageData = [UInt8](repeating: 0, count: messageBytes)
        try messageData.withUnsafeMutableBytes { try readExactly(fd, into: $0) }
        let message = String(decoding: messageData, as: UTF8.self)
        switch Int(status) {
        case CESPEAK_OK: break
        case CESPEAK_INIT_FAILED: throw EngineError.synthesizerUnavailable(message)
        case CESPEAK_VOICE_NOT_FOUND: throw EngineError.voiceNotFound(voice)
        default: throw EngineError.synthesisFailed(text: text, reason: message)
        }
        var samples = [Int16](repeating: 0, count: sampleCount)
        try samples.withUnsafeMutableBytes { try readExactly(fd, into: $0) }
        var words = [cespeak_word](repeating: cespeak_word(), count: wordCount)
        try words.withUnsafeMutableBytes { try readExactly(fd, into: $0) }
        let events = words.map { WordEvent(scalarIndex: Int($0.text_position) - 1, sample: Int($0.sample)) }
        guard rate > 0 else { throw EngineError.synthesizerUnavailable("espeak-ng reported a sample rate of \(rate)") }
        return Run(samples: samples, sampleRate: rate, events: events)
    }

    private static func readExactly(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let got = read(fd, buffer.baseAddress! + done, buffer.count - done)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw Truncated() }
            done += got
        }
    }

    /// Waits for the child and describes how it ended.
    private static func reap(_ pid: pid_t) -> String {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return "not waitable: \(String(cString: strerror(errno)))" }
        }
        let signal = status & 0x7F
        return signal == 0 ? "exit status \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
    }
}
