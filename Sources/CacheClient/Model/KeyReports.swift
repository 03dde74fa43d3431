/// What a key is to the cache: an entry, a tag index set, or the app counters hash.
public enum KeyRole: String, Sendable, Equatable, CaseIterable {
    /// A cache entry (or any other key an application keeps under the key prefix).
    case entry
    /// A tag index set (under the tag prefix), including the leftover of an interrupted invalidation.
    case tagSet = "tag_set"
    /// The app counters hash (`--stats-key`).
    case counters
}

/// One key as `keys` lists it and `usage` adds it up.
public struct KeyInfo: Sendable, Equatable {
    /// The key without the key prefix (for tag sets and the counters hash: their store key
    /// without the key prefix, or whole when they lie outside it).
    public var key: String
    /// The key's exact bytes (without the key prefix) when they are not valid UTF-8: `key` then
    /// shows each invalid byte as U+FFFD. Nil for every UTF-8 key.
    public var keyBytes: [UInt8]?
    /// `string`, `hash`, `list`, `set`, `zset` or `stream` (as Redis TYPE says).
    public var type: String
    /// Remaining lifetime in milliseconds; nil = never expires.
    public var ttlMilliseconds: Int64?
    /// Bytes: Redis `MEMORY USAGE` (the key's whole footprint); in the snapshot, the value's bytes.
    public var size: Int64
    /// Entry, tag set or counters.
    public var role: KeyRole
    /// The entry's tags, filled only when asked for (`usage --by tag`).
    public var tags: [String]?

    /// Creates a key description.
    public init(key: String, type: String, ttlMilliseconds: Int64?, size: Int64, role: KeyRole, tags: [String]? = nil) {
        self.key = key
        self.type = type
        self.ttlMilliseconds = ttlMilliseconds
        self.size = size
        self.role = role
        self.tags = tags
    }
}

/// The Redis types `keys --type` accepts.
public enum KeyType {
    /// Every type name Redis reports for a key.
    public static let names = ["string", "hash", "list", "set", "zset", "stream"]
}

/// Which keys `keys` and `usage` look at; everything under the key prefix by default.
public struct KeyFilter: Sendable, Equatable {
    /// A glob (`*`, `?`, `[abc]`, `\x`) on the key without the key prefix.
    public var pattern: String?
    /// Literal start of the key without the key prefix.
    public var prefix: String?
    /// Only keys of this type.
    public var type: String?
    /// Only keys without a TTL.
    public var withoutTTL: Bool
    /// Only keys of at least this many bytes.
    public var minSize: Int64?

    /// Creates a filter; the defaults select every key.
    public init(pattern: String? = nil, prefix: String? = nil, type: String? = nil, withoutTTL: Bool = false, minSize: Int64? = nil) {
        self.pattern = pattern
        self.prefix = prefix
        self.type = type
        self.withoutTTL = withoutTTL
        self.minSize = minSize
    }

    /// Throws `.usage` for an empty pattern or prefix, an unknown type or a negative size.
    public func validate() throws {
        if pattern == "" { throw CacheError(.usage, "--pattern must not be empty", hint: "leave it out to list every key") }
        if prefix == "" { throw CacheError(.usage, "--prefix must not be empty", hint: "leave it out to list every key") }
        if let type, !KeyType.names.contains(type) {
            throw CacheError(.usage, "Unknown key type \"\(type)\"", hint: "use one of " + KeyType.names.joined(separator: ", "))
        }
        if let minSize, minSize < 0 { throw CacheError(.usage, "--min-size must be zero or more bytes") }
    }

    /// Whether a key (without the key prefix) lies in the filter's name scope.
    public func matches(key: String) -> Bool {
        if let prefix, !key.hasPrefix(prefix) { return false }
        if let pattern, !RedisGlob.matches(pattern, key) { return false }
        return true
    }

    /// Whether a scanned key passes the type, TTL and size conditions.
    public func matches(_ info: KeyInfo) -> Bool {
        if let type, info.type != type { return false }
        if withoutTTL, info.ttlMilliseconds != nil { return false }
        if let minSize, info.size < minSize { return false }
        return true
    }
}

