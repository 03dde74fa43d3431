/// A warmup into the snapshot file: several batches per transaction.
///
/// Committing each 1,000-entry batch on its own wrote the same index pages into the WAL again in
/// every commit (the expiry and tag indexes take rows all over the file), and checkpointed them
/// again after nearly every commit: 2.4 page writes per entry at 300,000 entries. So batches go
/// into one open transaction, committed after `batchLimit` batches, `byteLimit` bytes of values
/// or `timeLimit` — whichever comes first — and whenever the caller waits for a batch's outcome
/// that is not committed yet (`receive`), at the end, and before any other write.
///
/// Honest outcomes: a batch counts as written only once its transaction committed. When a write
/// or a COMMIT fails, the transaction is rolled back whole and every batch in it fails with
/// that error (`receive` throws it); nothing of them stays in the file. A process killed with an
/// open transaction leaves the file as of the last commit (SQLite's WAL), and `--only-missing`
/// completes the job. Other processes' writes wait at most about `timeLimit` for the write lock.
struct BulkTransaction {
    /// Batches sent since the backend opened (the next batch's number).
    var sent = 0
    /// Batches whose transaction committed (numbers below this).
    var committed = 0
    /// Batches whose outcome was asked for.
    var received = 0
    /// Batches rolled back, by number, with the error that did it.
    var lost: [(batches: Range<Int>, error: any Error)] = []
    /// When the open transaction began; nil when none is open.
    var openedAt: ContinuousClock.Instant?
    /// Batches and value bytes in the open transaction.
    var openBatches = 0
    var openBytes = 0
}

extension SnapshotBackend: PipelinedBatchWriting {
    /// Batches per transaction at most.
    static let bulkBatchLimit = 16
    /// Value bytes per transaction at most (the batches in flight are held in memory meanwhile).
    static let bulkByteLimit = 8 << 20
    /// How long a transaction stays open at most, so other writers never wait long for the lock.
    static let bulkTimeLimit = Duration.milliseconds(250)

    /// As many batches as one transaction takes: their outcomes are known at its COMMIT.
    public var batchesInFlight: Int { Self.bulkBatchLimit }

    /// Writes the batch into the open transaction (beginning one, with the purge of expired
    /// entries every write transaction does), committing when a limit is reached. Until then the
    /// transaction holds the file's write lock: a caller that sends a batch must `receive` it (or
    /// call `finishBatches`) soon; a backend released with batches not received rolls them back.
    public func send(batch: [Entry]) throws -> PendingBatch {
        let database = try writableDatabase()
        do {
            if bulk.openedAt == nil {
                try database.beginOpenTransaction()
                bulk.openedAt = .now
                try upgradeFormat(of: database)
                try purgeExpired(in: database, now: nowMilliseconds())
            }
            let now = nowMilliseconds()
            for entry in batch {
                try store(entry, in: database, now: now)
                bulk.openBytes += entry.value.count
            }
            try addToCounters(["sets": Int64(batch.count)], in: database)
        } catch {
            loseOpenBatches(error)
            throw error
        }
        bulk.sent += 1
        bulk.openBatches += 1
        if bulk.openBatches >= Self.bulkBatchLimit || bulk.openBytes >= Self.bulkByteLimit
            || ContinuousClock.now - (bulk.openedAt ?? .now) >= Self.bulkTimeLimit {
            try commitBulk()
        }
        return PendingBatch(entries: batch, replies: 0)
    }

    /// The batch's outcome: written once its transaction committed (committing it now when it
    /// is still open); the error of the rollback when it was lost.
    public func receive(_ pending: PendingBatch) throws -> [WriteOutcome] {
        let number = bulk.received
        bulk.received += 1
        if let lost = bulk.lost.first(where: { $0.batches.contains(number) }) { throw lost.error }
        if number >= bulk.committed { try commitBulk() }
        return pending.entries.map { _ in .written }
    }

    /// Commits what is still open.
    public func finishBatches() throws {
        try commitBulk()
    }

    /// Commits the open transaction, if any; when COMMIT fails, its batches are lost (rolled
    /// back) and the error is thrown.
    func commitBulk() throws {
        guard bulk.openedAt != nil, let database else { return }
        do {
            try database.commitOpenTransaction()
        } catch {
            bulk.openedAt = nil
            loseOpenBatches(error)
            throw error
        }
        bulk.committed = bulk.sent
        bulk.openedAt = nil
        bulk.openBatches = 0
        bulk.openBytes = 0
    }

    /// Rolls back the open transaction: every batch sent since the last commit fails with `error`.
    private func loseOpenBatches(_ error: any Error) {
        if bulk.openedAt != nil { database?.rollbackOpenTransaction() }
        bulk.openedAt = nil
        bulk.openBatches = 0
        bulk.openBytes = 0
        bulk.lost.append((bulk.committed..<bulk.sent, error))
        bulk.committed = bulk.sent
    }
}
