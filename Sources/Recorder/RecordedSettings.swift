import Core

/// A recorded pipeline's settings in Crosstalk's `--set` terms (meta `recorded_settings`): what a
/// live hello's `settings` or a LiveKit report's `options` give, and what replays start from.
public enum RecordedSettings {
    /// Applies `items` (`key=value`) to a default scenario through the `--set` machinery; throws
    /// its error (an unknown key, a value out of range, settings that do not fit together).
    static func check(_ items: [String]) throws {
        _ = try CallImporter.scenario(turns: [], replies: [], name: "recorded", transcript: true, overrides: items, frames: 0)
    }

    /// The `--set` text of a scalar setting (`800`, `0.5`, `vad`, `true`); nil for anything else.
    public static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let string): return string
        case .int(let number): return String(number)
        case .double, .bool: return value.canonicalText
        case .null, .array, .object: return nil
        }
    }
}