/// How `keys` orders its rows.
public enum KeyOrder: String, Sendable, CaseIterable {
    /// By key, byte order.
    case key
    /// Biggest first.
    case size
    /// Longest-living first: keys without a TTL, then the longest TTLs.
    case ttl

    /// Whether `a` comes before `b`.
    public func precedes(_ a: KeyInfo, _ b: KeyInfo) -> Bool {
        switch self {
        case .key: return a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        case .size: return a.size != b.size ? a.size > b.size : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        case .ttl:
            let (x, y) = (a.ttlMilliseconds ?? .max, b.ttlMilliseconds ?? .max)
            return x != y ? x > y : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
    }
}

/// What `usage` groups keys by.
public enum UsageDimension: String, Sendable, CaseIterable {
    /// Namespaces: the key up to its N-th separator.
    case prefix
    /// Tags of the tag index; an entry in several tags counts in each.
    case tag
    /// Redis types.
    case type
}

/// How `usage` groups: the dimension, and for prefixes the depth and separator.
public struct UsageGrouping: Sendable, Equatable {
    /// Group by prefix, tag or type.
    public var dimension: UsageDimension
    /// Separators a namespace keeps: `user:42:profile` is `user` at depth 1, `user:42` at 2.
    public var depth: Int
    /// The namespace separator, `:` by default.
    public var separator: String

    /// The group name of an entry in no tag (`--by tag`).
    public static let untagged = "(no tag)"
    /// The group name of a key without the separator (`--by prefix`).
    public static let noPrefix = "(no prefix)"
    /// The group name of tag sets under `--by tag`.
    public static let tagSets = "(tag sets)"
    /// The group name of the counters hash under `--by tag`.
    public static let counters = "(counters)"

    /// Creates a grouping; throws `.usage` for a depth below 1 or an empty separator.
    public init(dimension: UsageDimension = .prefix, depth: Int = 1, separator: String = ":") throws {
        guard depth >= 1, depth <= 64 else { throw CacheError(.usage, "--depth must be between 1 and 64, not \(depth)") }
        guard !separator.isEmpty else { throw CacheError(.usage, "--separator must not be empty") }
        self.dimension = dimension
        self.depth = depth
        self.separator = separator
    }

    /// The groups a key belongs to (several for an entry in several tags).
    public func groups(of info: KeyInfo) -> [String] {
        switch dimension {
        case .type: return [info.type]
        case .prefix: return [namespace(of: info.key)]
        case .tag:
            switch info.role {
            case .tagSet: return [Self.tagSets]
            case .counters: return [Self.counters]
            case .entry:
                guard let tags = info.tags, !tags.isEmpty else { return [Self.untagged] }
                return tags
            }
        }
    }

    /// The key up to its `depth`-th separator; a key with fewer separators than `depth` keeps
    /// all of them but the last part (`a:b` at depth 2 is `a`); a key without one is "(no prefix)".
    public func namespace(of key: String) -> String {
        var end = key.startIndex
        var found = 0
        var search = key.startIndex
        while found < depth, let range = key[search...].firstRange(of: separator) {
            end = range.lowerBound
            search = range.upperBound
            found += 1
        }
        return found == 0 ? Self.noPrefix : String(key[..<end])
    }
}

/// Exact, or estimated from a random sample.
public enum UsageMode: Sendable, Equatable {
    /// Every key was looked at.
    case exact
    /// `sampled` random keys (RANDOMKEY, with replacement) out of `population` in the database.
    case sampled(sampled: Int, population: Int64)
}

/// One group of `usage`.
public struct UsageGroup: Sendable, Equatable {
    /// The namespace, tag or type.
    public var name: String
    /// Keys (an estimate when sampled).
    public var keys: Int64
    /// Bytes (an estimate when sampled).
    public var memory: Int64
    /// Percent of the total memory in scope (groups by tag may overlap and add up to more than 100).
    public var share: Double
    /// Half-width of the 95% interval of `share`, in percentage points; nil when exact.
    public var shareMargin: Double?
    /// Half-width of the 95% interval of `keys`; nil when exact.
    public var keysMargin: Int64?
    /// Keys without a TTL (an estimate when sampled).
    public var noTTLKeys: Int64
    /// Median TTL in seconds of the keys that have one; nil when none has.
    public var ttlP50: Double?
    /// 90th percentile TTL in seconds.
    public var ttlP90: Double?
    /// Longest TTL in seconds.
    public var ttlMax: Double?
    /// The biggest key seen in the group (in the sample, when sampled).
    public var biggestKey: KeyInfo?

