import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A C shared library opened at run time (`dlopen`), so the package builds and runs without it and
/// a session that names a missing engine fails with one clear line instead of a link error.
///
/// Libraries stay loaded for the life of the process: engines keep function pointers into them,
/// and C++ libraries (onnxruntime, sphinxbase's globals) may keep static state that `dlclose`
/// would pull out from under them. One process-wide table maps a path to its open library.
final class DynamicLibrary: @unchecked Sendable {
    /// The path the library was opened from.
    let path: String
    private let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [String: DynamicLibrary] = [:]

    /// Opens the first of `candidates` (file names searched by the dynamic linker, or paths) that
    /// loads; throws `EngineError.engineUnavailable(missing)` when none does.
    static func open(_ candidates: [String], missing: String) throws -> DynamicLibrary {
        lock.lock()
        defer { lock.unlock() }
        for candidate in candidates {
            if let library = opened[candidate] { return library }
            if candidate.contains("/"), !FileManager.default.fileExists(atPath: candidate) { continue }
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                let library = DynamicLibrary(path: candidate, handle: handle)
                opened[candidate] = library
                return library
            }
        }
        throw EngineError.engineUnavailable(missing)
    }

    /// The function `name` as the C function type `T` (a `@convention(c)` type the caller states:
    /// the library's header is not needed to build).
    func function<T>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let symbol = dlsym(handle, name) else {
            throw EngineError.engineUnavailable("\(path) has no function \(name) (wrong library version?)")
        }
        return unsafeBitCast(symbol, to: T.self)
    }
}
