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
    /// How many batches may be sent before the oldest one's outcome is asked for: 1 for a
    /// server (one batch on its way while the previous one is answered), more for the snapshot
    /// file, which commits several batches in one transaction.
    var batchesInFlight: Int { get }
}

extension PipelinedBatchWriting {
    public var batchesInFlight: Int { 1 }
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

/// A backend that can number its batch writes on the server, so that a run which lost its
/// connection can tell which of its unanswered batches were applied before it writes them again
/// (written twice, a batch would count twice in the `sets` counter).
public protocol BatchSequencing: AnyObject {
    /// Starts numbering: every later batch transaction also stores its number under `key`
    /// (expiring after an hour); learns this connection's server-side id.
    func sequenceBatches(under key: String) throws
    /// The number the next batch write carries.
    var batchSequence: Int { get set }
    /// This connection's id on the server, when it could be learned (CLIENT ID).
    var connectionID: Int64? { get }
    /// The number of the last batch applied, after closing the connection `previous` on the
    /// server, so that nothing it still had queued can be applied afterwards.
    func lastAppliedBatch(closing previous: Int64?) throws -> Int
    /// Removes the numbering key at the end of a run.
    func finishSequencing()
}
