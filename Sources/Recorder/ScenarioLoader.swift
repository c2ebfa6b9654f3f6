import Core
import Foundation
import Yams

/// Reads scenario files (YAML) and `--set key=value` overrides into a checked `Scenario`.
public enum ScenarioLoader {
    /// Largest scenario file accepted.
    public static let maxFileBytes = 1 << 20

    /// Loads `path`, applies `overrides` (`pipeline.endpointing.silence_ms=800`) in order, and decodes.
    ///
    /// Returns the scenario and the YAML text as given (stored in the archive's meta).
    public static func load(path: String, overrides: [String] = []) throws -> (scenario: Scenario, yaml: String) {
        let name = path  // as the user gave it, so the message says where
        let data = try readScenarioFile(path)
        guard data.count <= maxFileBytes else {
            throw ScenarioError(message: "\(path): \(data.count) bytes is too large for a scenario (limit \(maxFileBytes))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(message: "\(path): not UTF-8 text")
        }
        return (try decode(yaml: text, source: name, overrides: overrides), text)
    }

    /// Decodes scenario YAML `text` (named `source` in messages) with `overrides` applied.
    public static func decode(yaml text: String, source: String, overrides: [String] = []) throws -> Scenario {
        var root = try parse(text, source: source)
        root = try applying(overrides, to: root)
        return try Scenario(from: root)
    }

    /// Applies `key=value` overrides to a configuration tree.
    public static func applying(_ overrides: [String], to root: ConfigNode) throws -> ConfigNode {
        var root = root
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ScenarioError(message: "--set \(item): expected key=value, e.g. pipeline.endpointing.silence_ms=800")
            }
            let key = String(item[..<eq]).trimmingCharacters(in: .whitespaces)
            let valueText = String(item[item.index(after: eq)...])
            guard !valueText.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ScenarioError(message: "--set \(key)=: no value (to keep the default, leave the --set out; an empty text is '')")
            }
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains(where: \.isEmpty) else {
                throw ScenarioError(message: "--set \(item): '\(key)' is not a dotted key path")
            }
            let mark = ConfigMark(source: "--set \(key)", line: 0)
            let value = (try? parse(valueText, source: "--set \(key)")) ?? .scalar(valueText, quoted: false, mark)
            root = try root.setting(path, to: relabel(value, mark: mark))
        }
        return root
    }

    /// Deepest nesting accepted: Yams parses recursively, so hostile nesting (`[[[[…`) would
    /// overflow the stack before any check of ours could run.
    static let maxNesting = 64
    /// Widest indentation accepted (spaces, tabs and block markers before a line's content), which
    /// bounds block-style nesting the same way.
    static let maxIndentation = 256

    /// Rejects text nested deeper than a scenario ever is, naming the line.
    static func checkNesting(_ text: String, source: String) throws {
        var depth = 0, line = 1, atLineStart = true, indentation = 0
        var quote: UInt8?  // inside a quoted scalar (on this line): its quote character
        var comment = false
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                line += 1
                atLineStart = true
                indentation = 0
                comment = false
                quote = nil  // a stray quote in a plain scalar must not hide the rest of the file
                previous = byte
                continue
            }
            if atLineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?") {
                    indentation += 1
                    if indentation > maxIndentation {
                        throw ScenarioError(message: "\(source):\(line): indented deeper than \(maxIndentation) columns")
                    }
                } else {
                    atLineStart = false
                }
            }
            if comment { previous = byte; continue }
            if let q = quote {
                if byte == q, !(q == UInt8(ascii: "\"") && previous == UInt8(ascii: "\\")) { quote = nil }
            } else {
                switch byte {
                case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n") || previous == 0:
                    comment = true
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    quote = byte
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth > maxNesting {
                        throw ScenarioError(message: "\(source):\(line): nested deeper than \(maxNesting) levels")
                    }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth = max(0, depth - 1)
                default:
                    break
                }
            }
            previous = byte
        }
    }

    /// libyaml's problem as one line: where, what, and in what context (`s.yaml:3:1: invalid YAML:
    /// found a tab character where an indentation space is expected (while scanning …)`).
    static func yamlMessage(_ error: Error, text: String, source: String) -> String {
        func place(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> String {
            var what = problem
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].unicodeScalars.first(where: { $0 != " " }) == "\t" {
                what += " (a tab: YAML indents with spaces only)"
            }
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "\(source):\(mark.line):\(mark.column): invalid YAML: \(what)\(during)"
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
             .composer(let context, let problem, let mark, _)?:
            return place(problem, context, mark)
        case .reader(let problem, let offset, let value, _)?:
            return "\(source): invalid YAML: \(problem.trimmingCharacters(in: CharacterSet(charactersIn: ": ")))"
                + (offset.map { " at byte \($0) (value \(value))" } ?? "")
        default:
            let detail = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "syntax error"
            return "\(source): invalid YAML: \(detail)"
        }
    }

    /// Parses YAML into a `ConfigNode` tree with line numbers.
    public static func parse(_ text: String, source: String) throws -> ConfigNode {
        try checkNesting(text, source: source)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ScenarioError(message: yamlMessage(error, text: text, source: source))
        }
        guard let node else { return .null(ConfigMark(source: source, line: 1)) }
        var budget = maxValues
        return try convert(node, source: source, depth: 0, budget: &budget)
    }

    /// Most values (scalars, sequences, mappings) a scenario may expand to. YAML aliases share one
    /// parsed node, but the tree handed to decoding holds a copy per use: ten levels of nine aliases
    /// ("billion laughs") would be 3.4 billion values from 517 bytes. The budget stops that while
    /// converting, before any key is looked at; the one-hour benchmark scenario holds ~6,000.
    static let maxValues = 200_000

    private static func convert(_ node: Node, source: String, depth: Int, budget: inout Int) throws -> ConfigNode {
        let mark = ConfigMark(source: source, line: node.mark?.line ?? 0)
        budget -= 1
        guard budget >= 0 else {
            throw ScenarioError(message: "\(source):\(mark.line): expands to more than \(maxValues) values "
                + "(YAML aliases used over and over?); a scenario is far smaller")
        }
        guard depth < 64 else { return .null(mark) }
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(mark) }
            return .scalar(scalar.string, quoted: quoted, mark)
        case .sequence(let seq):
            var items: [ConfigNode] = []
            for item in seq { items.append(try convert(item, source: source, depth: depth + 1, budget: &budget)) }
            return .sequence(items, mark)
        case .mapping(let map):
            var pairs: [(key: String, value: ConfigNode)] = []
            for pair in map {
                // A key that is not text is never a scenario key; describing it whole could be huge.
                let key = pair.key.string ?? (pair.key.sequence != nil ? "[…]" : "{…}")
                pairs.append((key: key, value: try convert(pair.value, source: source, depth: depth + 1, budget: &budget)))
            }
            return .mapping(pairs, mark)
        }
    }

    private static func relabel(_ node: ConfigNode, mark: ConfigMark) -> ConfigNode {
        switch node {
        case .scalar(let s, let q, _): return .scalar(s, quoted: q, mark)
        case .sequence(let items, _): return .sequence(items.map { relabel($0, mark: mark) }, mark)
        case .mapping(let pairs, _): return .mapping(pairs.map { ($0.key, relabel($0.value, mark: mark)) }, mark)
        case .null: return .null(mark)
        }
    }
}
