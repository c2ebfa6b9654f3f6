import Foundation

/// Ctrl-C (SIGINT) and SIGTERM ask a long-running command (`record`, `simulate`) to finish what
/// it is writing and stop, instead of killing it mid-archive.
enum StopSignal {
    nonisolated(unsafe) private static var received: sig_atomic_t = 0

    /// Installs the handlers (and ignores SIGPIPE: a vanished client is an error return, not an exit).
    static func install() {
        signal(SIGINT) { StopSignal.received = $0 }
        signal(SIGTERM) { StopSignal.received = $0 }
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these blocked (a blocked mask is inherited); unblock them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Whether a stop was asked for.
    static func requested() -> Bool { received != 0 }

    /// The exit status of a command stopped by the signal: 128 + its number (130 for SIGINT,
    /// 143 for SIGTERM), as a shell reports a process the signal killed.
    static var exitStatus: Int32 { 128 + Int32(received) }

    /// The signal's name, for messages.
    static var name: String { received == SIGTERM ? "SIGTERM" : "SIGINT" }
}
