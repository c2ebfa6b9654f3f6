/// The functions `SpeexEchoCanceller` uses from libspeexdsp (1.2), looked up at run time with the
/// C types of `speex_echo.h` and `speex_preprocess.h` (their `*_ctl` take a `void *`, not varargs).
struct SpeexAPI {
    typealias StateInit = @convention(c) (Int32, Int32) -> OpaquePointer?
    typealias StateDestroy = @convention(c) (OpaquePointer?) -> Void
    typealias Cancellation = @convention(c) (OpaquePointer?, UnsafePointer<Int16>?, UnsafePointer<Int16>?, UnsafeMutablePointer<Int16>?) -> Void
    typealias Ctl = @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias PreprocessRun = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int16>?) -> Int32

    // Request numbers of speex_echo.h and speex_preprocess.h.
    static let echoSetSamplingRate: Int32 = 24
    static let preprocessSetDenoise: Int32 = 0
    static let preprocessSetNoiseSuppress: Int32 = 18
    static let preprocessSetEchoSuppress: Int32 = 20
    static let preprocessSetEchoSuppressActive: Int32 = 22
    static let preprocessSetEchoState: Int32 = 24

    let echoInit: StateInit
    let echoDestroy: StateDestroy
    let echoCtl: Ctl
    let cancellation: Cancellation
    let preprocessInit: StateInit
    let preprocessDestroy: StateDestroy
    let preprocessCtl: Ctl
    let preprocessRun: PreprocessRun

    /// Opens `library` (or the system's libspeexdsp.so.1) and looks up every function; throws
    /// `EngineError.engineUnavailable(missing)` when it is missing.
    static func load(library: String?, missing: String) throws -> SpeexAPI {
        let lib = try DynamicLibrary.open(library.map { [$0] } ?? ["libspeexdsp.so.1", "libspeexdsp.so"], missing: missing)
        return SpeexAPI(
            echoInit: try lib.function("speex_echo_state_init"),
            echoDestroy: try lib.function("speex_echo_state_destroy"),
            echoCtl: try lib.function("speex_echo_ctl"),
            cancellation: try lib.function("speex_echo_cancellation"),
            preprocessInit: try lib.function("speex_preprocess_state_init"),
            preprocessDestroy: try lib.function("speex_preprocess_state_destroy"),
            preprocessCtl: try lib.function("speex_preprocess_ctl"),
            preprocessRun: try lib.function("speex_preprocess_run"))
    }
}
