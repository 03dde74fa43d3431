import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT/SIGTERM as a request to stop: a long scan checks `requested` between pages, reports
/// what it covered and exits 130 (SIGINT) or 143 (SIGTERM). A second signal ends the process at
/// once (the default action is restored after the first).
///
/// Kept minimal on purpose, to fold into the shared cancellation of warmup/migrate/flush.
enum Interruption {
    private static let signalNumber = Atomic<Int32>(0)

    /// Starts catching SIGINT and SIGTERM.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { caught in
                Interruption.signalNumber.store(caught, ordering: .relaxed)
                signal(caught, SIG_DFL)
            }
        }
    }

    /// Whether a signal asked the process to stop.
    static var requested: Bool { signalNumber.load(ordering: .relaxed) != 0 }

    /// 130 after SIGINT, 143 after SIGTERM.
    static var exitCode: Int32 { signalNumber.load(ordering: .relaxed) == SIGTERM ? ExitStatus.terminated : ExitStatus.interrupted }

    /// The command's verdict after it printed what it covered.
    static func failure(_ what: String) -> CommandFailure {
        CommandFailure(code: exitCode, message: "interrupted: \(what)")
    }
}
