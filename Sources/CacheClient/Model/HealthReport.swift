/// What `check` found in a cache: the file's integrity (snapshot) and the tag index's health.
public struct HealthReport: Sendable, Equatable {
    /// `snapshot`, `redis` or `dummy`.
    public var backend: String
    /// The endpoint, password redacted.
    public var endpoint: String
    /// What was examined, in order, e.g. `integrity_check`, `tag memberships`, `interrupted invalidations`.
    public var checked: [String] = []
    /// Everything found wrong; empty when the cache is healthy.
    public var problems: [HealthProblem] = []
    /// Seconds the check took.
    public var seconds: Double = 0

    /// Creates an empty report.
    public init(backend: String, endpoint: String) {
        self.backend = backend
        self.endpoint = endpoint
    }

    /// Whether nothing was found wrong.
    public var isHealthy: Bool { problems.isEmpty }
    /// Whether the snapshot file itself is damaged (exit 65) rather than its index untidy (exit 1).
    public var isDamaged: Bool { problems.contains { $0.kind == .damaged } }
}

/// One thing `check` found wrong.
public struct HealthProblem: Sendable, Equatable {
    /// The classes of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The snapshot file failed SQLite's integrity check.
        case damaged
        /// Tag memberships whose entries no longer exist (`tags prune` removes them).
        case orphans
        /// Entries under `--pattern` that are in no tag set.
        case untagged
        /// A tag set moved aside by an invalidation that did not finish (`<tag>:invalidating:<uuid>`).
        case interrupted
    }

    /// The class of problem.
    public var kind: Kind
    /// How many keys, members or rows it concerns.
    public var count: Int
    /// What is wrong, in a sentence; names the first few keys or tags.
    public var detail: String
    /// What to do about it.
    public var hint: String?

    /// Creates a problem.
    public init(kind: Kind, count: Int, detail: String, hint: String? = nil) {
        self.kind = kind
        self.count = count
        self.detail = detail
        self.hint = hint
    }
}

/// A backend that can examine itself for `cachectl check`.
public protocol HealthChecking {
    /// Examines the cache without changing it. `pattern` (a glob over entry keys) asks for the
    /// entries under it that are in no tag set; nil skips that check.
    func checkHealth(pattern: String?) throws -> HealthReport
}
