@testable import CacheClient
import Foundation
import Testing

/// Format version 2 (large values in `large_values`, read and written in pieces) and version 1
/// files, made here by SQL exactly as version 1 was specified: read as they are, brought forward
/// by the first write in the same transaction, and never left half-way.
@Suite("Snapshot format versions")
struct SnapshotFormatTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-format-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("cache.snapshot").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Deterministic bytes, different per seed.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static let inlineLarge = bytes(200_000, seed: 1)
    static let small = Array("small".utf8)

    /// A version 1 file as cachectl 1 wrote it: the schema of format 1, a large value kept in
    /// its row, a small one, an expired large one, tags and counters; WAL mode, checkpointed.
    func makeVersion1File() throws {
        let database = try SQLiteDatabase(path: path, create: true, busyTimeoutMilliseconds: 1000)
        try database.execute("PRAGMA journal_mode = WAL")
        try database.writeTransaction {
            try database.executeScript("""
                PRAGMA application_id = 1667326824;
                PRAGMA user_version = 1;
                CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER) WITHOUT ROWID;
                CREATE INDEX entries_by_expiry ON entries(expires_at);
                CREATE TABLE tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID;
                CREATE INDEX tags_by_key ON tags(key, tag);
                CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta(name, value) VALUES ('format', 'cachectl-snapshot'), ('version', '1'), ('created_at', '2026-01-01T00:00:00Z');
                INSERT INTO counters(name, value) VALUES ('hits', 0), ('misses', 0), ('sets', 3), ('deletes', 0), ('tag_invalidations', 0);
                INSERT INTO tags(tag, key) VALUES ('big', 'large'), ('all', 'large'), ('all', 'small');
                """)
            try database.execute("INSERT INTO entries(key, value, expires_at) VALUES ('large', ?1, NULL), ('small', ?2, NULL), ('expired', ?1, 1)",
                                 [.blob(Self.inlineLarge), .blob(Self.small)])
        }
        database.keepWriteAheadLogOnClose(false)
    }

    func fileBytes() throws -> [String: Data] {
        var all: [String: Data] = [:]
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { all[suffix] = data }
        }
        return all
    }

    func scalar(_ sql: String) throws -> SQLiteValue? {
        try SQLiteDatabase(path: path, create: false, busyTimeoutMilliseconds: 1000).scalar(sql)
    }

    @Test("a version 1 file is read as it is, and reading changes nothing in it")
    func readsVersion1() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeVersion1File()
        let before = try fileBytes()
        let backend = try SnapshotBackend(path: path)
        #expect(try backend.ping().version == "snapshot format 1")
        let entries = try backend.entries(["large", "small", "expired", "missing"])
        #expect(entries[0]?.value == Self.inlineLarge)
        #expect(entries[0]?.tags == ["all", "big"])
        #expect(entries[1]?.value == Self.small)
        #expect(entries[2] == nil && entries[3] == nil)
        // The streaming read has nothing to leave in a version 1 row: the value comes whole.
        try backend.lookup(["large"], leavingLargeValues: 1000) { lookups, stored in
            #expect(lookups == [entries[0].map(EntryLookup.entry) ?? .missing])
            #expect(stored.count == 1 && stored[0] == nil)
        }
        #expect(try backend.statistics().entries == 2)
        var sizes: [String: Int64] = [:]
        try backend.scanKeys(KeyFilter(type: "string"), details: [], shouldStop: { false }, scanned: { _ in }) { page in
            for info in page { sizes[info.key] = info.size }
        }
        #expect(sizes == ["large": Int64(Self.inlineLarge.count), "small": Int64(Self.small.count)])
        let page = try backend.entryPage(after: nil, limit: 10)
        #expect(page.map(\.key) == ["large", "small"] && page[0].value == Self.inlineLarge)
        #expect(try backend.checkHealth(pattern: nil).problems.isEmpty)
        let after = try fileBytes()
        #expect(after[""] == before[""], "reads never bring a file forward")
        #expect(after["-wal"]?.isEmpty ?? true, "nothing was written")
        #expect(try scalar("PRAGMA user_version") == .integer(1))
    }

    @Test("the first write brings a version 1 file to version 2; every old entry stays readable")
    func firstWriteUpgrades() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeVersion1File()
        let backend = try SnapshotBackend(path: path)
        let newLarge = Self.bytes(300_000, seed: 2)
        #expect(try backend.write(Entry(key: "new", value: newLarge, expiry: .never, tags: ["all"]), ifAbsent: false))
        #expect(try scalar("PRAGMA user_version") == .integer(2))
        #expect(try scalar("SELECT value FROM meta WHERE name = 'version'") == .text("2"))
        #expect(try backend.ping().version == "snapshot format 2")
        #expect(try backend.entries(["large", "small", "new"]).map { $0?.value } == [Self.inlineLarge, Self.small, newLarge])
        // The new value lives in large_values, the old one stays in its row until rewritten.
        #expect(try scalar("SELECT length(value) FROM entries WHERE key = 'new'") == .integer(0))
        #expect(try scalar("SELECT length(value) FROM large_values") == .integer(Int64(newLarge.count)))
        #expect(try scalar("SELECT length(value) FROM entries WHERE key = 'large'") == .integer(Int64(Self.inlineLarge.count)))
        var sizes: [String: Int64] = [:]
        try backend.scanKeys(KeyFilter(type: "string"), details: [], shouldStop: { false }, scanned: { _ in }) { page in
            for info in page { sizes[info.key] = info.size }
        }
        #expect(sizes == ["large": Int64(Self.inlineLarge.count), "small": Int64(Self.small.count), "new": Int64(newLarge.count)],
                "keys and usage see a large value's size")
        // Rewriting the old large entry moves it over; a small value over a large one frees its row.
        let rewritten = Self.bytes(150_000, seed: 3)
        #expect(try backend.write(Entry(key: "large", value: rewritten, expiry: .seconds(3600), tags: ["big"]), ifAbsent: false))
        #expect(try backend.write(Entry(key: "new", value: Self.small, expiry: .never), ifAbsent: false))
        #expect(try backend.entries(["large", "new"]).map { $0?.value } == [rewritten, Self.small])
        #expect(try backend.entries(["large"]).first??.tags == ["big"])
        #expect(try scalar("SELECT count(*) FROM large_values") == .integer(1))
        #expect(try backend.checkHealth(pattern: nil).problems.isEmpty)
    }

    @Test("a write that fails after the upgrade leaves the file at version 1, complete")
    func failedUpgradeRollsBack() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeVersion1File()
        let backend = try SnapshotBackend(path: path)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try backend.transaction { database in
                try backend.store(Entry(key: "new", value: Self.bytes(100_000, seed: 4), expiry: .never), in: database, now: backend.nowMilliseconds())
                throw Abort()
            }
        }
        #expect(try scalar("PRAGMA user_version") == .integer(1))
        #expect(try scalar("SELECT count(*) FROM sqlite_master WHERE name = 'large_values'") == .integer(0))
        #expect(try SnapshotBackend(path: path).entries(["large", "new"]).map { $0?.value } == [Self.inlineLarge, nil])
    }

    @Test("a reader opened on version 1 sees what another process wrote after bringing the file forward")
    func readerFollowsAnUpgradeByAnotherConnection() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeVersion1File()
        let reader = try SnapshotBackend(path: path)
        #expect(try reader.entries(["small"]).first??.value == Self.small)
        let newLarge = Self.bytes(120_000, seed: 5)
        _ = try SnapshotBackend(path: path).write(Entry(key: "small", value: newLarge, expiry: .never), ifAbsent: false)
        #expect(try reader.entries(["small"]).first??.value == newLarge, "read as version 2, not as the row's empty value")
        // And its own writes follow the new format: the rewrite frees the large row.
        #expect(try reader.write(Entry(key: "small", value: Self.small, expiry: .never), ifAbsent: false))
        #expect(try scalar("SELECT count(*) FROM large_values") == .integer(0))
    }

    @Test("every way an entry goes takes its large value with it")
    func largeValuesLeaveWithTheirEntries() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try SnapshotBackend(path: path)
        func large(_ key: String, tags: [String], expiry: Expiry = .never) -> Entry {
            Entry(key: key, value: Self.bytes(70_000, seed: UInt64(key.utf8.count)), expiry: expiry, tags: tags)
        }
        _ = try backend.write(batch: [large("a", tags: ["t"]), large("b", tags: ["t"]), large("c", tags: []), large("p:1", tags: []),
                                      large("p:2", tags: []), large("e", tags: [], expiry: .milliseconds(1)), large("d", tags: [])],
                              onlyMissing: false)
        func rows() throws -> Int64? { try scalar("SELECT count(*) FROM large_values")?.integerValue }
        #expect(try rows() == 7)
        usleep(5000)
        _ = try backend.write(Entry(key: "x", value: Self.small, expiry: .never), ifAbsent: false)
        #expect(try rows() == 6, "an expired entry is purged with its value")
        #expect(try backend.delete(["d"]) == 1)
        #expect(try rows() == 5)
        #expect(try backend.invalidate(tag: "t", dryRun: false, listLimit: 0).deleted == 2)
        #expect(try rows() == 3)
        #expect(try backend.flush(scope: .prefix("p:"), dryRun: false, listLimit: 0).deleted == 2)
        #expect(try rows() == 1)
        #expect(try backend.flush(scope: .all, dryRun: false, listLimit: 0).deleted == 2)
        #expect(try rows() == 0)
        #expect(try backend.checkHealth(pattern: nil).problems.isEmpty)
    }

    @Test("lookup leaves a large value in the file and hands it out in pieces, in order")
    func streamedRead() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backend = try SnapshotBackend(path: path)
        let value = Self.bytes(3 * SQLiteDatabase.blobPieceSize + 17, seed: 6)
        _ = try backend.write(batch: [Entry(key: "big", value: value, expiry: .never, tags: ["x"]),
                                      Entry(key: "medium", value: Self.bytes(70_000, seed: 7), expiry: .never)], onlyMissing: false)
        try backend.lookup(["big", "medium", "none"], leavingLargeValues: 100_000) { lookups, stored in
            guard case .entry(let entry) = lookups[0] else { Issue.record("big is missing"); return }
            #expect(entry.value.isEmpty && entry.tags == ["x"])
            let big = try #require(stored[0])
            #expect(big.count == value.count)
            var pieces: [Int] = []
            var read: [UInt8] = []
            try big.read { pieces.append($0.count); read.append(contentsOf: $0) }
            #expect(read == value)
            #expect(pieces.count == 4 && pieces.allSatisfy { $0 <= SQLiteDatabase.blobPieceSize })
            // Below the threshold the value comes whole, in its entry.
            guard case .entry(let medium) = lookups[1] else { Issue.record("medium is missing"); return }
            #expect(medium.value.count == 70_000 && stored[1] == nil)
            #expect(lookups[2] == .missing && stored[2] == nil)
        }
    }

    @Test("an entry whose large value is gone is damage: refused with badInput, and check names it")
    func missingLargeValueIsDamage() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SnapshotBackend(path: path).write(Entry(key: "big", value: Self.bytes(90_000, seed: 8), expiry: .never), ifAbsent: false)
        try SQLiteDatabase(path: path, create: false, busyTimeoutMilliseconds: 1000).execute("DELETE FROM large_values")
        let backend = try SnapshotBackend(path: path)
        var kind: CacheError.Kind?
        do { _ = try backend.entries(["big"]) } catch let error as CacheError { kind = error.kind }
        #expect(kind == .badInput)
        let report = try SnapshotBackend(path: path).checkHealth(pattern: nil)
        #expect(report.problems.map(\.kind) == [.damaged])
        #expect(report.problems.first?.detail.contains("large value") == true)
    }
}
