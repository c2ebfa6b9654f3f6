import DequeModule

/// Plays the bot's audio frame by frame, fades out when stopped, and knows which words were heard.
public struct PlayoutStateMachine: Sendable {
    /// What playout reports.
    public enum Action: Equatable, Sendable {
        /// The first audible frame of reply `turn` starts now.
        case started(turn: Int)
        /// Reply `turn` finished playing (`interrupted` false) or was cut (`true`); `heard` is what the user heard.
        case stopped(turn: Int, interrupted: Bool, heard: String)
    }

    private enum State: Sendable {
        case idle
        case buffering(turn: Int)
        case playing(turn: Int)
        case fading(turn: Int)
    }

    private let samplesPerFrame: Int
    private let fadeSamples: Int
    private var state = State.idle
    private var buffer = Deque<Int16>()
    private var words: [WordTiming] = []
    private var played = 0
    private var synthesisDone = false

    /// Creates playout for frames of `samplesPerFrame` and a fade-out of `fadeSamples`.
    public init(samplesPerFrame: Int, fadeSamples: Int) {
        self.samplesPerFrame = samplesPerFrame
        self.fadeSamples = fadeSamples
    }

    /// Whether a reply is audible now (between `started` and `stopped`).
    public var isPlaying: Bool {
        switch state {
        case .playing, .fading: return true
        default: return false
        }
    }

    /// The turn whose reply is queued or playing.
    public var activeTurn: Int? {
        switch state {
        case .idle: return nil
        case .buffering(let t), .playing(let t), .fading(let t): return t
        }
    }

    /// A new reply for `turn` begins; `words` are its word timings within the reply's audio.
    public mutating func replyBegan(turn: Int, words: [WordTiming]) {
        state = .buffering(turn: turn)
        buffer.removeAll()
        self.words = words
        played = 0
        synthesisDone = false
    }

    /// More of the current reply's words are known (a reply synthesized piece by piece).
    public mutating func wordsKnown(_ words: [WordTiming]) {
        if case .idle = state { return }
        self.words = words
    }

    /// Audio for the current reply arrived.
    public mutating func chunkArrived(_ samples: ArraySlice<Int16>) {
        if case .idle = state { return }
        buffer.append(contentsOf: samples)
    }

    /// TTS has sent everything for the current reply.
    public mutating func synthesisFinished() { synthesisDone = true }

    /// Words whose audio has completely played.
    public var heardText: String {
        words.filter { $0.endSample <= played }.map(\.text).joined(separator: " ")
    }

    /// Stop now (barge-in or cancellation): a playing reply fades out over the next frame; a buffering one just stops.
    public mutating func stopRequested() -> [Action] {
        switch state {
        case .playing(let turn):
            state = .fading(turn: turn)
            return []
        case .buffering(let turn):
            state = .idle
            buffer.removeAll()
            return [.stopped(turn: turn, interrupted: true, heard: "")]
        case .idle, .fading:
            return []
        }
    }

    /// The next frame to play, starting now, and any transitions.
    public mutating func nextFrame() -> (samples: [Int16], actions: [Action]) {
        var out = [Int16](repeating: 0, count: samplesPerFrame)
        switch state {
        case .idle:
            return (out, [])
        case .buffering(let turn):
            guard !buffer.isEmpty else {
                if synthesisDone { state = .idle; return (out, [.stopped(turn: turn, interrupted: false, heard: "")]) }
                return (out, [])
            }
            state = .playing(turn: turn)
            fill(&out)
            return (out, [.started(turn: turn)])
        case .playing(let turn):
            if buffer.isEmpty, synthesisDone {
                // The last audio frame has just finished playing.
                state = .idle
                return (out, [.stopped(turn: turn, interrupted: false, heard: heardText)])
            }
            fill(&out)  // an underrun plays silence and keeps the reply going
            return (out, [])
        case .fading(let turn):
            let heard = heardText
            let n = min(fadeSamples, buffer.count, samplesPerFrame)
            for i in 0..<n {
                let s = Int32(buffer.removeFirst())
                out[i] = Int16(s * Int32(n - i) / Int32(n + 1))
            }
            buffer.removeAll()
            state = .idle
            return (out, [.stopped(turn: turn, interrupted: true, heard: heard)])
        }
    }

    private mutating func fill(_ out: inout [Int16]) {
        let n = min(samplesPerFrame, buffer.count)
        for i in 0..<n { out[i] = buffer.removeFirst() }
        played += n
    }
}
