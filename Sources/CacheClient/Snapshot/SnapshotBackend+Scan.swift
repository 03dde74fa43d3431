import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension SnapshotBackend {
    /// One page of live entries under the key prefix with store keys after `after`, in key order
    /// (keyset pagination: `key > last ORDER BY key LIMIT n`, served by the primary key), with
    /// their tags.
    func entryPage(after: String?, limit: Int) throws -> [Entry] {
        try read(empty: []) { database in
            let now = nowMilliseconds()
            var conditions = [Self.liveCondition(nowParameter: 1)]
            var bindings: [SQLiteValue] = [.integer(now)]
            if let after {
                bindings.append(.text(after))
                conditions.append("key > ?\(bindings.count)")
            }
            if let range = Self.keyRange(prefix: configuration.keyPrefix) {
                bindings.append(range.lower)
                conditions.append("key >= ?\(bindings.count)")
                bindings.append(range.upper)
                conditions.append("key < ?\(bindings.count)")
            }
            bindings.append(.integer(Int64(limit)))
            var entries: [Entry] = []
            var storeKeys: [String] = []
            var valueIDs: [Int: Int64] = [:]
            try database.query("SELECT key, \(valueColumns) FROM entries WHERE \(conditions.joined(separator: " AND ")) ORDER BY key LIMIT ?\(bindings.count)",
                               bindings) { row in
                let storeKey = row.text(0)
                storeKeys.append(storeKey)
                let expiry: Expiry = row.optionalInteger(2).map { .milliseconds(max(1, $0 - now)) } ?? .never
                if let id = row.optionalInteger(3) { valueIDs[entries.count] = id }
                entries.append(Entry(key: configuration.entryKey(storeKey) ?? storeKey, value: row.blob(1), expiry: expiry, tags: []))
            }
            for (index, id) in valueIDs { entries[index].value = try value([], id: id, in: database) }
            guard let first = storeKeys.first, let last = storeKeys.last else { return [] }
            var position: [String: Int] = [:]
            for (index, key) in storeKeys.enumerated() { position[key] = index }
            try database.query("SELECT key, tag FROM tags WHERE key >= ?1 AND key <= ?2 ORDER BY key, tag", [.text(first), .text(last)]) { row in
                if let index = position[row.text(0)] { entries[index].tags?.append(row.text(1)) }
            }
            return entries
        }
    }
}

/// The snapshot file as a migrate source: keyset-paginated pages of entries with their tags.
public final class SnapshotEntrySource: EntrySource {
    let backend: SnapshotBackend

    /// Reads from an opened snapshot file.
    public init(_ backend: SnapshotBackend) { self.backend = backend }

    public var endpointDescription: String { backend.endpointDescription }

    public func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool,
                     _ body: (MigrationBatch) throws -> Void) throws {
        var after: String?
        while true {
            let page = try backend.entryPage(after: after, limit: batchSize)
            guard let last = page.last else { return }
            after = backend.configuration.storeKey(last.key)
            let records = page.lazy.filter { entry in pattern.map { RedisGlob.matches($0, entry.key) } ?? true }
                .map { MigrationRecord(key: $0.key, value: $0.value, expiry: $0.expiry, tags: $0.tags) }
            if !records.isEmpty { try body(MigrationBatch(records: Array(records))) }
            if page.count < batchSize { return }
        }
    }
}
