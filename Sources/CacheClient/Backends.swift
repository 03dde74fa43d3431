/// Opens the backend an endpoint names.
public enum Backends {
    /// Connects to (or opens) the backend; throws `.unreachable`, `.authentication`, `.badInput` or `.usage`.
    public static func open(_ endpoint: Endpoint, configuration: CacheConfiguration) throws -> any CacheBackend {
        if configuration.layout.name != .default {
            guard case .redis(let address, let database, let credentials) = endpoint else {
                throw CacheError(.usage, "The \(configuration.layout.name.rawValue) layout describes a cache in Redis, not \(endpoint.description)",
                                 hint: "point --url at the framework's redis:// server, or leave out --layout")
            }
            return try FrameworkBackend(address: address, database: database, credentials: credentials, configuration: configuration)
        }
        switch endpoint {
        case .redis(let address, let database, let credentials):
            return try RedisBackend(address: address, database: database, credentials: credentials, configuration: configuration)
        case .cluster:
            throw CacheError(.usage, "Redis Cluster (redis+cluster://) is not supported yet",
                             hint: "point --url at one node with redis:// to work on that node's keys")
        case .snapshot(let path):
            return try SnapshotBackend(path: path, configuration: configuration)
        case .jsonLines:
            throw CacheError(.usage, "A jsonl: endpoint holds entries for migrate --from/--to; it is not a cache to run commands on")
        case .dummy:
            return DummyBackend(configuration: configuration)
        }
    }
}
