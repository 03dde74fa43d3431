/// How many replicas must acknowledge a command's writes, and how long to wait for them (Redis
/// `WAIT`): replication is asynchronous, so a write a primary acknowledged can still be lost
/// with it in a failover unless its replicas have it too.
public struct ReplicaWait: Sendable, Equatable {
    /// Replicas that must acknowledge each write (at least 1).
    public var replicas: Int
    /// The longest wait for them, per batch (all nodes at once).
    public var timeout: Duration

    /// The most replicas a wait may ask for: more than any real setup has.
    public static let maximumReplicas = 1000

    /// Creates a wait for `replicas` replicas, at most `timeout`.
    public init(replicas: Int, timeout: Duration) {
        self.replicas = replicas
        self.timeout = timeout
    }

    /// The timeout as `WAIT` takes it: whole milliseconds, at least 1 (0 would wait forever).
    var milliseconds: Int64 { max(1, Int64((timeout.seconds * 1000).rounded())) }
}

/// What a wait for replicas found about a set of items.
public struct ReplicaAcknowledgement: Sendable, Equatable {
    /// Items with a key on a node whose replicas acknowledged fewer writes than asked.
    public var unacknowledged: Int
    /// The fewest replicas any node waited on reported.
    public var fewestReplicas: Int

    /// Creates an acknowledgement.
    public init(unacknowledged: Int, fewestReplicas: Int) {
        self.unacknowledged = unacknowledged
        self.fewestReplicas = fewestReplicas
    }
}

/// A backend whose writes can be made to wait for its replicas (Redis, a cluster, Sentinel).
public protocol ReplicaAcknowledging: CacheBackend {
    /// Waits until `wait.replicas` replicas acknowledged every write this backend made so far on
    /// each node that holds one of the items' store keys (an item: an entry's key and its tag
    /// sets), at most `wait.timeout`, every node at once. Returns how many items have a key on a
    /// node that reported fewer replicas.
    func acknowledgement(of items: [[String]], wait: ReplicaWait) throws -> ReplicaAcknowledgement
}

extension ReplicaAcknowledging {
    /// Waits for the replicas of written entries: each entry counts with its key and its tag sets.
    public func acknowledgement(of entries: [Entry], wait: ReplicaWait) throws -> ReplicaAcknowledgement {
        try acknowledgement(of: entries.map { entry in
            [configuration.storeKey(entry.key)] + (entry.tags ?? []).map(configuration.tagSetKey)
        }, wait: wait)
    }

    /// Waits for the replicas of changed keys (deleted entries, for example).
    public func acknowledgement(ofKeys keys: [String], wait: ReplicaWait) throws -> ReplicaAcknowledgement {
        try acknowledgement(of: keys.map { [configuration.storeKey($0)] }, wait: wait)
    }
}

/// A migrate target that writes through a cache backend, whose replicas a wait can ask.
public protocol BackendWritingSink: EntrySink {
    /// The backend the records are written to.
    var targetBackend: any CacheBackend { get }
}

extension RedisEntrySink: BackendWritingSink {
    public var targetBackend: any CacheBackend { backend }
}

extension BackendEntrySink: BackendWritingSink {
    public var targetBackend: any CacheBackend { backend }
}
