import Core

/// The hello's `settings`: the recorded pipeline's configuration in Crosstalk's `--set` terms
/// (`"pipeline.endpointing.silence_ms": 800`), so a replay can start from it.
///
/// Each key and value is checked the way `--set` checks it: applied to a default scenario through
/// the override machinery, so an unknown key or a value out of range is rejected naming the key.
enum LiveSettings {
    /// The most keys a hello may set.
    static let maxKeys = 500

    /// Checks `value` (a JSON object of key → scalar) and returns it unchanged.
    static func check(_ value: JSONValue) throws(LiveProtocolError) -> JSONValue {
        guard case .object(let members) = value else {
            throw LiveProtocolError("hello: settings must be a JSON object of --set keys (e.g. \"pipeline.endpointing.silence_ms\") to values")
        }
        guard members.count <= maxKeys else { throw LiveProtocolError("hello: settings has more than \(maxKeys) keys") }
        var overrides: [String] = []
        for key in members.keys.sorted() {
            guard let text = members[key].flatMap(RecordedSettings.text(of:)) else {
                throw LiveProtocolError("hello: settings \"\(key)\" must be a string, number or boolean")
            }
            let item = "\(key)=\(text)"
            do {
                try RecordedSettings.check([item])
            } catch {
                throw LiveProtocolError("hello: settings \"\(key)\": \(error)")
            }
            overrides.append(item)
        }
        do {
            try RecordedSettings.check(overrides)
        } catch {
            throw LiveProtocolError("hello: settings: \(error)")
        }
        return value
    }
}
