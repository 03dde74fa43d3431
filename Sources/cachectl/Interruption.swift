import CacheClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM for the long commands (warmup, migrate, invalidate-tag, flush, tags prune, keys, usage):
/// the first signal cancels `Cancellation.process`, so the operation stops at its next batch
/// boundary and the command prints its report and exits 130 or 143; a second one exits at once.
///
/// The signals are blocked in every thread and taken by one thread with `sigwait`, so no
/// handler runs in the middle of a Redis reply or an SQLite transaction.
enum Interruption {
    /// The commands that stop at a batch boundary; `Main` installs the handling for them before
    /// anything else runs, so a signal that comes early still ends with a report.
    static let commands: Set<String> = ["warmup", "migrate", "invalidate-tag", "flush", "keys", "usage"]

    /// While a person is asked a question or the command waits for a lock, a signal ends the
    /// process at once, as it would anywhere else: there is no batch boundary to wait for.
    static let atPrompt = Atomic<Bool>(false)
    private static let installed = Atomic<Bool>(false)

    /// Installs the handling (once); call before any other thread starts.
    static func install() {
        guard !installed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        let waited = signals
        // A socket the server closed (CLIENT KILL, a restart) must fail the write with EPIPE, so
        // the operation reconnects and reports, instead of killing the process with SIGPIPE.
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        startThread(stackSize: 64 << 10) {
            var set = waited
            while true {
                var number: Int32 = 0
                guard sigwait(&set, &number) == 0 else { continue }
                if Cancellation.process.isCancelled || atPrompt.load(ordering: .sequentiallyConsistent) {
                    let line = atPrompt.load(ordering: .sequentiallyConsistent) ? "\n" : "cachectl: interrupted again: stopping at once\n"
                    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                    _exit(128 + number)
                }
                Cancellation.process.cancel(signal: number)
            }
        }
    }

    /// Runs `body` (a question on the terminal, a wait for a lock) with signals ending the process at once.
    static func atPrompt<T>(_ body: () throws -> T) rethrows -> T {
        atPrompt.store(true, ordering: .sequentiallyConsistent)
        defer { atPrompt.store(false, ordering: .sequentiallyConsistent) }
        return try body()
    }

    /// 130 after SIGINT, 143 after SIGTERM.
    static var exitCode: Int32 { 128 + (Cancellation.process.signal ?? SIGINT) }

    /// Throws the interrupted exit after a report was printed, when a signal stopped the command.
    /// `stopped` says whether the operation stopped before its end (a signal that came after
    /// the last batch changes nothing: the work is complete and the exit code says so).
    static func exitIfInterrupted(_ what: String, stopped: Bool = true) throws {
        guard Cancellation.process.isCancelled, stopped else { return }
        throw CommandFailure(code: exitCode, message: "interrupted by \(Cancellation.process.reason): \(what)")
    }
}
