import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The cache as an application uses it: get, set, delete, and get-or-compute that counts
/// hits and misses in the app counters, in the same layout the cachectl tool reads.
///
/// ```swift
/// let cache = try Cache(url: "redis://127.0.0.1:6379/0")
/// let article = try cache.value(for: "article:1", ttl: .seconds(300), tags: ["articles"]) {
///     try loadArticle(1)
/// }
/// ```
public final class Cache {
    /// The backend this cache reads and writes.
    public let backend: any CacheBackend

    /// Wraps an opened backend.
    public init(backend: any CacheBackend) {
        self.backend = backend
    }

    /// Opens the backend named by `url`, or resolved from the environment as cachectl does.
    public convenience init(url: String? = nil, configuration: CacheConfiguration? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let resolution = try EndpointResolution.resolve(url: url, environment: environment)
        var config = configuration ?? CacheConfiguration()
        if configuration == nil { config.defaultExpiry = try EndpointResolution.defaultExpiry(environment: environment) }
        self.init(backend: try Backends.open(resolution.endpoint, configuration: config))
    }

    /// Reads a value and counts a hit or a miss.
    public func get(_ key: String) throws -> [UInt8]? {
        let entry = try backend.entries([key])[0]
        try backend.recordReads(hits: entry == nil ? 0 : 1, misses: entry == nil ? 1 : 0)
        return entry?.value
    }

    /// Reads a value as UTF-8 text and counts a hit or a miss.
    public func string(_ key: String) throws -> String? {
        try get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a value with its lifetime (default: the configuration's) and tags, atomically.
    public func set(_ key: String, _ value: [UInt8], ttl: Expiry? = nil, tags: [String] = []) throws {
        _ = try backend.write(Entry(key: key, value: value, expiry: ttl ?? backend.configuration.defaultExpiry, tags: tags),
                              ifAbsent: false)
    }

    /// Writes UTF-8 text.
    public func set(_ key: String, _ text: String, ttl: Expiry? = nil, tags: [String] = []) throws {
        try set(key, Array(text.utf8), ttl: ttl, tags: tags)
    }

    /// Deletes an entry; returns whether it existed.
    @discardableResult
    public func delete(_ key: String) throws -> Bool {
        try backend.delete([key]) > 0
    }

    /// Returns the cached value, or computes, stores (with `ttl` and `tags`) and returns it.
    ///
    /// The seed applications' `@cached` decorator: a hit or a miss is counted either way.
    public func value(for key: String, ttl: Expiry? = nil, tags: [String] = [], compute: () throws -> [UInt8]) throws -> [UInt8] {
        if let cached = try get(key) { return cached }
        let value = try compute()
        try set(key, value, ttl: ttl, tags: tags)
        return value
    }

    /// Text variant of `value(for:ttl:tags:compute:)`.
    public func string(for key: String, ttl: Expiry? = nil, tags: [String] = [], compute: () throws -> String) throws -> String {
        String(decoding: try value(for: key, ttl: ttl, tags: tags) { Array(try compute().utf8) }, as: UTF8.self)
    }
}
