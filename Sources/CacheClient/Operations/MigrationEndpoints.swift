import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Any backend as a migrate target through its batch write (snapshot file, `dummy:`): strings
/// only, with their tags.
public final class BackendEntrySink: EntrySink {
    let backend: any CacheBackend
    /// Leave tags out (`migrate --drop-tags`), for a target layout without tags.
    let dropTags: Bool
    /// Write source values that are JSON text as the JSON value (`migrate --parse-json`): the
    /// seeds' layout stores non-string values as compact JSON.
    let parseJSON: Bool

    /// Writes through an opened backend.
    public init(_ backend: any CacheBackend, dropTags: Bool = false, parseJSON: Bool = false) {
        self.backend = backend
        self.dropTags = dropTags
        self.parseJSON = parseJSON
    }

    public var refusesSomeRecords: Bool { backend is FrameworkBackend }
    public var keepsTags: Bool { !dropTags }

    public func refusal(of record: MigrationRecord) -> String? {
        guard let entry = entry(record) else { return nil }
        return backend.refusal(of: entry)
    }

    private func entry(_ record: MigrationRecord) -> Entry? {
        guard var entry = record.entry else { return nil }
        if dropTags { entry.tags = nil }
        if parseJSON, entry.decoded == nil, (try? CacheValue.parseJSON(entry.value)) != nil { entry.valueIsJSON = true }
        return entry
    }

    public var endpointDescription: String { backend.endpointDescription }
    public var acceptsSerialized: Bool { false }
    public var hasExistingKeys: Bool { !(backend is DummyBackend) }

    public func isEmpty() throws -> Bool {
        try !hasExistingKeys || backend.statistics().entries == 0
    }

    public func exists(_ keys: [String]) throws -> [Bool] { try backend.exists(keys) }

    public func write(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        try backend.write(batch: records.compactMap(entry), onlyMissing: !replace).map { $0 ? .written : .existed }
    }

    public func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?] {
        try backend.entries(records.map(\.key)).map { entry in
            entry.map { MigrationRecord(key: $0.key, value: $0.value, expiry: $0.expiry, tags: $0.tags) }
        }
    }
}

/// `dummy:` as a migrate source: nothing to copy.
public final class EmptyEntrySource: EntrySource {
    public var endpointDescription: String { "dummy:" }
    /// Creates the source.
    public init() {}
    public func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool, _ body: (MigrationBatch) throws -> Void) throws {}
}

/// Opens the two ends of a migration from their endpoints.
public enum MigrationEndpoints {
    /// The source an endpoint names; throws as opening its backend would.
    public static func source(_ endpoint: Endpoint, configuration: CacheConfiguration) throws -> any EntrySource {
        switch endpoint {
        case .jsonLines(let path): return try JSONLinesSource(path: path, configuration: configuration)
        case .dummy: return EmptyEntrySource()
        default:
            // A source that does not exist is a typo to report, not an empty cache to copy.
            let backend = try Backends.open(endpoint, configuration: configuration, access: .existing)
            if let redis = backend as? RedisBackend { return RedisEntrySource(redis) }
            if let topology = backend as? RedisTopologyBackend { return RedisEntrySource(topology) }
            if let framework = backend as? FrameworkBackend { return FrameworkEntrySource(framework) }
            if let snapshot = backend as? SnapshotBackend { return SnapshotEntrySource(snapshot) }
            throw CacheError(.usage, "migrate cannot read from \(endpoint.description)")
        }
    }

    /// The sink an endpoint names. Connects now, so an unreachable target fails before anything
    /// is read or written.
    public static func sink(_ endpoint: Endpoint, configuration: CacheConfiguration,
                            onConflict: ConflictPolicy = .fail, dropTags: Bool = false, parseJSON: Bool = false) throws -> any EntrySink {
        switch endpoint {
        case .jsonLines(let path): return try JSONLinesSink(path: path, onConflict: onConflict)
        default:
            let backend = try Backends.open(endpoint, configuration: configuration)
            if backend is FrameworkBackend || dropTags { return BackendEntrySink(backend, dropTags: dropTags, parseJSON: parseJSON) }
            if let redis = backend as? RedisBackend {
                _ = try redis.timedPing()
                return RedisEntrySink(redis)
            }
            if let topology = backend as? RedisTopologyBackend {
                _ = try topology.ping()
                return RedisTopologyEntrySink(topology)
            }
            return BackendEntrySink(backend)
        }
    }
}
