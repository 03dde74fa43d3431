import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The snapshot file: the embedded backend, one local file holding what an in-memory cache holds.
///
/// ## File format, version 2
///
/// The file is an SQLite 3 database (https://sqlite.org/fileformat.html) in WAL journal mode, so
/// while a process uses it `PATH-wal` and `PATH-shm` may sit next to it; they belong to it and are
/// removed when the last process closes it cleanly. Any SQLite library can read it.
///
/// - `PRAGMA application_id` is 1667326824 (0x63616368, ASCII "cach"), stored big-endian at byte
///   offset 68 of the file.
/// - `PRAGMA user_version` is the format version, 2, at byte offset 60. A reader refuses a higher
///   version: it was written by a newer cachectl. Version 1 files are read as they are and
///   brought to version 2 by the first write (one transaction: the `value_id` column and the
///   `large_values` table are added, nothing is rewritten).
/// - Table `meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID` holds the rows
///   `format` = `cachectl-snapshot`, `version` = `2` and `created_at` (ISO 8601, UTC).
/// - Table `entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER, value_id INTEGER)
///   WITHOUT ROWID` holds one row per entry. `key` is the full store key (the key prefix followed
///   by the entry key, as in Redis), UTF-8. `value` is the value bytes as given, unless
///   `value_id` is set: then `value` is empty and the bytes are the `large_values` row with that
///   id. `expires_at` is the moment the entry expires, in milliseconds since 1970-01-01 UTC, or
///   NULL when it never expires. An entry whose `expires_at` is at or before the current time is
///   absent: readers ignore it and writers remove it (a bounded number per write). Index
///   `entries_by_expiry(expires_at)`.
/// - Table `large_values(id INTEGER PRIMARY KEY, value BLOB NOT NULL)` holds values of at least
///   64 KiB (version 1 kept them in `entries.value`, where some may still be). A table with
///   rowids allows SQLite's incremental blob I/O, so a large value is written and read in pieces
///   instead of being built whole in SQLite's memory beside the caller's copy. Each row belongs
///   to exactly one entry and is removed with it, in the same transaction.
/// - Table `tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID`
///   holds one row per tag membership: the tag's name (without the tag prefix) and the full store
///   key of the entry. Index `tags_by_key(key, tag)`.
/// - Table `counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID` holds the app
///   counters `hits`, `misses`, `sets`, `deletes` and `tag_invalidations`.
///
/// Writers change the file only inside `BEGIN IMMEDIATE` transactions, so concurrent processes
/// queue for the write lock (up to the timeout, at least 5 seconds) instead of losing writes, and a
/// process killed at any instant leaves either the old or the new state. A new file is built under
/// a temporary name in the same directory and linked into place complete, so no process ever sees
/// a half-made snapshot.
public final class SnapshotBackend: CacheBackend {
    /// `PRAGMA application_id`: "cach" in ASCII, telling our files from other SQLite databases.
    static let applicationID: Int64 = 0x6361_6368
    /// `PRAGMA user_version`: the format this version writes and the highest it reads.
    static let formatVersion: Int64 = 2
    /// Values at least this long are kept in `large_values` (format version 2).
    static let largeValueSize = 64 * 1024
    /// The `format` row of the `meta` table.
    static let formatName = "cachectl-snapshot"
    /// Expired rows removed per write transaction: enough to keep up with any writer, small
    /// enough that no write pays for the size of the file.
    static let purgeLimit: Int64 = 256
    /// The app counters the file keeps, in the order of `AppCounters.fieldNames`.
    static let counterNames = AppCounters.fieldNames

    /// Prefixes, timeouts and default lifetime.
    public let configuration: CacheConfiguration
    /// The path of the snapshot file, as given.
    public let path: String
    /// Always `snapshot`.
    public var kind: String { "snapshot" }
    /// `file:PATH`.
    public var endpointDescription: String { "file:\(path)" }

