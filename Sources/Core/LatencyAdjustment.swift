/// A change applied to every sampled latency of one stage: `--retime llm.ttft_ms=-200` (offset)
/// or `--retime tts.ttfb_ms=*0.5` (scale). Applied after sampling, so "+X" moves each draw by exactly X.
public struct LatencyAdjustment: Hashable, Sendable {
    /// Added after scaling.
    public var offset: SimDuration = .zero
    /// Scale in thousandths (1000 = unchanged), an integer ratio so results are exact.
    public var scalePerMille: Int64 = 1000

    /// No change.
    public init() {}

    /// A change with the given offset and scale.
    public init(offset: SimDuration, scalePerMille: Int64) {
        self.offset = offset
        self.scalePerMille = scalePerMille
    }

    /// Whether this changes nothing.
    public var isIdentity: Bool { offset == .zero && scalePerMille == 1000 }

    /// The adjusted latency (never negative).
    public func apply(_ latency: SimDuration) -> SimDuration {
        max(.zero, SimDuration(microseconds: latency.microseconds * scalePerMille / 1000) + offset)
    }

    /// `+200ms`, `*0.5`, `*0.5+100ms` for configs and messages.
    public var text: String {
        var parts: [String] = []
        if scalePerMille != 1000 { parts.append("*\(scalePerMille / 1000).\(String(1000 + scalePerMille % 1000).dropFirst())") }
        if offset != .zero { parts.append((offset.microseconds >= 0 ? "+" : "") + "\(offset.milliseconds)ms") }
        return parts.isEmpty ? "none" : parts.joined()
    }
}

/// Per-stage latency adjustments of a replay (`--retime`).
public struct Retiming: Hashable, Sendable {
    /// STT partial and final latency.
    public var sttLatency = LatencyAdjustment()
    /// LLM time to first token.
    public var llmTTFT = LatencyAdjustment()
    /// LLM interval between tokens.
    public var llmTokenInterval = LatencyAdjustment()
    /// TTS time to first byte.
    public var ttsTTFB = LatencyAdjustment()

    /// No adjustments.
    public init() {}

    /// The `--retime` keys, in the order they are listed in messages.
    public static let keys = ["stt.latency_ms", "llm.ttft_ms", "llm.token_interval_ms", "tts.ttfb_ms"]

    /// The adjustment for `key`, or nil for an unknown key.
    public subscript(key: String) -> LatencyAdjustment? {
        get {
            switch key {
            case "stt.latency_ms": return sttLatency
            case "llm.ttft_ms": return llmTTFT
            case "llm.token_interval_ms": return llmTokenInterval
            case "tts.ttfb_ms": return ttsTTFB
            default: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch key {
            case "stt.latency_ms": sttLatency = newValue
            case "llm.ttft_ms": llmTTFT = newValue
            case "llm.token_interval_ms": llmTokenInterval = newValue
            case "tts.ttfb_ms": ttsTTFB = newValue
            default: break
            }
        }
    }

    /// Parses `key=value` where value is `-200`, `+150`, `*0.5` or `*0.5+100` (milliseconds).
    public mutating func apply(_ item: String) throws {
        guard let eq = item.firstIndex(of: "=") else {
            throw ScenarioError(message: "--retime \(item): expected stage.latency=value, e.g. llm.ttft_ms=-200 or tts.ttfb_ms=*0.5")
        }
        let key = String(item[..<eq]), value = String(item[item.index(after: eq)...]).trimmed
        guard self[key] != nil else {
            throw ScenarioError(message: "--retime \(key): no such stage latency (known: \(Self.keys.joined(separator: ", ")))")
        }
        var adjustment = LatencyAdjustment()
        var rest = Substring(value)
        if rest.hasPrefix("*") {
            let number = rest.dropFirst().prefix { $0.isNumber || $0 == "." }
            guard let factor = Double(number), factor >= 0, factor <= 100 else {
                throw ScenarioError(message: "--retime \(key): '\(value)' has no valid factor after '*' (0...100)")
            }
            adjustment.scalePerMille = Int64((factor * 1000).rounded())
            rest = rest.dropFirst(1 + number.count)
        }
        if rest.hasSuffix("ms") { rest = rest.dropLast(2) }
        if !rest.isEmpty {
            guard let ms = Int64(rest.hasPrefix("+") ? String(rest.dropFirst()) : String(rest)), abs(ms) <= 600_000 else {
                throw ScenarioError(message: "--retime \(key): '\(value)' is not a millisecond offset (e.g. -200, +150) or factor (*0.5)")
            }
            adjustment.offset = .milliseconds(ms)
        }
        self[key] = adjustment
    }

    /// The non-identity adjustments as JSON (stored in a replay's config).
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for key in Self.keys { if let a = self[key], !a.isIdentity { members[key] = .string(a.text) } }
        return .object(members)
    }
}
