/// Reads one mapping of a `ConfigNode` tree with type and range checks, and rejects unknown keys.
///
/// Every getter records the key as known; `finish()` then names any key nobody asked for.
struct ConfigReader {
    let path: String
    let mark: ConfigMark
    private let pairs: [(key: String, value: ConfigNode)]
    private var known: [String] = []

    init(_ node: ConfigNode?, path: String, parentMark: ConfigMark) throws {
        self.path = path
        switch node {
        case nil, .null?:
            pairs = []
            mark = node?.mark ?? parentMark
        case .mapping(let p, let m)?:
            var seen: [String] = []
            for pair in p {
                if seen.contains(pair.key) { throw ScenarioError(mark: pair.value.mark, path: Self.join(path, pair.key), "key given twice") }
                seen.append(pair.key)
            }
            pairs = p
            mark = m
        case let other?:
            throw ScenarioError(mark: other.mark, path: path, "expected a mapping, got \(other.typeName)")
        }
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    func keyPath(_ key: String) -> String { Self.join(path, key) }

    mutating func node(_ key: String) -> ConfigNode? {
        known.append(key)
        return pairs.first(where: { $0.key == key })?.value
    }

    func has(_ key: String) -> Bool { pairs.contains(where: { $0.key == key }) }

    mutating func child(_ key: String) throws -> ConfigReader {
        try ConfigReader(node(key), path: keyPath(key), parentMark: mark)
    }

    private mutating func scalar(_ key: String) throws -> (String, ConfigMark)? {
        guard let n = node(key) else { return nil }
        switch n {
        case .scalar(let s, _, let m): return (s, m)
        case .null: return nil
        default: throw ScenarioError(mark: n.mark, path: keyPath(key), "expected a value, got \(n.typeName)")
        }
    }

    mutating func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let (text, m) = try scalar(key) else { return value }
        guard let v = Int(text.replacingUnderscores()) else {
            throw ScenarioError(mark: m, path: keyPath(key), "expected a whole number, got '\(text.clippedForMessage)'")
        }
        guard range.contains(v) else {
            throw ScenarioError(mark: m, path: keyPath(key), "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    mutating func optionalInt(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard has(key) else { known.append(key); return nil }
        return try int(key, default: 0, range: range)
    }

    mutating func double(_ key: String, default value: Double, range: ClosedRange<Double>) throws -> Double {
        guard let (text, m) = try scalar(key) else { return value }
        guard let v = Double(text), v.isFinite else {
            throw ScenarioError(mark: m, path: keyPath(key), "expected a number, got '\(text.clippedForMessage)'")
        }
        guard range.contains(v) else {
            throw ScenarioError(mark: m, path: keyPath(key), "\(text.clippedForMessage) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    mutating func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let (text, m) = try scalar(key) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ScenarioError(mark: m, path: keyPath(key), "expected true or false, got '\(text.clippedForMessage)'")
        }
    }

    mutating func string(_ key: String, default value: String) throws -> String {
        try scalar(key)?.0 ?? value
    }

    mutating func optionalString(_ key: String) throws -> String? {
        guard has(key) else { known.append(key); return nil }
        return try string(key, default: "")
    }

    mutating func choice(_ key: String, default value: String, among choices: [String]) throws -> String {
        guard let (text, m) = try scalar(key) else { return value }
        guard choices.contains(text) else {
            throw ScenarioError(mark: m, path: keyPath(key), "'\(text.clippedForMessage)' is not one of: \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// Names the first key that no getter asked for.
    func finish() throws {
        for pair in pairs where !known.contains(pair.key) {
            let choices = known.joined(separator: ", ")
            throw ScenarioError(mark: pair.value.mark, path: keyPath(pair.key), "unknown key (known here: \(choices))")
        }
    }
}

extension String {
    /// `16_000` → `16000` (YAML allows underscores in numbers).
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

extension String {
    /// At most 60 characters (then `…`), one line: a value quoted in an error message.
    public var clippedForMessage: String {
        let line = split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let multiline = line.count < count
        return line.count > 60 ? String(line.prefix(60)) + "…" : (multiline ? line + "…" : line)
    }
}
