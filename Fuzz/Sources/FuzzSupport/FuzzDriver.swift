import CLibFuzzer
import Foundation

/// Runs libFuzzer with this process's arguments and one target's input callback.
public enum FuzzDriver {
    /// The callback type libFuzzer calls once per input.
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Hands `callback` to libFuzzer (`-runs=`, `-seed=`, corpus folders… as on the command line) and
    /// exits with its status. Run with `SWIFT_BACKTRACE=enable=no` (Fuzz/run.sh does): Swift's backtracer
    /// would otherwise take the crash signal first and libFuzzer would not save the input.
    public static func main(_ callback: Callback) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }

    /// The input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}
