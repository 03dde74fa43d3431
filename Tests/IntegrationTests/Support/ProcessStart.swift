import Foundation

extension Process {
    /// Starts the process from a thread with no blocked signals. A child inherits its parent
    /// thread's signal mask, and Swift Testing's threads block SIGTERM and SIGINT: a child started
    /// from one of them would never end by those signals (a test that sends them tests nothing,
    /// and a server stopped by SIGTERM outlives the run).
    func runWithSignalsUnblocked() throws {
        let started = DispatchSemaphore(value: 0)
        let failure = UnsafeSendable<Error?>(nil)
        Thread.detachNewThread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try self.run() } catch { failure.value = error }
            started.signal()
        }
        started.wait()
        if let error = failure.value { throw error }
    }
}
