/// Opens the backend an endpoint names.
public enum Backends {
    /// Connects to (or opens) the backend; throws `.unreachable`, `.authentication`, `.badInput` or `.usage`.
    public static func open(_ endpoint: Endpoint, configuration: CacheConfiguration) throws -> any CacheBackend {
        switch endpoint {
        case .redis(let address, let database, let credentials):
            return try RedisBackend(address: address, database: database, credentials: credentials, configuration: configuration)
        case .cluster, .sentinel:
            return try RedisTopologyBackend(endpoint: endpoint, configuration: configuration)
        case .snapshot(let path):
            return try SnapshotBackend(path: path, configuration: configuration)
        case .jsonLines:
            throw CacheError(.usage, "A jsonl: endpoint holds entries for migrate --from/--to; it is not a cache to run commands on")
        case .dummy:
            return DummyBackend(configuration: configuration)
        }
    }
}
