/// A backend that can send a batch before the replies of the previous one are in, so the server
/// never waits for the client between batches (Redis). Only for overwriting writes: `onlyMissing`
/// needs each batch's answers before its tag writes.
public protocol PipelinedBatchWriting: CacheBackend {
    /// Sends the batch's writes (entries, tag memberships, the `sets` counter) without waiting.
    func send(batch: [Entry]) throws -> PendingBatch
    /// Waits for the replies of a batch sent earlier (in the order sent); returns each entry's outcome.
    func receive(_ pending: PendingBatch) throws -> [WriteOutcome]
    /// Reads whatever the connection still owes after the last batch was received.
    func finishBatches() throws
}

/// A batch sent and not yet answered.
public struct PendingBatch: Sendable {
    /// The entries sent.
    public let entries: [Entry]
    /// How many replies to read.
    public let replies: Int

    /// Creates a pending batch.
    public init(entries: [Entry], replies: Int) {
        self.entries = entries
        self.replies = replies
    }
}
