/// One node of a cluster as `ping` and `stats --per-node` show it.
public struct NodeStatus: Sendable, Equatable {
    /// `host:port`.
    public var address: String
    /// `master`, `slave`, or `unreachable` for a replica that did not answer.
    public var role: String
    /// One PING's round trip in seconds; nil when unreachable.
    public var latency: Double?
    /// The server version.
    public var version: String?
    /// Slot ranges served, as `[first, last]` pairs (primaries only).
    public var slots: [[Int]]
    /// The node's own figures (`stats --per-node`).
    public var statistics: ServerStatistics?
    /// Keys on the node (DBSIZE).
    public var keys: Int64?

    /// Creates a node status.
    public init(address: String, role: String, latency: Double?, version: String?, slots: [[Int]],
                statistics: ServerStatistics? = nil, keys: Int64? = nil) {
        self.address = address
        self.role = role
        self.latency = latency
        self.version = version
        self.slots = slots
        self.statistics = statistics
        self.keys = keys
    }
}

extension ServerStatistics {
    /// Adds another server's figures: counters and sizes sum; version and role stay the first's;
    /// uptime is the shortest.
    mutating func add(_ other: ServerStatistics) {
        func sum(_ a: Int64?, _ b: Int64?) -> Int64? { a == nil && b == nil ? nil : (a ?? 0) + (b ?? 0) }
        hits = sum(hits, other.hits)
        misses = sum(misses, other.misses)
        expiredKeys = sum(expiredKeys, other.expiredKeys)
        evictedKeys = sum(evictedKeys, other.evictedKeys)
        usedMemory = sum(usedMemory, other.usedMemory)
        connectedClients = sum(connectedClients, other.connectedClients)
        totalCommands = sum(totalCommands, other.totalCommands)
        instantaneousOpsPerSecond = sum(instantaneousOpsPerSecond, other.instantaneousOpsPerSecond)
        version = version ?? other.version
        role = role ?? other.role
        if let theirs = other.uptimeSeconds { uptimeSeconds = min(uptimeSeconds ?? theirs, theirs) }
    }
}
