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
    /// The replication role (`master`, `replica`), when the server says; `cluster` for a cluster.
    public var role: String?
    /// Every node of a cluster or Sentinel setup: primaries (with their slots), then replicas.
    public var nodes: [NodeStatus] = []

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
        // Byte-wise over the UTF-8 view, picking only the fields used: INFO has ~150 lines, and
        // this runs on every `stats`, so it stays free of per-line dictionaries and generic parsing.
        var info = info
        info.withUTF8 { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                var valueEnd = lineEnd
                if valueEnd > lineStart, bytes[valueEnd - 1] == 0x0D { valueEnd -= 1 }
                if bytes[lineStart] != UInt8(ascii: "#"),
                   let colon = bytes[lineStart..<valueEnd].firstIndex(of: UInt8(ascii: ":")) {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<colon]), as: UTF8.self)
                    let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[(colon + 1)..<valueEnd]), as: UTF8.self)
                    assign(name, value)
                }
                lineStart = lineEnd + 1
            }
        }
    }

    private mutating func assign(_ name: String, _ value: String) {
        switch name {
        case "keyspace_hits": hits = Int64(value)
        case "keyspace_misses": misses = Int64(value)
        case "expired_keys": expiredKeys = Int64(value)
        case "evicted_keys": evictedKeys = Int64(value)
        case "used_memory": usedMemory = Int64(value)
        case "connected_clients": connectedClients = Int64(value)
        case "total_commands_processed": totalCommands = Int64(value)
        case "instantaneous_ops_per_sec": instantaneousOpsPerSecond = Int64(value)
        case "redis_version": version = value
        case "uptime_in_seconds": uptimeSeconds = Int64(value)
        case "role": role = value
        default: break
        }
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
