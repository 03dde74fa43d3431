import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `keys` and `usage` on the snapshot file: entries in key order by keyset pagination, then one
/// row per tag (as Redis would hold its tag set) and one for the counters (as the counters hash),
/// all inside one read transaction, so the figures are of one moment. Sizes are value bytes (for a
/// tag set, its members' key bytes; for the counters, names and decimal values).
extension SnapshotBackend: KeyScanning {
    public func keyCount() throws -> Int64 {
        try read(empty: 0) { database in
            let entries = try database.scalar("SELECT count(*) FROM entries")?.integerValue ?? 0
            let tags = try database.scalar("SELECT count(*) FROM (SELECT DISTINCT tag FROM tags)")?.integerValue ?? 0
            return entries + tags + 1
        }
    }

    /// Types are always known here: entries are strings, tag sets sets, the counters a hash.
    public func keyTypes(_ keys: [KeyInfo]) throws -> [String?] {
        try keys.map(\.key).map { key in
            switch role(ofStoreKey: configuration.storeKey(key)) {
            case .entry: return try entries([key]).first.map { $0 == nil ? nil : "string" } ?? nil
            case .tagSet: return "set"
            case .counters: return "hash"
            }
        }
    }

    public func scanKeys(_ filter: KeyFilter, details: KeyDetails, shouldStop: () -> Bool, scanned: (Int) -> Void,
                         _ body: ([KeyInfo]) throws -> Void) throws {
        try filter.validate()
        try read(empty: ()) { database in
            let now = nowMilliseconds()
            if filter.type == nil || filter.type == "string" {
                var after: String?
                while !shouldStop() {
                    let (page, last, rows) = try entryInfoPage(after: after, filter: filter, withTags: details.contains(.tags), now: now, in: database)
                    scanned(rows)
                    if !page.isEmpty { try body(page) }
                    guard let last, rows == Self.infoPageSize else { break }
                    after = last
                }
            }
            if shouldStop() { return }
            if filter.type == nil || filter.type == "set" {
                try body(try tagSetInfos(filter: filter, now: now, in: database))
            }
            if filter.type == nil || filter.type == "hash", let counters = try counterInfo(filter: filter, in: database) {
                try body([counters])
            }
        }
    }

    /// Rows per page of the entries scan.
    static let infoPageSize = 2000

    /// One page of live entries after `after` (in key order) under the key prefix and `filter`'s
    /// prefix; returns the kept descriptions, the last store key read and how many rows were read.
    private func entryInfoPage(after: String?, filter: KeyFilter, withTags: Bool, now: Int64,
                               in database: SQLiteDatabase) throws -> (page: [KeyInfo], last: String?, rows: Int) {
        var conditions = [Self.liveCondition(nowParameter: 1)]
        var bindings: [SQLiteValue] = [.integer(now)]
        if let after {
            bindings.append(.text(after))
            conditions.append("key > ?\(bindings.count)")
        }
        if let range = Self.keyRange(prefix: configuration.keyPrefix + (filter.prefix ?? "")) {
            bindings.append(range.lower)
            conditions.append("key >= ?\(bindings.count)")
            bindings.append(range.upper)
            conditions.append("key < ?\(bindings.count)")
        }
        bindings.append(.integer(Int64(Self.infoPageSize)))
        var page: [KeyInfo] = []
        var last: String?
        var rows = 0
        try database.query("""
            SELECT key, \(valueLength), expires_at FROM entries WHERE \(conditions.joined(separator: " AND "))
            ORDER BY key LIMIT ?\(bindings.count)
            """, bindings) { row in
            let storeKey = row.text(0)
            last = storeKey
            rows += 1
            let key = displayKey(storeKey)
            guard filter.matches(key: key) else { return }
            let info = KeyInfo(key: key, type: "string", ttlMilliseconds: row.optionalInteger(2).map { max(1, $0 - now) },
                               size: row.integer(1), role: role(ofStoreKey: storeKey), tags: withTags ? [] : nil)
            if filter.matches(info) { page.append(info) }
        }
        if withTags, let first = page.first, let end = last {
            var position: [String: Int] = [:]
            for (index, info) in page.enumerated() { position[configuration.storeKey(info.key)] = index }
            try database.query("SELECT key, tag FROM tags WHERE key >= ?1 AND key <= ?2 ORDER BY key, tag",
                               [.text(configuration.storeKey(first.key)), .text(end)]) { row in
                if let index = position[row.text(0)] { page[index].tags?.append(row.text(1)) }
            }
        }
        return (page, last, rows)
    }

    /// One description per tag with live members, shaped like the tag's Redis set: the members'
    /// key bytes as its size, the longest member's lifetime as its TTL (none if any member has none).
    private func tagSetInfos(filter: KeyFilter, now: Int64, in database: SQLiteDatabase) throws -> [KeyInfo] {
        var infos: [KeyInfo] = []
        try database.query("""
            SELECT t.tag, sum(length(CAST(t.key AS BLOB))), max(coalesce(e.expires_at, 9223372036854775807))
            FROM tags t JOIN entries e ON e.key = t.key
            WHERE e.expires_at IS NULL OR e.expires_at > ?1
            GROUP BY t.tag ORDER BY t.tag
            """, [.integer(now)]) { row in
            let storeKey = configuration.tagSetKey(row.text(0))
            guard storeKey.hasPrefix(configuration.keyPrefix) else { return }
            let key = displayKey(storeKey)
            let expiresAt = row.integer(2)
            let info = KeyInfo(key: key, type: "set", ttlMilliseconds: expiresAt == .max ? nil : max(1, expiresAt - now),
                               size: row.integer(1), role: .tagSet)
            if filter.matches(key: key), filter.matches(info) { infos.append(info) }
        }
        return infos
    }

    /// The counters as one hash-like key, when the file holds any and the stats key lies in scope.
    private func counterInfo(filter: KeyFilter, in database: SQLiteDatabase) throws -> KeyInfo? {
        guard configuration.statsKey.hasPrefix(configuration.keyPrefix) else { return nil }
        let key = displayKey(configuration.statsKey)
        guard let (count, size) = try database.first(
            "SELECT count(*), coalesce(sum(length(CAST(name AS BLOB)) + length(CAST(value AS TEXT))), 0) FROM counters",
            [], { ($0.integer(0), $0.integer(1)) }), count > 0 else { return nil }
        let info = KeyInfo(key: key, type: "hash", ttlMilliseconds: nil, size: size, role: .counters)
        return filter.matches(key: key) && filter.matches(info) ? info : nil
    }
}
