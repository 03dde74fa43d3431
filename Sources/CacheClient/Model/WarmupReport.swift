/// One item warmup could not write: a malformed manifest record or a failed fetch or write.
public struct WarmupIssue: Sendable, Equatable {
    /// The line of the manifest (or of the keys file) the item starts on; nil when unknown.
    public var line: Int?
    /// The entry's key, when known.
    public var key: String?
    /// What went wrong.
    public var reason: String

    /// Creates an issue.
    public init(line: Int?, key: String? = nil, reason: String) {
        self.line = line
        self.key = key
        self.reason = reason
    }
}

/// Why a warmup ended before handling every entry.
public enum WarmupStop: Sendable, Equatable {
    /// The input has malformed records and `skipInvalid` is off: nothing was written.
    case invalidInput
    /// `maxDuration` ran out; the rest was not attempted.
    case maxDuration
    /// The backend stayed unreachable after the retries; the message says why.
    case unreachable(String)
    /// The server refused the writes (read-only replica, out of memory, a missing ACL
    /// permission, still loading after the retries): the error says which, its kind the exit code.
    case refused(CacheError)
    /// A signal (the text names it) stopped the run at a batch boundary.
    case interrupted(String)
}

/// What a warmup did: counts, time, the first issues, and why it stopped early, if it did.
public struct WarmupReport: Sendable, Equatable {
    /// Where the entries came from: a path, `-`, the generator command or the URL template.
    public var source: String
    /// The backend written to, password redacted.
    public var endpoint: String
    /// Valid entries (or keys) in the input.
    public var total = 0
    /// Entries written.
    public var written = 0
    /// Entries left alone because the key existed (`onlyMissing`).
    public var skipped = 0
    /// Entries whose fetch or write failed.
    public var failed = 0
    /// Malformed records in the input.
    public var invalid = 0
    /// Seconds from start to end, validation included.
    public var seconds = 0.0
    /// The first issues (invalid records, failures), in input order, at most `Warmup.issueLimit`.
    public var issues: [WarmupIssue] = []
    /// Why the run stopped early; nil when it went through the whole input.
    public var stop: WarmupStop?
    /// Commands sent again after a cluster redirect, a failover or a busy node (cluster and Sentinel).
    public var retries = 0
    /// Whether the server restarted during the run (its run_id changed across a reconnect).
    public var serverRestarted = false
    /// Entries written whose replicas did not all acknowledge them within the wait (`replicaWait`):
    /// written, but a failover could still lose them.
    public var unacknowledged = 0
    /// The replicas asked to acknowledge each batch (`--wait-replicas`); nil when not asked.
    public var replicasAsked: Int?
    /// The fewest replicas any wait reported; nil when not asked.
    public var fewestReplicas: Int?
    /// Things the operator must know that are not per-item issues (a restart, a terminated generator).
    public var notes: [String] = []

    /// Creates an empty report.
    public init(source: String, endpoint: String) {
        self.source = source
        self.endpoint = endpoint
    }

    /// Valid entries neither written, skipped nor failed (the run stopped early).
    public var notAttempted: Int { max(0, total - written - skipped - failed) }

    /// Entries handled (written, skipped or failed) per second.
    public var entriesPerSecond: Double { seconds > 0 ? Double(written + skipped + failed) / seconds : 0 }
}
