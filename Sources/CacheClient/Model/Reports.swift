/// What `ping` learned: the round trip and who answered.
public struct PingReport: Sendable, Equatable {
    /// The backend kind: `redis`, `snapshot` or `dummy`.
    public var backend: String
    /// The endpoint, with any password redacted.
    public var endpoint: String
    /// The round-trip time in seconds.
    public var latency: Double
    /// The server version (Redis) or the file format version (snapshot).
    public var version: String?
    /// The replication role (`master`, `replica`), when the server says.
    public var role: String?

    /// Creates a report.
    public init(backend: String, endpoint: String, latency: Double, version: String?, role: String?) {
        self.backend = backend
        self.endpoint = endpoint
        self.latency = latency
        self.version = version
        self.role = role
    }
}

/// The app counters, as applications reading and writing through CacheClient keep them.
public struct AppCounters: Sendable, Equatable {
    /// Reads that found their entry.
    public var hits: Int64 = 0
    /// Reads that found nothing.
    public var misses: Int64 = 0
    /// Entries written.
    public var sets: Int64 = 0
    /// Entries deleted.
    public var deletes: Int64 = 0
    /// Tags invalidated.
    public var tagInvalidations: Int64 = 0

    /// Creates counters, all zero unless given.
    public init(hits: Int64 = 0, misses: Int64 = 0, sets: Int64 = 0, deletes: Int64 = 0, tagInvalidations: Int64 = 0) {
        self.hits = hits
        self.misses = misses
        self.sets = sets
        self.deletes = deletes
        self.tagInvalidations = tagInvalidations
    }

    /// The field names in the counters hash, in display order.
    public static let fieldNames = ["hits", "misses", "sets", "deletes", "tag_invalidations"]

    /// Reads counters from hash fields; unknown fields are ignored.
    public init(fields: [String: Int64]) {
        hits = fields["hits"] ?? 0
        misses = fields["misses"] ?? 0
        sets = fields["sets"] ?? 0
        deletes = fields["deletes"] ?? 0
        tagInvalidations = fields["tag_invalidations"] ?? 0
    }
}

/// What the server itself reports (Redis `INFO`); nil fields are ones it did not give.
public struct ServerStatistics: Sendable, Equatable {
    /// `keyspace_hits`.
    public var hits: Int64?
    /// `keyspace_misses`.
    public var misses: Int64?
    /// `expired_keys`.
    public var expiredKeys: Int64?
    /// `evicted_keys`.
    public var evictedKeys: Int64?
    /// `used_memory`, bytes.
    public var usedMemory: Int64?
    /// `connected_clients`.
    public var connectedClients: Int64?
    /// `total_commands_processed`.
    public var totalCommands: Int64?
    /// `instantaneous_ops_per_sec`: the server's own recent estimate.
    public var instantaneousOpsPerSecond: Int64?
    /// `redis_version`.
    public var version: String?
    /// `uptime_in_seconds`.
    public var uptimeSeconds: Int64?
    /// `role`.
    public var role: String?

    /// Creates empty server statistics.
    public init() {}

    /// Reads the fields cachectl uses from `INFO` text (`name:value` lines).
    public init(info: String) {
        var fields: [Substring: Substring] = [:]
        for line in info.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...]
        }
        func number(_ name: Substring) -> Int64? { fields[name].flatMap { Int64($0) } }
        hits = number("keyspace_hits")
        misses = number("keyspace_misses")
        expiredKeys = number("expired_keys")
        evictedKeys = number("evicted_keys")
        usedMemory = number("used_memory")
        connectedClients = number("connected_clients")
        totalCommands = number("total_commands_processed")
        instantaneousOpsPerSecond = number("instantaneous_ops_per_sec")
        version = fields["redis_version"].map(String.init)
        uptimeSeconds = number("uptime_in_seconds")
        role = fields["role"].map(String.init)
    }
}

/// Everything `stats` shows, gathered in one pass over a backend.
public struct BackendStatistics: Sendable, Equatable {
    /// The backend kind: `redis`, `snapshot` or `dummy`.
    public var backend: String
    /// The endpoint, with any password redacted.
    public var endpoint: String
    /// The app counters hash.
    public var app: AppCounters
    /// What the server reports; nil for backends without a server.
    public var server: ServerStatistics?
    /// Live entries (under the key prefix when one is set).
    public var entries: Int64
    /// Tag index sets.
    public var tags: Int64
    /// Bytes: the server's used memory, or the snapshot file's size.
    public var memoryBytes: Int64?
    /// Seconds for one round trip.
    public var pingLatency: Double

    /// Creates statistics.
    public init(backend: String, endpoint: String, app: AppCounters, server: ServerStatistics?, entries: Int64,
                tags: Int64, memoryBytes: Int64?, pingLatency: Double) {
        self.backend = backend
        self.endpoint = endpoint
        self.app = app
        self.server = server
        self.entries = entries
        self.tags = tags
        self.memoryBytes = memoryBytes
        self.pingLatency = pingLatency
    }
}
