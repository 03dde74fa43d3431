import Synchronization

/// A request to stop, made by another thread (the executable's signal handler) and checked by
/// long operations at their batch boundaries: warmup, migrate, invalidate-tag and flush stop
/// between two batches, so what they did is complete and their report says what was not done.
///
/// Every backend reaches it through `CacheConfiguration.cancellation` (by default `process`,
/// the one token of the running process); nothing ever un-cancels it.
public final class Cancellation: Sendable, Equatable {
    /// The token of this process, which the command-line tool cancels on SIGINT and SIGTERM.
    public static let process = Cancellation()

    private let signalNumber = Atomic<Int32>(0)

    /// A token that is not cancelled yet.
    public init() {}

    /// Asks every operation that checks this token to stop at its next batch boundary; the first
    /// signal number given is kept (0 = cancelled without a signal).
    public func cancel(signal: Int32 = -1) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal == 0 ? -1 : signal, ordering: .sequentiallyConsistent)
    }

    /// Whether someone asked to stop.
    public var isCancelled: Bool { signalNumber.load(ordering: .relaxed) != 0 }

    /// The signal that cancelled, when a signal did.
    public var signal: Int32? {
        let value = signalNumber.load(ordering: .relaxed)
        return value > 0 ? value : nil
    }

    /// `SIGINT`, `SIGTERM`, or "a request to stop": for reports.
    public var reason: String {
        switch signal {
        case 2: return "SIGINT"
        case 15: return "SIGTERM"
        case let number?: return "signal \(number)"
        case nil: return "a request to stop"
        }
    }

    /// Throws `.interrupted` when cancelled: for operations that have no partial report to return.
    public func check(_ what: @autoclosure () -> String) throws {
        if isCancelled { throw CacheError(.interrupted, "\(what()): interrupted by \(reason)") }
    }

    public static func == (lhs: Cancellation, rhs: Cancellation) -> Bool { lhs === rhs }
}