    /// Creates a group's figures.
    public init(name: String, keys: Int64, memory: Int64, share: Double, shareMargin: Double? = nil, keysMargin: Int64? = nil,
                noTTLKeys: Int64, ttlP50: Double?, ttlP90: Double?, ttlMax: Double?, biggestKey: KeyInfo?) {
        self.name = name
        self.keys = keys
        self.memory = memory
        self.share = share
        self.shareMargin = shareMargin
        self.keysMargin = keysMargin
        self.noTTLKeys = noTTLKeys
        self.ttlP50 = ttlP50
        self.ttlP90 = ttlP90
        self.ttlMax = ttlMax
        self.biggestKey = biggestKey
    }
}

/// What `usage` found: totals and groups, biggest memory first.
public struct UsageReport: Sendable, Equatable {
    /// `redis`, `snapshot` or `dummy`.
    public var backend: String
    /// Where, password redacted.
    public var endpoint: String
    /// How keys were grouped.
    public var grouping: UsageGrouping
    /// Exact or sampled.
    public var mode: UsageMode
    /// Keys looked at: every key in scope (exact) or the sampled keys that lay in scope.
    public var scannedKeys: Int64
    /// Keys in scope (an estimate when sampled).
    public var keys: Int64
    /// Bytes in scope (an estimate when sampled).
    public var memory: Int64
    /// Keys without a TTL, the counters hash excepted (it is meant to live forever).
    public var noTTLKeys: Int64
    /// Every group, biggest memory first.
    public var groups: [UsageGroup]
    /// Seconds taken.
    public var seconds: Double
    /// True when the scan was interrupted: the figures cover the keys scanned so far.
    public var interrupted: Bool
    /// Set when a server was lost mid-scan (`.unreachable`, naming it): the figures cover the
    /// keys scanned before. The caller shows the report, then reports the failure.
    public var failure: CacheError?

    /// Creates a report.
    public init(backend: String, endpoint: String, grouping: UsageGrouping, mode: UsageMode, scannedKeys: Int64, keys: Int64,
                memory: Int64, noTTLKeys: Int64, groups: [UsageGroup], seconds: Double, interrupted: Bool) {
        self.backend = backend
        self.endpoint = endpoint
        self.grouping = grouping
        self.mode = mode
        self.scannedKeys = scannedKeys
        self.keys = keys
        self.memory = memory
        self.noTTLKeys = noTTLKeys
        self.groups = groups
        self.seconds = seconds
        self.interrupted = interrupted
    }

    /// The largest share margin over the groups, in percentage points; nil when exact.
    public var largestShareMargin: Double? {
        guard case .sampled = mode else { return nil }
        return groups.compactMap(\.shareMargin).max() ?? 0
    }
}

/// What `listKeys` found: the keys, and the failure that ended the scan early, if one did.
public struct KeyListing: Sendable, Equatable {
    /// The keys listed, in the order asked.
    public var keys: [KeyInfo]
    /// Set when a server was lost mid-scan (`.unreachable`, naming it): `keys` holds what was
    /// scanned before. The caller shows the listing, then reports the failure.
    public var failure: CacheError?
}

/// A scan that loses its server part-way ends with what it has: the failure is kept for the
/// caller to report after showing the partial result.
enum KeyScanFailure {
    /// Runs `body`; returns the `.unreachable` error it throws (a server lost or timed out),
    /// nil when it completes. Other errors are thrown.
    static func catching(_ body: () throws -> Void) throws -> CacheError? {
        do {
            try body()
            return nil
        } catch let error as CacheError where error.kind == .unreachable {
            return error
        }
    }
}
