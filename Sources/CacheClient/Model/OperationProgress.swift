/// How far a long operation (warmup, migrate, flush) has come; passed to a progress callback.
public struct OperationProgress: Sendable, Equatable {
    /// Items handled so far (written + skipped + failed).
    public var done: Int
    /// Items in all, when known in advance.
    public var total: Int?
    /// Items that failed so far.
    public var failed: Int

    /// Creates a progress value.
    public init(done: Int, total: Int? = nil, failed: Int = 0) {
        self.done = done
        self.total = total
        self.failed = failed
    }
}
