/// Names and limits shared by every backend: prefixes, the counters key, timeouts, default TTL.
public struct CacheConfiguration: Sendable, Equatable {
    /// Prepended to every entry key in the store (`rag_materials:` for an app that chose one).
    public var keyPrefix: String
    /// Prepended to a tag's name to name its index set.
    public var tagPrefix: String
    /// The hash holding the app counters.
    public var statsKey: String
    /// Seconds to wait for a connection or a reply.
    public var timeout: Double
    /// The lifetime of entries written without one (`CACHE_DEFAULT_TIMEOUT`).
    public var defaultExpiry: Expiry
    /// How a framework lays the cache out (`--layout`); the seeds' layout by default. In a
    /// framework layout `keyPrefix` is the connection's own prefix, below the framework's namespace.
    public var layout: CacheLayout = .default()
    /// Checked by long operations at batch boundaries (see `Cancellation`).
    public var cancellation: Cancellation = .process
    /// How `rediss://` servers are verified and which client certificate they get.
    public var tls: TLSOptions

    /// Creates a configuration; the defaults match the seed applications' layout.
    public init(
        keyPrefix: String = "",
        tagPrefix: String = "cache:tag:",
        statsKey: String = "cache:stats",
        timeout: Double = 5,
        defaultExpiry: Expiry = .seconds(300),
        tls: TLSOptions = TLSOptions()
    ) {
        self.keyPrefix = keyPrefix
        self.tagPrefix = tagPrefix
        self.statsKey = statsKey
        self.timeout = timeout
        self.defaultExpiry = defaultExpiry
        self.tls = tls
    }

    /// The full store key of an entry key.
    public func storeKey(_ key: String) -> String { keyPrefix + key }

    /// The entry key of a full store key, or nil when it lies outside the key prefix.
    public func entryKey(_ storeKey: String) -> String? {
        guard storeKey.hasPrefix(keyPrefix) else { return nil }
        return String(storeKey.dropFirst(keyPrefix.count))
    }

    /// The name of a tag's index set.
    public func tagSetKey(_ tag: String) -> String { tagPrefix + tag }
}

extension CacheConfiguration {
    /// The SCAN MATCH glob of a flush scope: patterns and prefixes live below the key prefix.
    func scanGlob(for scope: FlushScope) -> String {
        let base = RedisGlob.escape(keyPrefix)
        switch scope {
        case .pattern(let glob): return base + glob
        case .prefix(let prefix): return base + RedisGlob.escape(prefix) + "*"
        case .all: return base + "*"
        }
    }

    /// Drops tag index sets (also the `{tag-prefix…}` names a cluster moves them aside to), the
    /// counters hash and the bookkeeping beside it (`<stats-key>:…`: invalidations in progress, a
    /// running warmup's batch number): a scoped flush deletes entries, on one server or a cluster.
    func flushable(_ keys: [[UInt8]]) -> [[UInt8]] {
        let tagPrefix = Array(tagPrefix.utf8)
        let movedAside = Array(("{" + self.tagPrefix).utf8)
        let statsKey = Array(statsKey.utf8)
        let bookkeeping = Array((self.statsKey + ":").utf8)
        return keys.filter {
            $0 != statsKey && !$0.starts(with: tagPrefix) && !$0.starts(with: movedAside) && !$0.starts(with: bookkeeping)
        }
    }
}
