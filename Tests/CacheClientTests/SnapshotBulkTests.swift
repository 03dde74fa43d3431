@testable import CacheClient
import Foundation
import Testing

/// A warmup into the snapshot file commits several batches per transaction
/// (`SnapshotBackend+Bulk.swift`): outcomes count only what committed, a failure rolls back
/// every batch of its transaction (and only those), and other writes are never nested in it.
@Suite("Snapshot bulk transactions")
struct SnapshotBulkTests {
    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-bulk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func batch(_ number: Int, size: Int = 100, value: Int = 40) -> [Entry] {
        (0..<size).map { Entry(key: "b\(number):\($0)", value: Array(repeating: UInt8(ascii: "v"), count: value),
                               expiry: .seconds(600), tags: ["all", "batch\(number)"]) }
    }

    func rows(_ backend: SnapshotBackend, _ sql: String) throws -> Int64 {
        try backend.existingDatabase()?.scalar(sql)?.integerValue ?? 0
    }

    /// What another connection sees: only committed transactions.
    func committedEntries() throws -> Int64 {
        let other = try SnapshotBackend(path: directory.appendingPathComponent("cache.snapshot").path)
        return try other.statistics().entries
    }

    @Test func batchesShareATransactionUntilTheirOutcomeIsAskedFor() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try SnapshotBackend(path: directory.appendingPathComponent("cache.snapshot").path)
        let first = try backend.send(batch: batch(0))
        let second = try backend.send(batch: batch(1))
        #expect(try committedEntries() == 0, "nothing is visible before the commit")
        #expect(try backend.receive(first) == Array(repeating: WriteOutcome.written, count: 100))
        #expect(try committedEntries() == 200, "asking for the first outcome commits both batches")
        #expect(try backend.receive(second).count == 100)
        // A limit commits without being asked: the 16th batch of a transaction.
        let pending = try (2..<(2 + SnapshotBackend.bulkBatchLimit)).map { try backend.send(batch: batch($0)) }
        #expect(try committedEntries() == Int64(100 * (2 + SnapshotBackend.bulkBatchLimit)))
        for item in pending { _ = try backend.receive(item) }
        // A plain write commits the open transaction first instead of nesting inside it.
        let open = try backend.send(batch: batch(100))
        _ = try backend.write(Entry(key: "single", value: Array("v".utf8), expiry: .never), ifAbsent: false)
        #expect(try committedEntries() == Int64(100 * (3 + SnapshotBackend.bulkBatchLimit) + 1))
        #expect(try backend.receive(open).count == 100)
        #expect(try backend.statistics().app.sets == Int64(100 * (3 + SnapshotBackend.bulkBatchLimit) + 1))
        #expect(try rows(backend, "SELECT count(*) FROM tags WHERE tag = 'all'") == Int64(100 * (3 + SnapshotBackend.bulkBatchLimit)))
    }

    @Test func aFailureRollsBackEveryBatchOfItsTransactionAndNothingElse() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try SnapshotBackend(path: directory.appendingPathComponent("cache.snapshot").path)
        let committed = try backend.send(batch: batch(0))
        #expect(try backend.receive(committed).count == 100)
        let pages = try rows(backend, "PRAGMA page_count")
        // The file may not grow much more: a disk that fills up in the middle of a transaction.
        _ = try backend.existingDatabase()?.scalar("PRAGMA max_page_count = \(pages + 200)")
        var pending: [PendingBatch] = []
        var failure: (any Error)?
        for number in 1..<50 {
            do {
                pending.append(try backend.send(batch: batch(number, value: 2000)))
            } catch {
                failure = error
                break
            }
        }
        #expect((failure as? CacheError) != nil, "the file filled up: \(String(describing: failure))")
        #expect(!pending.isEmpty, "some batches went into the transaction before it failed")
        for item in pending {
            #expect(throws: CacheError.self, "a batch of the rolled-back transaction reports the failure") { try backend.receive(item) }
        }
        _ = try backend.existingDatabase()?.scalar("PRAGMA max_page_count = 1000000")
        #expect(try committedEntries() == 100, "only the committed batch is in the file")
        #expect(try backend.statistics().app.sets == 100, "the counter moved with what was committed")
        #expect(try rows(backend, "SELECT count(*) FROM tags") == 200)
        // The backend goes on: the next batches get a transaction of their own.
        let after = try backend.send(batch: batch(60))
        #expect(try backend.receive(after).count == 100)
        #expect(try committedEntries() == 200)
    }
}
