import CSQLite
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A value bound to a statement parameter or read from a result column.
enum SQLiteValue: Equatable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Text bound byte for byte, even when not valid UTF-8: the upper bound of a key range is
    /// the prefix followed by 0xFF, which sorts after every UTF-8 continuation of the prefix.
    case rawText([UInt8])
    case blob([UInt8])

    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(nilLiteral: ()) { self = .null }

    /// `.integer`, or `.null` for nil: the shape of a nullable INTEGER column such as `expires_at`.
    static func integer(_ value: Int64?) -> SQLiteValue {
        value.map { .integer($0) } ?? .null
    }

    /// The integer, when this is one.
    var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The text, when this is text.
    var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

/// One result row, valid only inside the `query` callback that receives it.
///
/// The statement pointer stays private: the row can be read, never kept past the callback in a
/// useful state, which is what keeps C pointers inside this file.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    /// The number of columns.
    var count: Int32 { sqlite3_column_count(statement) }

    /// Whether the column holds NULL.
    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    /// The column as an integer (0 for NULL).
    func integer(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    /// The column as an integer, nil for NULL.
    func optionalInteger(_ column: Int32) -> Int64? {
        isNull(column) ? nil : sqlite3_column_int64(statement, column)
    }

    /// The column as UTF-8 text ("" for NULL).
    func text(_ column: Int32) -> String {
        // Fetch the pointer before the length: the order SQLite documents for conversions.
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as bytes (empty for NULL or a zero-length blob).
    func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column as a Swift value of its storage class.
    func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(integer(column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT: return .text(text(column))
        case SQLITE_BLOB: return .blob(blob(column))
        default: return .null
        }
    }
}

/// A prepared statement kept for reuse, and whether it is being stepped right now.
private final class CachedStatement {
    let statement: OpaquePointer
    var inUse = false
    init(_ statement: OpaquePointer) { self.statement = statement }
}

/// One connection to one SQLite file: the only code in the project that touches the SQLite C API.
///
/// Statements run often (point reads and writes, batch writes) are prepared once and kept, keyed by
/// their SQL text, so a batch of thousands of writes parses each statement once. Every SQLite
/// failure becomes a `CacheError` naming the file: damage is `.badInput`, locks are `.busy`, the
/// file system's refusals are `.io`.
final class SQLiteDatabase {
    /// The file this connection uses, as given.
    let path: String
    private let handle: OpaquePointer
    /// Prepared statements by their SQL text; one dictionary lookup per use (a bulk write runs
    /// several statements per entry, so hashing the SQL text more than once showed in profiles).
    private var cache: [String: CachedStatement] = [:]
    private var transactionDepth = 0
    private let busyTimeoutMilliseconds: Int32
    /// Whether `-wal` or `-shm` were beside the file before this connection opened it.
    private let sideFilesExisted: Bool
    /// Set when the file was refused (damaged, foreign): it must be left exactly as it was found.
    private(set) var refused = false

    /// Opens `path`, creating it only when `create` is set; waits up to `busyTimeoutMilliseconds`
    /// for other connections' locks.
    init(path: String, create: Bool, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sideFilesExisted = access(path + "-wal", F_OK) == 0 || access(path + "-shm", F_OK) == 0
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let error = opened.map { Self.error(code: code, handle: $0, path: path, doing: "open") }
                ?? CacheError(.io, "Cannot open the snapshot file \(path): out of memory")
            sqlite3_close_v2(opened)
            throw error
        }
        handle = opened
        sqlite3_extended_result_codes(handle, 0)
        // Waiting for another connection's lock: try again every millisecond, up to the timeout.
        // (sqlite3_busy_timeout backs off to 100 ms between tries, and a writer that commits and
        // begins again within a few milliseconds — a bulk warmup — would starve such a waiter.)
        sqlite3_busy_handler(handle, { context, tries in
            guard Int(tries) < Int(bitPattern: context) else { return 0 }
            usleep(1000)
            return 1
        }, UnsafeMutableRawPointer(bitPattern: Int(busyTimeoutMilliseconds)))
        // Nothing is written back on close unless a caller asks for it: a file that turns out to
        // be damaged or foreign must keep its pending WAL instead of having it checkpointed into it.
        _ = cachectl_sqlite_checkpoint_on_close(handle, 0)
        // Stricter checks of every b-tree page this connection reads: each cell's size must fit
        // its page, on top of SQLite's default checks of page type, cell pointers and free blocks.
        _ = sqlite3_exec(handle, "PRAGMA cell_size_check = ON", nil, nil, nil)
        // Up to 16 MiB of page cache instead of SQLite's 2 MiB, allocated only as pages are read:
        // a point operation touches a handful of pages and never fills it, while a bulk write
        // (warmup, migrate) touches index pages all over the file in every batch; with the small
        // cache each batch re-read and re-wrote most of them (3× the WAL writes, measured).
        _ = sqlite3_exec(handle, "PRAGMA cache_size = -\(Self.cacheKibibytes)", nil, nil, nil)
    }

    /// The page cache's upper bound, in KiB.
    static let cacheKibibytes = 16384

    /// Runs `body` with the page cache bounded at `kibibytes` (the pages of a large value pass
    /// through it once each: keeping them would only double what the caller already holds).
    func withCacheSize<T>(kibibytes: Int, _ body: () throws -> T) throws -> T {
        let previous = cacheKibibytes
        guard kibibytes < previous else { return try body() }
        setCacheSize(kibibytes: kibibytes)
        defer { setCacheSize(kibibytes: previous) }
        return try body()
    }

    /// The page cache's bound in force, in KiB.
    private var cacheKibibytes = SQLiteDatabase.cacheKibibytes

    private func setCacheSize(kibibytes: Int) {
        cacheKibibytes = kibibytes
        _ = sqlite3_exec(handle, "PRAGMA cache_size = -\(kibibytes)", nil, nil, nil)
    }

    /// The page cache's bound while a large value is written or read in pieces.
    static let blobCacheKibibytes = 2048

    /// Marks the file as refused: closing this connection then writes nothing back and removes
    /// only the empty -wal and -shm files this connection itself brought into being.
    func refuse() {
        refused = true
        keepWriteAheadLogOnClose()
    }

    /// Leaves the WAL in place when this connection closes instead of checkpointing it (the
    /// default of every connection); `false` checkpoints it into the file and removes the -wal and
    /// -shm files on close, which only the creation of a new file asks for.
    ///
    /// A checkpoint on close costs four fsyncs and the removal of the -wal and -shm files on
    /// every command, more than the command itself; SQLite's automatic checkpoint (every 1,000
    /// pages of WAL) keeps the WAL bounded, and readers see the WAL's contents either way.
    func keepWriteAheadLogOnClose(_ keep: Bool = true) {
        _ = cachectl_sqlite_checkpoint_on_close(handle, keep ? 0 : 1)
    }

    deinit {
        for cached in cache.values { sqlite3_finalize(cached.statement) }
        sqlite3_close_v2(handle)
        // A refused file is left as it was found: the -wal and -shm files this connection made
        // (empty, since nothing was written) go; ones that were there before stay untouched.
        if refused, !sideFilesExisted {
            var info = stat()
            if stat(path + "-wal", &info) != 0 || info.st_size == 0 {
                unlink(path + "-wal")
                unlink(path + "-shm")
            }
        }
    }

    /// Runs one statement to completion; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        try withStatement(sql, bindings) { statement in
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { break }
                if code != SQLITE_ROW { throw failure(code, doing: "write") }
            }
            return Int(sqlite3_changes(handle))
        }
    }

    /// Runs a query and calls `row` for each result row, in order.
    func query(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void) throws {
        try withStatement(sql, bindings) { statement in
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw failure(code, doing: "read") }
                try row(SQLiteRow(statement: statement))
            }
        }
    }

    /// Runs a query and returns its first row converted by `convert`, or nil when it has none.
    func first<T>(_ sql: String, _ bindings: [SQLiteValue] = [], _ convert: (SQLiteRow) throws -> T) throws -> T? {
        try withStatement(sql, bindings) { statement in
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return nil }
            guard code == SQLITE_ROW else { throw failure(code, doing: "read") }
            return try convert(SQLiteRow(statement: statement))
        }
    }

    /// The first column of the first row, or nil when the query returns no row.
    func scalar(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> SQLiteValue? {
        try first(sql, bindings) { $0.value(0) }
    }

    /// Runs several statements without bindings (schema set-up); nothing is cached.
    func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        sqlite3_free(message)
        if code != SQLITE_OK { throw failure(code, doing: "write") }
    }

    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    ///
    /// The outermost level is `BEGIN IMMEDIATE`, which takes the write lock up front so two
    /// processes never both read and then both try to upgrade (the deadlock that loses writes under
    /// deferred transactions). Nested calls become savepoints.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try savepoint(body) }
        try beginImmediate()
        return try committing(body)
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE`) that stays open across calls until
    /// `commitOpenTransaction()` or `rollbackOpenTransaction()`: a bulk write commits several
    /// batches at once. Meanwhile `writeTransaction` nests as savepoints and reads see its writes.
    func beginOpenTransaction() throws {
        precondition(transactionDepth == 0, "a transaction is already open")
        try beginImmediate()
        transactionDepth = 1
    }

    /// Commits the transaction `beginOpenTransaction()` opened; when COMMIT fails, rolls it back
    /// (nothing of it stays) and throws. Then leaves the write lock free for 2 ms: long enough
    /// for a waiting connection (which tries every millisecond) to take it before this one
    /// begins its next transaction.
    func commitOpenTransaction() throws {
        defer { transactionDepth = 0 }
        do {
            try execute("COMMIT")
        } catch {
            rollback()
            throw error
        }
        usleep(2000)
    }

    /// Rolls back the transaction `beginOpenTransaction()` opened.
    func rollbackOpenTransaction() {
        rollback()
        transactionDepth = 0
    }

    /// Runs `body` in a read transaction, so several queries see one consistent state of the file.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        try execute("BEGIN DEFERRED")
        return try committing(body)
    }

    /// Runs `body` inside the transaction just begun: COMMIT after it, ROLLBACK when it throws.
    private func committing<T>(_ body: () throws -> T) throws -> T {
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let result: T
        do {
            result = try body()
            try execute("COMMIT")
        } catch {
            rollback()
            throw error
        }
        return result
    }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    private func beginImmediate() throws {
        // The busy handler already waits `busy_timeout` inside BEGIN; SQLite still answers BUSY
        // without waiting in a few cases (e.g. while another connection recovers the WAL), so try
        // again until the same deadline.
        let deadline = Date().addingTimeInterval(Double(busyTimeoutMilliseconds) / 1000)
        while true {
            do {
                try execute("BEGIN IMMEDIATE")
                return
            } catch let error as CacheError where error.kind == .busy && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        let name = "nested\(transactionDepth)"
        try execute("SAVEPOINT \(name)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            _ = try? execute("ROLLBACK TO \(name)")
            _ = try? execute("RELEASE \(name)")
            throw error
        }
    }

    private func rollback() {
        // SQLite rolls back by itself after some errors (disk full, I/O); ROLLBACK would then fail.
        guard isInTransaction else { return }
        _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    private func withStatement<T>(_ sql: String, _ bindings: [SQLiteValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        // A cached statement being stepped right now (a nested use of the same SQL) is not
        // shared: that use gets a statement of its own, finalized afterwards.
        let cached: CachedStatement?
        if let existing = cache[sql] {
            cached = existing.inUse ? nil : existing
        } else {
            let entry = CachedStatement(try prepare(sql, persistent: true))
            cache[sql] = entry
            cached = entry
        }
        let statement = try cached?.statement ?? prepare(sql, persistent: false)
        cached?.inUse = true
        defer {
            // Reset at once: a statement left mid-result keeps its read transaction open, which
            // would block checkpoints and pin an old snapshot for this connection.
            if let cached {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
                cached.inUse = false
            } else {
                sqlite3_finalize(statement)
            }
        }
        try bind(bindings, to: statement)
        let large = bindings.indices.compactMap { offset -> (index: Int32, bytes: [UInt8])? in
            guard case .blob(let bytes) = bindings[offset], bytes.count >= Self.staticBlobThreshold else { return nil }
            return (Int32(offset + 1), bytes)
        }
        return try bindingInPlace(large[...], to: statement) { try body(statement) }
    }

    /// Blobs at least this long are bound without a copy (a 50 MB value would otherwise be held twice).
    static let staticBlobThreshold = 64 * 1024

    /// Binds each large blob where it lies (SQLITE_STATIC) and runs `body` inside all their
    /// `withUnsafeBytes`, the only span in which those pointers are valid; the statement is reset
    /// and its bindings cleared before anyone can step it again.
    private func bindingInPlace<T>(_ blobs: ArraySlice<(index: Int32, bytes: [UInt8])>, to statement: OpaquePointer,
                                   _ body: () throws -> T) throws -> T {
        guard let (index, bytes) = blobs.first else { return try body() }
        return try bytes.withUnsafeBytes { raw in
            let code = sqlite3_bind_blob64(statement, index, raw.baseAddress, sqlite3_uint64(raw.count), nil)
            if code != SQLITE_OK { throw failure(code, doing: "write") }
            return try bindingInPlace(blobs.dropFirst(), to: statement, body)
        }
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw failure(code, doing: "read")
        }
        return statement
    }

    private func bind(_ bindings: [SQLiteValue], to statement: OpaquePointer) throws {
        // SQLite copies bound buffers (SQLITE_TRANSIENT): Swift's buffers are only valid inside
        // `withUnsafeBytes`, and the statement is stepped after that returns.
        let transient = cachectl_sqlite_transient()
        for (offset, value) in bindings.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(statement, index)
            case .integer(let number):
                code = sqlite3_bind_int64(statement, index, number)
            case .real(let number):
                code = sqlite3_bind_double(statement, index, number)
            case .text(var text):
                code = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else {
                        // A nil pointer would bind NULL; an empty key or tag must stay the empty string.
                        return sqlite3_bind_text(statement, index, "", 0, transient)
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(statement, index, $0, Int32(bytes.count), transient)
                    }
                }
            case .rawText(let bytes):
                code = bytes.withUnsafeBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, transient) }
                    return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                        sqlite3_bind_text(statement, index, $0, Int32(buffer.count), transient)
                    }
                }
            case .blob(let bytes):
                if bytes.count >= Self.staticBlobThreshold {
                    continue  // bound in place by `bindingInPlace`, around the statement's use
                } else if bytes.isEmpty {
                    // A nil pointer would bind NULL; an empty value is a zero-length blob.
                    code = sqlite3_bind_zeroblob(statement, index, 0)
                } else {
                    code = bytes.withUnsafeBytes { raw in
                        sqlite3_bind_blob64(statement, index, raw.baseAddress, sqlite3_uint64(raw.count), transient)
                    }
                }
            }
            if code != SQLITE_OK { throw failure(code, doing: "write") }
        }
    }

    private func failure(_ code: Int32, doing action: String) -> CacheError {
        let error = Self.error(code: code, handle: handle, path: path, doing: action)
        if error.kind == .badInput { refuse() }
        return error
    }

    /// Turns an SQLite result code into the library's error, naming the file.
    private static func error(code: Int32, handle: OpaquePointer, path: String, doing action: String) -> CacheError {
        let message = String(cString: sqlite3_errmsg(handle))
        let systemErrno = sqlite3_system_errno(handle)
        let reason = systemErrno != 0 && (code & 0xFF == SQLITE_CANTOPEN || code & 0xFF == SQLITE_IOERR)
            ? String(cString: strerror(systemErrno)) : message
        switch code & 0xFF {
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return CacheError(.badInput, "Refusing to use \(path): the snapshot file is damaged (\(message))",
                              hint: "move it aside; the next write starts a new, empty snapshot")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return CacheError(.busy, "The snapshot file \(path) is locked by another process (\(message))",
                              hint: "try again, or raise --timeout")
        case SQLITE_CANTOPEN:
            return CacheError(.io, "Cannot open the snapshot file \(path): \(reason)")
        case SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH:
            return CacheError(.io, "Cannot \(action) the snapshot file \(path): \(reason)",
                              hint: "check the permissions of the file and its directory")
        case SQLITE_FULL:
            return CacheError(.io, "Cannot \(action) the snapshot file \(path): the disk is full")
        case SQLITE_IOERR, SQLITE_PROTOCOL:
            return CacheError(.io, "Cannot \(action) the snapshot file \(path): \(reason)")
        default:
            return CacheError(.failed, "Cannot \(action) the snapshot file \(path): \(message)")
        }
    }

    // MARK: Large values, in pieces

    /// The rowid of the row the last successful INSERT on this connection made.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Bytes moved per `sqlite3_blob_read`/`sqlite3_blob_write` call: each call walks the blob's
    /// overflow chain to its offset, so pieces are large; the buffer of a piece is the only copy.
    static let blobPieceSize = 1 << 20

    /// Opens one blob (`table.column` of the row `rowid`, a table with rowids) for incremental
    /// I/O inside the caller's transaction, runs `body` with the handle and closes it.
    private func withBlob<T>(_ table: String, _ column: String, rowid: Int64, writable: Bool,
                             _ body: (OpaquePointer) throws -> T) throws -> T {
        var blob: OpaquePointer?
        let code = sqlite3_blob_open(handle, "main", table, column, rowid, writable ? 1 : 0, &blob)
        guard code == SQLITE_OK, let blob else {
            sqlite3_blob_close(blob)
            // A row the entry points at that is not there is damage, not a missing entry.
            if code == SQLITE_ERROR, !writable {
                refuse()
                throw CacheError(.badInput, "Refusing to use \(path): the snapshot file is damaged (\(String(cString: sqlite3_errmsg(handle))))",
                                 hint: "move it aside; the next write starts a new, empty snapshot")
            }
            throw failure(code, doing: writable ? "write" : "read")
        }
        defer { sqlite3_blob_close(blob) }
        return try withCacheSize(kibibytes: Self.blobCacheKibibytes) { try body(blob) }
    }

    /// Writes `bytes` over the blob `table.column` of row `rowid` (made by `zeroblob(bytes.count)`),
    /// in pieces straight from the caller's buffer: SQLite never builds the whole record the way
    /// binding the bytes to an INSERT does (a second copy of the value).
    func writeBlob(_ table: String, _ column: String, rowid: Int64, from bytes: UnsafeRawBufferPointer) throws {
        try withBlob(table, column, rowid: rowid, writable: true) { blob in
            guard Int(sqlite3_blob_bytes(blob)) == bytes.count else {
                throw CacheError(.failed, "Cannot write the snapshot file \(path): the blob to fill is \(sqlite3_blob_bytes(blob)) bytes, not \(bytes.count)")
            }
            var offset = 0
            while offset < bytes.count {
                let count = min(Self.blobPieceSize, bytes.count - offset)
                let code = sqlite3_blob_write(blob, bytes.baseAddress! + offset, Int32(count), Int32(offset))
                if code != SQLITE_OK { throw failure(code, doing: "write") }
                offset += count
            }
        }
    }

    /// The length of the blob `table.column` of row `rowid`.
    func blobSize(_ table: String, _ column: String, rowid: Int64) throws -> Int {
        try withBlob(table, column, rowid: rowid, writable: false) { Int(sqlite3_blob_bytes($0)) }
    }

    /// Hands the blob `table.column` of row `rowid` to `sink` in pieces of at most `blobPieceSize`
    /// bytes, in order, through one reused buffer; each piece is valid only during its call.
    func readBlob(_ table: String, _ column: String, rowid: Int64,
                  into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try withBlob(table, column, rowid: rowid, writable: false) { blob in
            let size = Int(sqlite3_blob_bytes(blob))
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, min(size, Self.blobPieceSize)), alignment: 16)
            defer { buffer.deallocate() }
            var offset = 0
            while offset < size {
                let count = min(buffer.count, size - offset)
                let code = sqlite3_blob_read(blob, buffer.baseAddress, Int32(count), Int32(offset))
                if code != SQLITE_OK { throw failure(code, doing: "read") }
                try sink(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                offset += count
            }
        }
    }

    /// The whole blob `table.column` of row `rowid`, read straight into one array (SQLite copies
    /// overflow pages into it directly instead of building the column in its own memory first).
    func readBlob(_ table: String, _ column: String, rowid: Int64) throws -> [UInt8] {
        try withBlob(table, column, rowid: rowid, writable: false) { blob in
            let size = Int(sqlite3_blob_bytes(blob))
            var failureCode = SQLITE_OK
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                var offset = 0
                while offset < size {
                    let count = min(Self.blobPieceSize, size - offset)
                    failureCode = sqlite3_blob_read(blob, buffer.baseAddress! + offset, Int32(count), Int32(offset))
                    if failureCode != SQLITE_OK { break }
                    offset += count
                }
                if failureCode != SQLITE_OK { buffer.initialize(repeating: 0) }
                initialized = size
            }
            if failureCode != SQLITE_OK { throw failure(failureCode, doing: "read") }
            return bytes
        }
    }

    /// The version of the SQLite library in use, e.g. `3.40.1`.
    static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}
