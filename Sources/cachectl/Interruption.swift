import CacheClient
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM for the long commands (warmup, migrate, invalidate-tag, flush, tags prune):
/// the first signal cancels `Cancellation.process`, so the operation stops at its next batch
/// boundary and the command prints its report and exits 130 or 143; a second one exits at once.
///
/// The signals are blocked in every thread and taken by one thread with `sigwait`, so no
/// handler runs in the middle of a Redis reply or an SQLite transaction.
enum Interruption {
    /// Installs the handling; call before any other thread starts.
    static func install() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let waited = signals
        startThread(stackSize: 64 << 10) {
            var set = waited
            while true {
                var number: Int32 = 0
                guard sigwait(&set, &number) == 0 else { continue }
                if Cancellation.process.isCancelled {
                    let line = "cachectl: interrupted again: stopping at once\n"
                    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                    _exit(128 + number)
                }
                Cancellation.process.cancel(signal: number)
            }
        }
    }

    /// 130 after SIGINT, 143 after SIGTERM.
    static var exitCode: Int32 { 128 + (Cancellation.process.signal ?? SIGINT) }

    /// Throws the interrupted exit after a report was printed, when a signal stopped the command.
    static func exitIfInterrupted(_ what: String) throws {
        guard Cancellation.process.isCancelled else { return }
        throw CommandFailure(code: exitCode, message: "interrupted by \(Cancellation.process.reason): \(what)")
    }
}
