import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The functions `PocketsphinxRecognizer` uses from libpocketsphinx and libsphinxbase (0.8+5prealpha),
/// looked up at run time with the C types of `pocketsphinx.h` and `cmd_ln.h`.
///
/// `cmd_ln_init` is variadic (Swift cannot call it through a pointer), so the configuration is
/// parsed with `cmd_ln_parse_r` from an argv array instead.
///
/// sphinxbase logs through one process-wide `FILE *`; `-logfn` would swap (and close) it inside
/// every `ps_init` while other decoders write to it from other threads. Instead logging is turned
/// off once for the process (`err_set_logfp(NULL)`), and decoders are created one at a time.
struct PocketsphinxAPI {
    typealias ArgsFn = @convention(c) () -> OpaquePointer?
    typealias ParseFn = @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> OpaquePointer?
    typealias HandleFn = @convention(c) (OpaquePointer?) -> Int32
    typealias InitFn = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias ProcessRawFn = @convention(c) (OpaquePointer?, UnsafePointer<Int16>?, Int, Int32, Int32) -> Int32
    typealias HypFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?) -> UnsafePointer<CChar>?
    typealias InSpeechFn = @convention(c) (OpaquePointer?) -> UInt8
    typealias SetLogFn = @convention(c) (UnsafeMutableRawPointer?) -> Void

    let args: ArgsFn
    let parse: ParseFn
    let freeConfig: HandleFn
    let initDecoder: InitFn
    let freeDecoder: HandleFn
    let startUtterance: HandleFn
    let processRaw: ProcessRawFn
    let endUtterance: HandleFn
    let getHyp: HypFn
    let inSpeech: InSpeechFn
    let setLogFile: SetLogFn

    private static let creation = NSLock()
    nonisolated(unsafe) private static var loggingOff = false

    /// Opens the libraries (`library` or the system's libpocketsphinx.so.3, and the libsphinxbase
    /// it was linked with) and looks up every function; throws `engineUnavailable(missing)`.
    static func load(library: String?, missing: String) throws -> PocketsphinxAPI {
        let ps = try DynamicLibrary.open(library.map { [$0] } ?? ["libpocketsphinx.so.3", "libpocketsphinx.so"], missing: missing)
        // libpocketsphinx pulls in libsphinxbase; its symbols are reachable through its handle.
        return PocketsphinxAPI(
            args: try ps.function("ps_args"),
            parse: try ps.function("cmd_ln_parse_r"),
            freeConfig: try ps.function("cmd_ln_free_r"),
            initDecoder: try ps.function("ps_init"),
            freeDecoder: try ps.function("ps_free"),
            startUtterance: try ps.function("ps_start_utt"),
            processRaw: try ps.function("ps_process_raw"),
            endUtterance: try ps.function("ps_end_utt"),
            getHyp: try ps.function("ps_get_hyp"),
            inSpeech: try ps.function("ps_get_in_speech"),
            setLogFile: try ps.function("err_set_logfp"))
    }

    /// A decoder configured by command-line style `arguments`, or nil when pocketsphinx refuses them.
    func makeDecoder(_ arguments: [String]) -> OpaquePointer? {
        Self.creation.lock()
        defer { Self.creation.unlock() }
        if !Self.loggingOff {
            setLogFile(nil)
            Self.loggingOff = true
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        defer { for p in argv { releaseCString(p) } }
        let config = argv.withUnsafeMutableBufferPointer { parse(nil, args(), Int32($0.count), $0.baseAddress, 1) }
        guard let config else { return nil }
        let decoder = initDecoder(config)  // retains the configuration
        _ = freeConfig(config)
        return decoder
    }

    /// The current hypothesis ("" when there is none).
    func hypothesis(_ decoder: OpaquePointer) -> String {
        var score: Int32 = 0
        guard let text = getHyp(decoder, &score) else { return "" }
        return String(cString: text)
    }
}

/// Frees a string from `strdup` (the struct's `free…` members would shadow libc's `free`).
private func releaseCString(_ p: UnsafeMutablePointer<CChar>?) { free(p) }
