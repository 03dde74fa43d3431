/// What invalidating one tag did (or, in a dry run, would do).
public struct TagInvalidation: Sendable, Equatable {
    /// The tag's name, without the tag prefix.
    public var tag: String
    /// Whether the tag's index existed when the invalidation started.
    public var existed: Bool
    /// Entries deleted; in a dry run, the live entries that would be deleted.
    public var deleted: Int
    /// Members the index held, stale ones included (a member is a full store key).
    public var members: Int
    /// In a dry run, the first live store keys that would go (at most the list limit); empty otherwise.
    public var keys: [String]
    /// Seconds the invalidation took.
    public var seconds: Double
    /// Whether nothing was changed.
    public var dryRun: Bool
    /// Interrupted invalidations of this tag (left by a run that was killed or lost its
    /// connection) that this run finished; their deleted entries are counted in `deleted`.
    public var finishedInterrupted = 0
    /// Whether this run stopped before the end (a signal); `remaining` members are left in the
    /// moved-aside set, and running the same command again finishes them.
    public var interrupted = false
    /// Members not yet handled when the run stopped.
    public var remaining = 0

    /// Creates a report.
    public init(tag: String, existed: Bool, deleted: Int, members: Int, keys: [String] = [], seconds: Double, dryRun: Bool) {
        self.tag = tag
        self.existed = existed
        self.deleted = deleted
        self.members = members
        self.keys = keys
        self.seconds = seconds
        self.dryRun = dryRun
    }
}

/// One tag index as `tags` lists it.
public struct TagSummary: Sendable, Equatable {
    /// The tag's name, without the tag prefix.
    public var tag: String
    /// Members, stale ones included (Redis SCARD).
    public var members: Int
    /// Members whose entry no longer exists; nil unless orphans were asked for.
    public var orphans: Int?
    /// The remaining lifetime of the index in milliseconds; nil when it never expires (or the backend keeps none).
    public var ttlMilliseconds: Int64?
    /// True for the temporary key of an invalidation that was interrupted (`<tag-set>:invalidating:<uuid>`):
    /// its members were meant to be deleted; `tags prune` finishes the job.
    public var interrupted: Bool

    /// Creates a summary.
    public init(tag: String, members: Int, orphans: Int? = nil, ttlMilliseconds: Int64? = nil, interrupted: Bool = false) {
        self.tag = tag
        self.members = members
        self.orphans = orphans
        self.ttlMilliseconds = ttlMilliseconds
        self.interrupted = interrupted
    }
}

/// What pruning one tag index did (or, in a dry run, would do).
public struct TagPrune: Sendable, Equatable {
    /// The tag's name, without the tag prefix.
    public var tag: String
    /// Members the index held before pruning.
    public var members: Int
    /// Stale members removed (dry run: that would be removed).
    public var removed: Int
    /// For an interrupted invalidation that was finished: entries deleted (dry run: that would be deleted).
    public var deleted: Int
    /// True when this row finished an interrupted invalidation instead of pruning a live tag.
    public var interrupted: Bool

    /// Creates a report.
    public init(tag: String, members: Int, removed: Int, deleted: Int = 0, interrupted: Bool = false) {
        self.tag = tag
        self.members = members
        self.removed = removed
        self.deleted = deleted
        self.interrupted = interrupted
    }
}

/// Which keys `flush` deletes. Patterns and prefixes apply to entry keys, below the key prefix.
public enum FlushScope: Sendable, Equatable, CustomStringConvertible {
    /// Keys matching a Redis-style glob (`*`, `?`, `[abc]`, `[^a]`, `\` escapes).
    case pattern(String)
    /// Keys starting with this literal text.
    case prefix(String)
    /// Every entry: the whole database when no key prefix is set (Redis `FLUSHDB ASYNC`), else
    /// every key under the key prefix.
    case all

    public var description: String {
        switch self {
        case .pattern(let glob): return "matching \(glob.displayQuoted)"
        case .prefix(let prefix): return "starting with \(prefix.displayQuoted)"
        case .all: return "(all)"
        }
    }

    /// Throws a usage error naming the option when a pattern or prefix is empty.
    public func validate() throws {
        switch self {
        case .pattern(let glob) where glob.isEmpty:
            throw CacheError(.usage, "--pattern must not be empty", hint: "use --all to flush everything")
        case .prefix(let prefix) where prefix.isEmpty:
            throw CacheError(.usage, "--prefix must not be empty", hint: "use --all to flush everything")
        default: return
        }
    }
}

/// What `flush` did (or, in a dry run, would do).
public struct FlushReport: Sendable, Equatable {
    /// The scope flushed.
    public var scope: FlushScope
    /// Keys deleted (dry run: that would be deleted).
    public var deleted: Int
    /// In a dry run, the first store keys that would go (at most the list limit); empty otherwise.
    public var keys: [String]
    /// The type of each of `keys` (`string`, or a Redis type such as `hash` or `list`).
    public var types: [String]
    /// Seconds the flush took.
    public var seconds: Double
    /// Whether nothing was changed.
    public var dryRun: Bool
    /// Whether a signal stopped the flush at a batch boundary (the rest of the scope is still there).
    public var interrupted = false

    /// Creates a report.
    /// Without `types`, every listed key is a string (the snapshot file holds nothing else).
    public init(scope: FlushScope, deleted: Int, keys: [String] = [], types: [String]? = nil, seconds: Double, dryRun: Bool) {
        self.scope = scope
        self.deleted = deleted
        self.keys = keys
        self.types = types ?? keys.map { _ in "string" }
        self.seconds = seconds
        self.dryRun = dryRun
    }
}
