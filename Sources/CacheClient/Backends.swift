/// Whether opening a local backend may bring it into existence.
public enum BackendAccess: Sendable {
    /// The backend must exist already: a snapshot path with no file is refused (`.io`, naming it),
    /// so a mistyped path is reported instead of read as an empty cache.
    case existing
    /// The first write creates the snapshot file (in an existing directory, or the default
    /// `./.cachectl/`); reads before that see an empty cache.
    case creatingOnWrite
}

/// Opens the backend an endpoint names.
public enum Backends {
    /// Connects to (or opens) the backend; throws `.unreachable`, `.authentication`, `.badInput`,
    /// `.io` (a snapshot file that is missing under `.existing`, or unreadable) or `.usage`.
    public static func open(_ endpoint: Endpoint, configuration: CacheConfiguration,
                            access: BackendAccess = .creatingOnWrite) throws -> any CacheBackend {
        // dummy: stores nothing in any layout; a framework's cache is otherwise in Redis.
        if configuration.layout.name != .default, endpoint != .dummy {
            guard case .redis(let address, let database, let credentials) = endpoint else {
                throw CacheError(.usage, "The \(configuration.layout.name.rawValue) layout describes a cache in Redis, not \(endpoint.description)",
                                 hint: "point --url at the framework's redis:// server, or leave out --layout")
            }
            return try FrameworkBackend(address: address, database: database, credentials: credentials, configuration: configuration)
        }
        switch endpoint {
        case .redis(let address, let database, let credentials):
            return try RedisBackend(address: address, database: database, credentials: credentials, configuration: configuration)
        case .cluster, .sentinel:
            return try RedisTopologyBackend(endpoint: endpoint, configuration: configuration)
        case .snapshot(let path):
            return try SnapshotBackend(path: path, configuration: configuration, access: access)
        case .jsonLines:
            throw CacheError(.usage, "A jsonl: endpoint holds entries for migrate --from/--to; it is not a cache to run commands on")
        case .dummy:
            return DummyBackend(configuration: configuration)
        }
    }
}