    /// The open connection; nil while the file does not exist, when reads see an empty cache.
    var database: SQLiteDatabase?
    /// How long to wait for another process's write lock.
    let busyTimeoutMilliseconds: Int32
    /// The format version of the file as of the transaction in progress (1 or 2), read at the
    /// start of each transaction: another process may bring a version 1 file to version 2 at any time.
    var fileVersion = SnapshotBackend.formatVersion
    /// A warmup's batches written into one open transaction (`SnapshotBackend+Bulk.swift`).
    var bulk = BulkTransaction()

    /// Opens the snapshot file at `path` when it exists, checking that it is one.
    ///
    /// A missing file is not created here. Under `.existing` it is refused (`.io`, naming the
    /// path: a typo must not read as an empty cache); under `.creatingOnWrite` reads see an empty
    /// cache and the first write creates it, in an existing directory only. Throws `.badInput` for
    /// a file that is not a cachectl snapshot, is damaged, or was written by a newer version,
    /// without changing it; `.io` when it cannot be read.
    public init(path: String, configuration: CacheConfiguration = CacheConfiguration(),
                access: BackendAccess = .creatingOnWrite) throws {
        self.path = path
        self.configuration = configuration
        let timeout = configuration.timeout.isFinite ? configuration.timeout * 1000 : 5000
        busyTimeoutMilliseconds = Int32(clamping: Int64(max(5000, min(timeout, Double(Int32.max)))))
        database = try Self.openExisting(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        if database == nil, access == .existing {
            throw CacheError(.io, "No snapshot file at \(path)",
                             hint: "check the path; set, warmup and migrate --to create the file, in an existing directory")
        }
    }

    // MARK: Helpers for this file and for extensions (tags, flush, migrate)

    /// The current time in the unit of `expires_at`: milliseconds since 1970.
    func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The open connection, or nil while the file does not exist.
    ///
    /// Checks again each time it is nil, so a long-lived backend sees a file another process
    /// created after it started.
    func existingDatabase() throws -> SQLiteDatabase? {
        if let database { return database }
        database = try Self.openExisting(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        return database
    }

    /// The open connection, creating the file (and its directory) first when it does not exist.
    func writableDatabase() throws -> SQLiteDatabase {
        if let database = try existingDatabase() { return database }
        try Self.createFile(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        guard let database = try existingDatabase() else {
            throw CacheError(.io, "Cannot create the snapshot file \(path): it vanished right after it was created")
        }
        return database
    }

    /// Runs `body` in one write transaction, creating the file when needed.
    ///
    /// Committed when `body` returns, rolled back when it throws. Each outermost transaction first
    /// purges up to `purgeLimit` expired entries, so the file does not grow without bound.
    @discardableResult
    func transaction<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        // A warmup's batches still in an open transaction are committed first: this write is on its own.
        try commitBulk()
        let database = try writableDatabase()
        let outermost = !database.isInTransaction
        return try database.writeTransaction {
            if outermost {
                try upgradeFormat(of: database)
                try purgeExpired(in: database, now: nowMilliseconds())
            }
            return try body(database)
        }
    }

    /// Brings a version 1 file to version 2 inside the write transaction just begun: adds the
    /// `value_id` column (a change of the schema only: no row is rewritten) and `large_values`.
    /// A crash before the commit leaves it at version 1, complete.
    func upgradeFormat(of database: SQLiteDatabase) throws {
        fileVersion = try Self.version(of: database)
        guard fileVersion < Self.formatVersion else { return }
        try database.executeScript("""
            ALTER TABLE entries ADD COLUMN value_id INTEGER;
            \(Self.largeValuesTable)
            UPDATE meta SET value = '\(Self.formatVersion)' WHERE name = 'version';
            PRAGMA user_version = \(Self.formatVersion);
            """)
        fileVersion = Self.formatVersion
    }

    /// `PRAGMA user_version`, inside the caller's transaction.
    static func version(of database: SQLiteDatabase) throws -> Int64 {
        try database.scalar("PRAGMA user_version")?.integerValue ?? 0
    }

    /// Runs `body` in one read transaction, or returns `empty` when the file does not exist
    /// (without creating it).
    func read<T>(empty: @autoclosure () -> T, _ body: (SQLiteDatabase) throws -> T) throws -> T {
        guard let database = try existingDatabase() else { return empty() }
        return try readTransaction(database) { try body(database) }
    }

    /// Runs `body` in one read transaction of `database`, knowing the file's version.
    func readTransaction<T>(_ database: SQLiteDatabase, _ body: () throws -> T) throws -> T {
        try database.readTransaction {
            fileVersion = try Self.version(of: database)
            return try body()
        }
    }

    /// The SQL condition that an entry row is live at `?N`: `expires_at` NULL or later than now.
    static func liveCondition(nowParameter: Int) -> String {
        "(expires_at IS NULL OR expires_at > ?\(nowParameter))"
    }

    /// Bounds of the store keys under `prefix`, for `key >= lower AND key < upper`, which an
    /// index range scan serves; nil when the prefix is empty (every key).
    static func keyRange(prefix: String) -> (lower: SQLiteValue, upper: SQLiteValue)? {
        guard !prefix.isEmpty else { return nil }
        // 0xFF never occurs in UTF-8, so prefix+0xFF sorts after every key starting with prefix
        // and before every other key greater than prefix.
        return (.text(prefix), .rawText(Array(prefix.utf8) + [0xFF]))
    }

    /// Whether a live entry is stored at `storeKey`.
    func isLive(_ storeKey: String, in database: SQLiteDatabase, now: Int64) throws -> Bool {
        try database.first("SELECT 1 FROM entries WHERE key = ?1 AND \(Self.liveCondition(nowParameter: 2))",
                           [.text(storeKey), .integer(now)]) { _ in true } ?? false
    }

    /// Stores `entry` at its store key, replacing any row and its tag memberships.
    func store(_ entry: Entry, in database: SQLiteDatabase, now: Int64) throws {
        let storeKey = configuration.storeKey(entry.key)
        let expiresAt: Int64? = entry.expiry.milliseconds.map { milliseconds in
            let (sum, overflow) = now.addingReportingOverflow(milliseconds)
            return overflow ? (milliseconds > 0 ? .max : .min) : sum
        }
        var valueID: Int64?
        if entry.value.count >= Self.largeValueSize {
            // Rewriting a row reads its old value whole into memory first (a version 1 file may
            // hold large values in the row); removing the row costs only a walk of its pages.
            // The pages of the old and new value pass through the page cache once each: a small
            // cache meanwhile keeps what SQLite holds beside the caller's copy at 2 MiB, not 16.
            valueID = try database.withCacheSize(kibibytes: SQLiteDatabase.blobCacheKibibytes) {
                _ = try deleteRow(storeKey, in: database)
                return try insertLargeValue(entry.value, in: database)
            }
        }
        let bindings: [SQLiteValue] = [.text(storeKey), valueID == nil ? .blob(entry.value) : .blob([]), .integer(expiresAt), .integer(valueID)]
        // A new key has no tag rows to remove: only a replaced row pays for the DELETE (a fresh
        // warmup then runs one statement per entry and tag, the way a bulk loader does).
        let inserted = try database.execute("""
            INSERT INTO entries(key, value, expires_at, value_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO NOTHING
            """, bindings) > 0
        if !inserted {
            try database.execute("DELETE FROM large_values WHERE id = (SELECT value_id FROM entries WHERE key = ?1)", [.text(storeKey)])
            try database.execute("UPDATE entries SET value = ?2, expires_at = ?3, value_id = ?4 WHERE key = ?1", bindings)
            try database.execute("DELETE FROM tags WHERE key = ?1", [.text(storeKey)])
        }
        // INSERT OR IGNORE skips a tag given twice.
        for tag in entry.tags ?? [] {
            try database.execute("INSERT OR IGNORE INTO tags(tag, key) VALUES (?1, ?2)", [.text(tag), .text(storeKey)])
        }
    }

    /// Writes a large value into a new `large_values` row, in pieces from the entry's own bytes
    /// (`zeroblob` reserves the row without building it in memory); returns the row's id.
    private func insertLargeValue(_ value: [UInt8], in database: SQLiteDatabase) throws -> Int64 {
        try database.execute("INSERT INTO large_values(value) VALUES (zeroblob(?1))", [.integer(Int64(value.count))])
        let id = database.lastInsertRowID
        try value.withUnsafeBytes { try database.writeBlob("large_values", "value", rowid: id, from: $0) }
        return id
    }

    /// Deletes the row at `storeKey` with its large value and tag memberships (a write
    /// transaction, so the file is at version 2); returns whether there was a row.
    private func deleteRow(_ storeKey: String, in database: SQLiteDatabase) throws -> Bool {
        try database.execute("DELETE FROM large_values WHERE id = (SELECT value_id FROM entries WHERE key = ?1)", [.text(storeKey)])
        guard try database.execute("DELETE FROM entries WHERE key = ?1", [.text(storeKey)]) > 0 else { return false }
        try database.execute("DELETE FROM tags WHERE key = ?1", [.text(storeKey)])
        return true
    }

    /// Removes the row at `storeKey` and its tag memberships; returns whether it was live.
    func remove(_ storeKey: String, in database: SQLiteDatabase, now: Int64) throws -> Bool {
        let live = try isLive(storeKey, in: database, now: now)
        _ = try deleteRow(storeKey, in: database)
        return live
    }

    /// The columns `value, expires_at, value_id` for a query on `entries` in the file's version
    /// (a version 1 file has no `value_id`: NULL).
    var valueColumns: String {
        fileVersion >= 2 ? "value, expires_at, value_id" : "value, expires_at, NULL"
    }

    /// The SQL expression of a row's value length in the file's version, for a query on `entries`.
    var valueLength: String {
        fileVersion >= 2
            ? "coalesce((SELECT length(l.value) FROM large_values l WHERE l.id = entries.value_id), length(entries.value))"
            : "length(value)"
    }

    /// A row's value: the `value` column, or its `large_values` row read straight into one array.
    func value(_ inline: [UInt8], id: Int64?, in database: SQLiteDatabase) throws -> [UInt8] {
        guard let id else { return inline }
        return try database.readBlob("large_values", "value", rowid: id)
    }

    /// The large values of the rows a condition on `entries` selects, deleted before the rows.
    static func deleteLargeValues(where condition: String) -> String {
        "DELETE FROM large_values WHERE id IN (SELECT value_id FROM entries WHERE \(condition))"
    }

    /// Adds to app counters (`sets`, `deletes`, `tag_invalidations`, …) inside the caller's transaction.
    func addToCounters(_ deltas: KeyValuePairs<String, Int64>, in database: SQLiteDatabase) throws {
        for (name, delta) in deltas where delta != 0 {
            try database.execute("""
                INSERT INTO counters(name, value) VALUES (?1, ?2)
                ON CONFLICT(name) DO UPDATE SET value = value + excluded.value
                """, [.text(name), .integer(delta)])
        }
    }

    /// Removes up to `limit` expired entries and their tag memberships; returns how many.
    ///
    /// Walks `entries_by_expiry` from the oldest, so the cost depends on `limit`, not on the file.
    @discardableResult
    func purgeExpired(in database: SQLiteDatabase, now: Int64, limit: Int64 = SnapshotBackend.purgeLimit) throws -> Int {
        let expired = "SELECT key FROM entries WHERE expires_at <= ?1 ORDER BY expires_at, key LIMIT ?2"
        try database.execute(Self.deleteLargeValues(where: "key IN (\(expired))"), [.integer(now), .integer(limit)])
        try database.execute("DELETE FROM tags WHERE key IN (\(expired))", [.integer(now), .integer(limit)])
        return try database.execute("DELETE FROM entries WHERE key IN (\(expired))", [.integer(now), .integer(limit)])
    }

    // MARK: CacheBackend

    /// Reads entries with their remaining lifetime and their tags, sorted; nil for missing keys.
    public func entries(_ keys: [String]) throws -> [Entry?] {
        try read(empty: [Entry?](repeating: nil, count: keys.count)) { database in
            let now = nowMilliseconds()
            return try keys.map { try entry($0, leavingLargeValue: false, in: database, now: now)?.entry }
        }
    }

    /// Reads entries like `entries`, leaving each value kept in `large_values` in the file, to be
    /// read in pieces straight from SQLite's pages (`sqlite3_blob_read`) while `body` runs inside
    /// the same read transaction: printing a 50 MB value never holds it whole.
    public func lookup<T>(_ keys: [String], leavingLargeValues largeValueSize: Int,
                          _ body: (_ lookups: [EntryLookup], _ stored: [StoredValue?]) throws -> T) throws -> T {
        guard let database = try existingDatabase() else {
            return try body([EntryLookup](repeating: .missing, count: keys.count), [StoredValue?](repeating: nil, count: keys.count))
        }
        return try readTransaction(database) {
            let now = nowMilliseconds()
            var lookups: [EntryLookup] = []
            var stored: [StoredValue?] = []
            for key in keys {
                guard var found = try entry(key, leavingLargeValue: true, in: database, now: now) else {
                    lookups.append(.missing)
                    stored.append(nil)
                    continue
                }
                if let large = found.stored, large.count < largeValueSize {
                    found.entry.value = try large.bytes()
                    found.stored = nil
                }
                lookups.append(.entry(found.entry))
                stored.append(found.stored)
            }
            return try body(lookups, stored)
        }
    }

    /// The live entry at `key` with its tags, or nil; with `leavingLargeValue`, a value kept in
    /// `large_values` is not read: the entry's value is empty and `stored` reads it in pieces
    /// (valid inside the caller's transaction only).
    private func entry(_ key: String, leavingLargeValue: Bool, in database: SQLiteDatabase, now: Int64) throws -> (entry: Entry, stored: StoredValue?)? {
        let storeKey = configuration.storeKey(key)
        guard let (inline, expiresAt, valueID) = try database.first(
            "SELECT \(valueColumns) FROM entries WHERE key = ?1 AND \(Self.liveCondition(nowParameter: 2))",
            [.text(storeKey), .integer(now)], { ($0.blob(0), $0.optionalInteger(1), $0.optionalInteger(2)) })
        else { return nil }
        var stored: StoredValue?
        var value = inline
        if let valueID {
            if leavingLargeValue {
                stored = StoredValue(count: try database.blobSize("large_values", "value", rowid: valueID)) { sink in
                    try database.readBlob("large_values", "value", rowid: valueID, into: sink)
                }
            } else {
                value = try self.value(inline, id: valueID, in: database)
            }
        }
        var tags: [String] = []
        try database.query("SELECT tag FROM tags WHERE key = ?1 ORDER BY tag", [.text(storeKey)]) {
            tags.append($0.text(0))
        }
        let expiry: Expiry = expiresAt.map { .milliseconds($0 - now) } ?? .never
        return (Entry(key: key, value: value, expiry: expiry, tags: tags), stored)
    }

    /// Tells which keys hold live entries.
    public func exists(_ keys: [String]) throws -> [Bool] {
        try read(empty: [Bool](repeating: false, count: keys.count)) { database in
            let now = nowMilliseconds()
            return try keys.map { try isLive(configuration.storeKey($0), in: database, now: now) }
        }
    }

    /// Writes one entry, its lifetime and its tags in one transaction; an expired row counts as absent.
    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool {
        try transaction { database in
            let now = nowMilliseconds()
            if ifAbsent, try isLive(configuration.storeKey(entry.key), in: database, now: now) { return false }
            try store(entry, in: database, now: now)
            try addToCounters(["sets": 1], in: database)
            return true
        }
    }

    /// Writes a batch in one transaction; with `onlyMissing`, live keys are left as they are.
    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] {
        guard !batch.isEmpty else { return [] }
        return try transaction { database in
            let now = nowMilliseconds()
            var written: [Bool] = []
            written.reserveCapacity(batch.count)
            for entry in batch {
                if onlyMissing, try isLive(configuration.storeKey(entry.key), in: database, now: now) {
                    written.append(false)
                    continue
                }
                try store(entry, in: database, now: now)
                written.append(true)
            }
            try addToCounters(["sets": Int64(written.lazy.filter { $0 }.count)], in: database)
            return written
        }
    }

    /// Deletes entries and their tag memberships; returns how many live entries there were.
    public func delete(_ keys: [String]) throws -> Int {
        // Nothing to delete in a file that does not exist, and no reason to create it.
        guard !keys.isEmpty, try existingDatabase() != nil else { return 0 }
        return try transaction { database in
            let now = nowMilliseconds()
            var deleted = 0
            for key in keys {
                if try remove(configuration.storeKey(key), in: database, now: now) { deleted += 1 }
            }
            try addToCounters(["deletes": Int64(deleted)], in: database)
            return deleted
        }
    }

    /// Times one read of the file; a missing file answers too, as an empty cache.
    public func ping() throws -> PingReport {
        let start = ContinuousClock.now
        var version = Self.formatVersion
        if let database = try existingDatabase() {
            _ = try database.scalar("SELECT value FROM meta WHERE name = 'version'")
            version = try Self.version(of: database)
        } else {
            _ = FileManager.default.fileExists(atPath: path)
        }
        return PingReport(backend: kind, endpoint: endpointDescription, latency: Self.seconds(since: start),
                          version: "snapshot format \(version)", role: nil)
    }

    /// The app counters, live entries under the key prefix, distinct tags and the file's size.
    public func statistics() throws -> BackendStatistics {
        let (app, entryCount, tagCount) = try read(empty: (AppCounters(), Int64(0), Int64(0))) { database in
            var fields: [String: Int64] = [:]
            try database.query("SELECT name, value FROM counters") { fields[$0.text(0)] = $0.integer(1) }
            // All rows minus the expired ones: a plain count walks the smallest index without
            // looking at rows, and the expired ones are a short range of `entries_by_expiry`
            // (writers purge them), whereas testing each row's expiry would read all of them.
            let now = SQLiteValue.integer(nowMilliseconds())
            let rows: Int64, expired: Int64
            if let bounds = Self.keyRange(prefix: configuration.keyPrefix) {
                rows = try database.scalar("SELECT count(*) FROM entries WHERE key >= ?1 AND key < ?2",
                                           [bounds.lower, bounds.upper])?.integerValue ?? 0
                expired = try database.scalar("""
                    SELECT count(*) FROM entries INDEXED BY entries_by_expiry
                    WHERE expires_at <= ?1 AND key >= ?2 AND key < ?3
                    """, [now, bounds.lower, bounds.upper])?.integerValue ?? 0
            } else {
                rows = try database.scalar("SELECT count(*) FROM entries")?.integerValue ?? 0
                expired = try database.scalar(
                    "SELECT count(*) FROM entries INDEXED BY entries_by_expiry WHERE expires_at <= ?1",
                    [now])?.integerValue ?? 0
            }
            let entryCount = rows - expired
            // DISTINCT in a subquery walks the primary key in tag order; count(DISTINCT) would sort.
            let tagCount = try database.scalar("SELECT count(*) FROM (SELECT DISTINCT tag FROM tags)")?.integerValue ?? 0
            return (AppCounters(fields: fields), entryCount, tagCount)
        }
        let latency = try ping().latency
        return BackendStatistics(backend: kind, endpoint: endpointDescription, app: app, server: nil,
                                 entries: entryCount, tags: tagCount, memoryBytes: fileBytes(), pingLatency: latency)
    }

    /// Adds an application's reads to `hits` and `misses`.
    public func recordReads(hits: Int, misses: Int) throws {
        guard hits != 0 || misses != 0 else { return }
        try transaction { database in
            try addToCounters(["hits": Int64(hits), "misses": Int64(misses)], in: database)
        }
    }

    /// Sets every app counter to zero; a missing file already has none.
    public func resetCounters() throws {
        guard try existingDatabase() != nil else { return }
        try transaction { database in
            try database.execute("UPDATE counters SET value = 0")
        }
    }

    // MARK: Opening and creating

    /// The bytes of the file and its write-ahead log: what the snapshot occupies on disk.
    func fileBytes() -> Int64 {
        [path, path + "-wal"].reduce(Int64(0)) { total, file in
            var info = stat()
            return stat(file, &info) == 0 ? total + Int64(info.st_size) : total
        }
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static func refusal(_ path: String, _ reason: String) -> CacheError {
        CacheError(.badInput, "Refusing to use \(path): it is not a cachectl snapshot file (\(reason))",
                   hint: "point --url or CACHECTL_SNAPSHOT at a snapshot file, or move this file aside")
    }

    private static func damaged(_ path: String, _ reason: String) -> CacheError {
        CacheError(.badInput, "Refusing to use \(path): the snapshot file is damaged (\(reason))",
                   hint: "move it aside; the next write starts a new, empty snapshot")
    }

    private static func tooNew(_ path: String, _ version: Int64) -> CacheError {
        CacheError(.badInput, "Refusing to use \(path): it was written by a newer cachectl (snapshot format \(version); this version reads format \(formatVersion))",
                   hint: "upgrade cachectl")
    }

    /// Checks the first 100 bytes of the file before SQLite sees it; returns false when there is no file.
    ///
    /// Reading the header ourselves means a foreign file is refused without SQLite ever opening
    /// it, so not even a -wal or -shm file appears next to it.
    private static func checkHeader(path: String) throws -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw CacheError(.io, "Cannot read the snapshot file \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw refusal(path, "it is a directory")
        }
        var header = [UInt8](repeating: 0, count: 100)
        var filled = 0
        while filled < header.count {
            let count = header.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CacheError(.io, "Cannot read the snapshot file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        if filled == 0 { throw refusal(path, "it is empty") }
        guard filled >= 16, header[0..<16].elementsEqual(Array("SQLite format 3".utf8) + [0]) else {
            throw refusal(path, "it is not an SQLite database")
        }
        guard filled == 100 else { throw damaged(path, "the header is cut short") }
        func bigEndian(at offset: Int) -> Int64 {
            Int64(header[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        try checkIdentity(path: path, applicationID: bigEndian(at: 68), version: bigEndian(at: 60))
        return true
    }

    private static func checkIdentity(path: String, applicationID: Int64, version: Int64) throws {
        guard applicationID == Self.applicationID else {
            throw refusal(path, applicationID == 0 ? "it is an SQLite database of another application"
                : "it is an SQLite database of another application, application_id \(applicationID)")
        }
        guard version <= formatVersion else { throw tooNew(path, version) }
        guard version >= 1 else { throw damaged(path, "it has no format version") }
    }

    /// Opens and checks an existing snapshot; nil when there is no file at `path`.
    private static func openExisting(path: String, busyTimeoutMilliseconds: Int32) throws -> SQLiteDatabase? {
        guard try checkHeader(path: path) else { return nil }
        let database = try SQLiteDatabase(path: path, create: false, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        do {
            try checkContents(of: database, path: path)
        } catch let error as CacheError where error.kind == .badInput {
            database.refuse()
            throw error
        }
        // Only now that the file is known to be ours may anything change it. Our files are WAL
        // already; this only repairs one that another tool switched back.
        try database.execute("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = NORMAL")
        database.keepWriteAheadLogOnClose()
        return database
    }

    /// The checks every open makes before anything may change the file, each a few page reads:
    /// the identity pragmas (the header may be older than the WAL), the meta table's format row,
    /// and that every table has the format's columns, so that damage in the schema text is
    /// refused as damage (65) instead of failing later as an SQL error.
    private static func checkContents(of database: SQLiteDatabase, path: String) throws {
        do {
            let applicationID = try database.scalar("PRAGMA application_id")?.integerValue ?? 0
            let version = try database.scalar("PRAGMA user_version")?.integerValue ?? 0
            try checkIdentity(path: path, applicationID: applicationID, version: version)
            let format = try database.scalar("SELECT value FROM meta WHERE name = 'format'")?.textValue
            guard format == formatName else {
                throw damaged(path, "its meta table does not name the format \(formatName)")
            }
            // typeof() names a value column without loading it (a first row may hold 50 MB).
            var tables = ["key, typeof(value), expires_at FROM entries", "tag, key FROM tags", "name, value FROM counters"]
            if version >= 2 { tables += ["value_id FROM entries", "id, typeof(value) FROM large_values"] }
            for columns in tables {
                _ = try database.first("SELECT \(columns) LIMIT 1") { _ in true }
            }
        } catch let error as CacheError where error.kind == .failed {
            throw damaged(path, error.message)
        }
    }

    /// The table of large values (format version 2): a rowid table, so its blobs can be read and
    /// written in pieces. `value` is its only stored column, so `zeroblob` stays a count of zeros
    /// until SQLite writes the row's pages.
    static let largeValuesTable = "CREATE TABLE IF NOT EXISTS large_values(id INTEGER PRIMARY KEY, value BLOB NOT NULL);"

    private static let schema = """
        PRAGMA application_id = \(applicationID);
        PRAGMA user_version = \(formatVersion);
        CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS entries(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER, value_id INTEGER) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries(expires_at);
        \(largeValuesTable)
        CREATE TABLE IF NOT EXISTS tags(tag TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, key)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS tags_by_key ON tags(key, tag);
        CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta(name, value) VALUES ('format', '\(formatName)'), ('version', '\(formatVersion)');
        INSERT OR IGNORE INTO counters(name, value) VALUES \(counterNames.map { "('\($0)', 0)" }.joined(separator: ", "));
        """

    /// Builds a new snapshot under a temporary name and links it into place.
    ///
    /// `link` never replaces an existing file, so when two processes create the snapshot at once
    /// one link wins and the other process simply opens the winner's file; nobody ever sees an
    /// empty or half-initialised file at `path` (which would be refused as foreign).
    private static func createFile(path: String, busyTimeoutMilliseconds: Int32) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        // Only cachectl's own default directory is made on demand: any other missing directory is
        // most likely a typo, and creating a tree for it would hide the mistake.
        try Endpoint.createDefaultDirectory(containing: path)
        var info = stat()
        if stat(directory.path, &info) != 0 {
            let code = errno
            throw CacheError(.io, "Cannot create the snapshot file \(path): the directory \(directory.path) \(code == ENOENT ? "does not exist" : String(cString: strerror(code)))",
                             hint: code == ENOENT ? "check the path, or create the directory first" : nil)
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        do {
            let database = try SQLiteDatabase(path: temporary, create: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            try database.execute("PRAGMA journal_mode = WAL")
            try database.writeTransaction {
                try database.executeScript(schema)
                try database.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('created_at', ?1)",
                                     [.text(Date().ISO8601Format())])
            }
            // Leaving scope closes the connection, which checkpoints the WAL into the file: the
            // linked file is complete on its own.
            database.keepWriteAheadLogOnClose(false)
        } catch let error as CacheError {
            throw CacheError(error.kind, error.message.replacing(temporary, with: path), hint: error.hint)
        }
        if link(temporary, path) != 0 {
            let code = errno
            // Another process linked its new snapshot first: use that one.
            guard code == EEXIST else {
                throw CacheError(.io, "Cannot create the snapshot file \(path): \(String(cString: strerror(code)))")
            }
        }
    }
}
