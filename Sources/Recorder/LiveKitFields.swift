import Core

/// Typed access to one JSON object's fields, with errors naming the file, the entry and the field.
final class LiveKitFields {
    let value: JSONValue
    let path: String
    /// The entry, e.g. `events[3] (user_state_changed)`; nil for the top level.
    var label: String?

    init(_ value: JSONValue, at label: String?, path: String) {
        self.value = value
        self.label = label
        self.path = path
    }

    func fail(_ field: String, _ problem: String) -> ArchiveError {
        .io(path: path, detail: "\(label.map { "\($0): " } ?? "")field '\(field)' \(problem)")
    }

    func requireObject(_ what: String) throws {
        guard case .object = value else {
            throw ArchiveError.io(path: path, detail: "\(label.map { "\($0): " } ?? "")expected \(what) (a JSON object)")
        }
    }

    func string(_ key: String) throws -> String {
        guard let v = value[key] else { throw fail(key, "is missing") }
        guard let s = v.stringValue else { throw fail(key, "must be a string") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        guard let v = value[key], v != .null else { return nil }
        guard let s = v.stringValue else { throw fail(key, "must be a string") }
        return s
    }

    func number(_ key: String) throws -> Double {
        guard let v = value[key] else { throw fail(key, "is missing") }
        guard let d = v.doubleValue, d.isFinite else { throw fail(key, "must be a number") }
        return d
    }

    func optionalNumber(_ key: String) throws -> Double? {
        guard let v = value[key], v != .null else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw fail(key, "must be a number") }
        return d
    }

    func bool(_ key: String) throws -> Bool {
        guard let v = value[key] else { throw fail(key, "is missing") }
        guard let b = v.boolValue else { throw fail(key, "must be true or false") }
        return b
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let v = value[key], v != .null else { return nil }
        guard let b = v.boolValue else { throw fail(key, "must be true or false") }
        return b
    }
}
