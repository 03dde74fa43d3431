import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Tag memberships (entry key → tags) kept in a temporary SQLite file instead of a dictionary,
/// for the copies that must attach tags to entries read from Redis, which indexes tag → keys only.
///
/// Memory stays flat in the number of keys: SQLite holds at most its page cache (8 MB) in
/// memory and the rest on disk. Loading is append-only; the index is built once at the end,
/// and each batch of keys is looked up with one statement. The file is removed when this goes.
final class TagMembershipFile {
    private let path: String
    private let database: SQLiteDatabase
    /// Whether any membership was added: with none, lookups are skipped.
    private(set) var isEmpty = true

    /// Creates the empty file under the temporary directory.
    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cachectl-tags-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite").path
        database = try SQLiteDatabase(path: path, create: true, busyTimeoutMilliseconds: 5000)
        // A scratch file: no journal, no fsync; a crash leaves only a file in the temporary directory.
        try database.executeScript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -8192;
            PRAGMA temp_store = FILE;
            CREATE TABLE memberships(key TEXT NOT NULL, tag TEXT NOT NULL);
            """)
    }

    deinit {
        unlink(path)
    }

    /// Adds one page of tag sets.
    func add(_ page: [TagMembers]) throws {
        try database.writeTransaction {
            for members in page {
                for key in members.keys {
                    try database.execute("INSERT INTO memberships(key, tag) VALUES (?1, ?2)", [.text(key), .text(members.tag)])
                    isEmpty = false
                }
            }
        }
    }

    /// Indexes the memberships by key; call once, after the last `add`.
    func finishLoading() throws {
        try database.execute("CREATE INDEX memberships_by_key ON memberships(key, tag)")
    }

    /// The tags of each key, sorted and without repeats, in the order of `keys`.
    func tags(for keys: [String]) throws -> [[String]] {
        var result = [[String]](repeating: [], count: keys.count)
        guard !isEmpty, !keys.isEmpty else { return result }
        var position: [String: Int] = [:]
        position.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() { position[key] = index }
        var list = "["
        for (index, key) in keys.enumerated() {
            if index > 0 { list += "," }
            EntryJSON.appendString(key, to: &list)
        }
        list += "]"
        try database.query("""
            SELECT DISTINCT key, tag FROM memberships WHERE key IN (SELECT value FROM json_each(?1)) ORDER BY key, tag
            """, [.text(list)]) { row in
            if let index = position[row.text(0)] { result[index].append(row.text(1)) }
        }
        return result
    }
}
