/// Where a setting came from, for error messages: a file and line, or a command-line override.
public struct ConfigMark: Hashable, Sendable, CustomStringConvertible {
    /// File name or `--set`.
    public var source: String
    /// 1-based line, or 0 when there is no line.
    public var line: Int

    /// Creates a mark.
    public init(source: String, line: Int) {
        self.source = source
        self.line = line
    }

    public var description: String { line > 0 ? "\(source):\(line)" : source }
}

/// A parsed configuration tree (YAML in Recorder turns into this), independent of any YAML library.
///
/// Mappings keep their keys in file order, so decoding and error messages are deterministic.
public indirect enum ConfigNode: Sendable {
    /// A scalar as written (`800`, `true`, `hello`), and whether it was quoted.
    case scalar(String, quoted: Bool, ConfigMark)
    /// A list.
    case sequence([ConfigNode], ConfigMark)
    /// A mapping with keys in order.
    case mapping([(key: String, value: ConfigNode)], ConfigMark)
    /// An explicit null / empty value.
    case null(ConfigMark)

    /// Where the node was written.
    public var mark: ConfigMark {
        switch self {
        case .scalar(_, _, let m), .sequence(_, let m), .mapping(_, let m), .null(let m): return m
        }
    }

    /// A short name of the node's type for messages.
    var typeName: String {
        switch self {
        case .scalar(let s, _, _): return "'\(s.clippedForMessage)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .null: return "nothing"
        }
    }

    /// Returns a copy with the value at the dotted `path` replaced by `value` (creating mappings on the way).
    ///
    /// List items are addressed by index (`caller.turns.1.gap_ms`).
    public func setting(_ path: [String], to value: ConfigNode) throws -> ConfigNode {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch self {
        case .mapping(var pairs, let mark):
            if let i = pairs.firstIndex(where: { $0.key == head }) {
                pairs[i].value = try pairs[i].value.setting(rest, to: value)
            } else {
                pairs.append((head, try ConfigNode.mapping([], value.mark).setting(rest, to: value)))
            }
            return .mapping(pairs, mark)
        case .sequence(var items, let mark):
            guard let index = Int(head), items.indices.contains(index) else {
                throw ScenarioError(mark: value.mark, path: head, "no list item \(head) (the list has \(items.count))")
            }
            items[index] = try items[index].setting(rest, to: value)
            return .sequence(items, mark)
        case .null(let mark):
            return try ConfigNode.mapping([], mark).setting(path, to: value)
        case .scalar(_, _, let mark):
            throw ScenarioError(mark: value.mark, path: head, "cannot set a key inside a scalar (set at \(mark))")
        }
    }
}

/// A scenario or settings error: one line naming the place and the key.
public struct ScenarioError: Error, CustomStringConvertible, Equatable {
    /// The full message: `file:line: key.path: what is wrong`.
    public var message: String

    /// An error at `mark` about the setting `path`.
    public init(mark: ConfigMark, path: String, _ reason: String) {
        message = path.isEmpty ? "\(mark): \(reason)" : "\(mark): \(path): \(reason)"
    }

    /// An error with a ready message.
    public init(message: String) { self.message = message }

    public var description: String { message }
}
