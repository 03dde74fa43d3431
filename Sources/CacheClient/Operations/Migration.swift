import FoundationEssentials
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One entry on its way from a source to a sink.
///
/// A string travels as its value bytes; with a Redis source and a sink that takes serialized
/// values (Redis), every type travels as its `DUMP` payload instead.
public struct MigrationRecord: Sendable, Equatable {
    /// The entry key, without the key prefix.
    public var key: String
    /// The Redis type (`string`, `hash`, `list`, …); `string` for snapshot and JSON Lines entries.
    public var type: String
    /// The value bytes of a string; nil when the record carries `serialized` only.
    public var value: [UInt8]?
    /// The `DUMP` payload, for Redis→Redis copies (and JSON Lines `dump_base64`).
    public var serialized: [UInt8]?
    /// The elements of a set, list, hash or sorted set, for JSON Lines.
    public var collection: RedisCollection?
    /// The remaining lifetime.
    public var expiry: Expiry
    /// The tags; nil when they travel separately (tag sets copied as sets, Redis→Redis).
    public var tags: [String]?
    /// The value decoded from a framework layout's encoding, so another layout re-encodes it.
    public var decoded: CacheValue?
    /// Whether `value` is the compact JSON text of a manifest's non-string value.
    public var valueIsJSON = false

    /// Creates a record.
    public init(key: String, type: String = "string", value: [UInt8]?, serialized: [UInt8]? = nil,
                collection: RedisCollection? = nil, expiry: Expiry, tags: [String]?) {
        self.key = key
        self.type = type
        self.value = value
        self.serialized = serialized
        self.collection = collection
        self.expiry = expiry
        self.tags = tags
    }

    /// The record as an entry, when it is a string.
    public var entry: Entry? {
        value.map {
            var entry = Entry(key: key, value: $0, expiry: expiry, tags: tags)
            entry.decoded = decoded
            entry.valueIsJSON = valueIsJSON
            return entry
        }
    }
}

/// A batch read from a source: records, and keys that expired between listing and reading.
public struct MigrationBatch: Sendable {
    /// The records, in the source's order.
    public var records: [MigrationRecord]
    /// Keys listed but gone (expired) by the time they were read.
    public var expired: [String]
    /// Tag sets met on the way, for sinks that take them as sets (a full Redis→Redis copy).
    public var tagSets: [TagMembers] = []

    /// Creates a batch.
    public init(records: [MigrationRecord] = [], expired: [String] = []) {
        self.records = records
        self.expired = expired
    }
}

/// Where migrate reads from: streams entries in batches, holding one batch at a time.
public protocol EntrySource: AnyObject {
    /// The endpoint, password redacted.
    var endpointDescription: String { get }
    /// Calls `body` with each batch of entries whose keys match `pattern` (a Redis glob over
    /// entry keys; nil = all). With `serialized`, Redis sources send every type as `DUMP`
    /// payloads; otherwise only strings carry values and other types come with `value == nil`.
    /// With `keysOnly`, records carry key and type but no value (for the conflict check).
    func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool,
              _ body: (MigrationBatch) throws -> Void) throws
}

/// What happened to one record at the sink.
public enum SinkOutcome: Sendable, Equatable {
    /// Written (new, or replacing).
    case written
    /// The key existed and was left as it was.
    case existed
    /// The record expired before it could be written.
    case expired
}

/// Where migrate writes to.
public protocol EntrySink: AnyObject {
    /// The endpoint, password redacted.
    var endpointDescription: String { get }
    /// Whether the sink takes `DUMP` payloads (and so every Redis type).
    var acceptsSerialized: Bool { get }
    /// Whether the sink can hold keys that conflict (false for a fresh JSON Lines file and `dummy:`).
    var hasExistingKeys: Bool { get }
    /// Whether the sink holds nothing at all, so that no key can conflict.
    func isEmpty() throws -> Bool
    /// Which keys already exist at the sink.
    func exists(_ keys: [String]) throws -> [Bool]
    /// Writes a batch; with `replace`, existing keys are overwritten, else left as they are.
    func write(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome]
    /// Reads records back for `--verify` (`serialized` as the copy used); nil for missing keys.
    func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?]
    /// Whether the sink's layout may refuse a record (a framework layout), so migrate checks
    /// every record before writing any.
    var refusesSomeRecords: Bool { get }
    /// Why the sink cannot hold a record, or nil.
    func refusal(of record: MigrationRecord) -> String?
    /// Completes the output (renames a finished JSON Lines file into place).
    func finish() throws
    /// Gives up an unfinished output (removes a JSON Lines file's temporary copy).
    func abandon()
    /// Whether the sink takes sets, lists, hashes and sorted sets element by element (JSON Lines).
    var acceptsCollections: Bool { get }
    /// Whether the sink can hold this record; a record it cannot hold is reported as not copied.
    func accepts(_ record: MigrationRecord) -> Bool
    /// Whether the sink writes a record's tags (false under `--drop-tags`), so the report counts
    /// only the memberships really written.
    var keepsTags: Bool { get }
}

extension EntrySink {
    public var refusesSomeRecords: Bool { false }
    public func refusal(of record: MigrationRecord) -> String? { nil }
    public func finish() throws {}
    public func abandon() {}
    public func isEmpty() throws -> Bool { !hasExistingKeys }
    public var acceptsCollections: Bool { false }
    public var keepsTags: Bool { true }
    public func accepts(_ record: MigrationRecord) -> Bool {
        record.value != nil || (acceptsSerialized && record.serialized != nil)
    }
}

/// A sink that writes one batch while the next is read and sent: `submit` sends a batch
/// without waiting for the server, `collect` returns the outcomes of the oldest batch submitted
/// and not yet collected. Migrate keeps one batch in flight, so the server never waits for the
/// client between two batches and memory stays bounded by two batches.
public protocol PipelinedEntrySink: EntrySink {
    /// Sends a batch on its way (or writes it at once when it cannot be pipelined); with
    /// `replace`, existing keys are overwritten, else left as they are.
    func submit(_ records: [MigrationRecord], replace: Bool) throws
    /// The outcomes of the oldest batch submitted and not yet collected, in its order.
    func collect() throws -> [SinkOutcome]
    /// Reads whatever the sink still owes after the last batch was collected (the corrections of
    /// the `sets` counter), so that the report's counts are on the server when the run ends.
    func finishSubmitted() throws
}

/// What to do with a key that already exists at the target.
public enum ConflictPolicy: String, Sendable, CaseIterable {
    /// Stop before writing anything when any key exists (the default).
    case fail
    /// Leave existing keys as they are.
    case skip
    /// Overwrite existing keys.
    case replace
}

/// Copies entries between two endpoints, keeping values byte for byte, remaining lifetimes and
/// tag memberships, with bounded memory: one batch in flight.
public struct Migration {
    /// The options of one run.
    public struct Options: Sendable {
        /// A Redis glob over entry keys; nil copies everything.
        public var pattern: String?
        /// Existing keys at the target.
        public var onConflict: ConflictPolicy = .fail
        /// Report what would happen; write nothing.
        public var dryRun = false
        /// Compare source and target afterwards.
        public var verify = false
        /// Keys per batch (SCAN COUNT, pipeline size, transaction size).
        public var batchSize = 1000
        /// Seconds a copied TTL may differ from the source's in `verify` (plus the run's duration).
        public var ttlTolerance: Double = 2
        /// How many keys each list in the report names at most.
        public var listLimit = 10
        /// Checked between batches: a cancelled run stops there and reports what it copied.
        public var cancellation: Cancellation = .process
        /// Copy strings only: other types are out of scope (listed, not a failure).
        public var stringsOnly = false
        /// Wait after each batch until this many of the target's replicas acknowledged it (Redis
        /// `WAIT`); what they did not is counted in `MigrationReport.unacknowledged`.
        public var replicaWait: ReplicaWait?

        /// Creates options.
        public init(pattern: String? = nil, onConflict: ConflictPolicy = .fail, dryRun: Bool = false, verify: Bool = false) {
            self.pattern = pattern
            self.onConflict = onConflict
            self.dryRun = dryRun
            self.verify = verify
        }
    }

    public let source: any EntrySource
    public let sink: any EntrySink
    public let options: Options

    /// Creates a migration; nothing is read or written until `run`.
    public init(from source: any EntrySource, to sink: any EntrySink, options: Options) {
        self.source = source
        self.sink = sink
        self.options = options
    }

    /// Runs the copy. `progress` is called after each batch.
    ///
    /// Throws `.badInput` (65) for conflicts under `fail`, before anything is written; when the
    /// connection is lost midway, `.unreachable` whose message gives the exact counts so far.
    public func run(progress: (OperationProgress) -> Void = { _ in }) throws -> MigrationReport {
        let start = ContinuousClock.now
        var report = MigrationReport(source: source.endpointDescription, target: sink.endpointDescription,
                                     dryRun: options.dryRun, onConflict: options.onConflict)
        let serialized = sink.acceptsSerialized
        (source as? RedisEntrySource)?.includesCollections = sink.acceptsCollections && !options.stringsOnly
        // Into an empty target nothing can conflict: no need to list the source twice.
        let needsSurvey = try options.dryRun || (options.onConflict == .fail && sink.hasExistingKeys && !sink.isEmpty())
        if needsSurvey {
            try survey(into: &report, serialized: serialized)
            if !options.dryRun, report.conflicts > 0 { throw conflictError(report) }
            if options.dryRun {
                report.seconds = (ContinuousClock.now - start).seconds
                return report
            }
            report = MigrationReport(source: source.endpointDescription, target: sink.endpointDescription,
                                     dryRun: false, onConflict: options.onConflict)
        }
        if !options.dryRun, sink.refusesSomeRecords {
            try checkRepresentable(serialized: serialized)
        }
        var acknowledging: (any ReplicaAcknowledging)?
        if options.replicaWait != nil {
            acknowledging = (sink as? BackendWritingSink)?.targetBackend as? ReplicaAcknowledging
            guard acknowledging != nil else {
                throw CacheError(.usage, "--wait-replicas needs a Redis target (a server, a cluster or Sentinel): \(sink.endpointDescription) has no replicas")
            }
        }
        var copiedTagMemberships = 0
        struct Interrupted: Error {}
        let redisSource = source as? RedisEntrySource
        // Waiting for replicas needs each batch's outcomes before the next batch: no batch in flight then.
        let pipelined = options.replicaWait == nil ? sink as? PipelinedEntrySink : nil
        /// Batches submitted to a pipelined sink whose outcomes are not collected yet, oldest first.
        var inFlight: [[MigrationRecord]] = []
        func account(_ writable: [MigrationRecord], _ outcomes: [SinkOutcome]) {
            for (record, outcome) in zip(writable, outcomes) {
                switch outcome {
                case .written:
                    report.copied += 1
                    if sink.keepsTags { copiedTagMemberships += record.tags?.count ?? 0 }
                case .expired: report.expired += 1
                case .existed:
                    report.conflicts += 1
                    if report.conflictKeys.count < options.listLimit { report.conflictKeys.append(record.key) }
                }
            }
        }
        /// Collects the outcomes of the batches in flight down to `keep` (with 0, also what the sink still owes).
        func settle(keeping keep: Int) throws {
            while inFlight.count > keep, let pipelined {
                account(inFlight.removeFirst(), try pipelined.collect())
            }
            if keep == 0 { try pipelined?.finishSubmitted() }
        }
        do {
            if serialized, let tagSource = source as? TagSetSource, let tagSink = sink as? TagSetSink {
                // Redis→Redis: the tag sets first, so that no copied entry is ever outside its tags (a
                // membership whose entry is not there yet is harmless: tags prune removes it).
                redisSource?.copiesTagSetsInline = false
                func copy(_ page: [TagMembers]) throws {
                    if options.cancellation.isCancelled { throw Interrupted() }
                    try tagSink.addTagMembers(page)
                    report.tagMemberships += page.reduce(0) { $0 + $1.keys.count }
                }
                if let redisSource, redisSource.walksOnce(pattern: options.pattern) {
                    // One walk of the source finds the tag sets and keeps the keys for the copy.
                    try redisSource.scanTagSetsKeepingKeys(copy)
                } else {
                    try tagSource.scanTagSets(pattern: options.pattern, copy)
                }
            }
            try scanAhead(serialized: serialized, keysOnly: false) { batch in
                if options.cancellation.isCancelled { throw Interrupted() }
                report.expired += batch.expired.count
                var writable: [MigrationRecord] = []
                writable.reserveCapacity(batch.records.count)
                for record in batch.records {
                    if (options.stringsOnly && record.value == nil) || !sink.accepts(record) {
                        report.noteSkippedType(record, limit: options.listLimit)
                    } else {
                        writable.append(record)
                    }
                }
                var outcomes: [SinkOutcome] = []
                if let pipelined {
                    // This batch goes out before the previous one's replies are read.
                    try pipelined.submit(writable, replace: options.onConflict == .replace)
                    inFlight.append(writable)
                    try settle(keeping: 1)
                } else {
                    outcomes = try sink.write(writable, replace: options.onConflict == .replace)
                    account(writable, outcomes)
                }
                if !batch.tagSets.isEmpty, let tagSink = sink as? TagSetSink {
                    try tagSink.addTagMembers(batch.tagSets)
                    report.tagMemberships += batch.tagSets.reduce(0) { $0 + $1.keys.count }
                }
                if let wait = options.replicaWait, let acknowledging {
                    report.unacknowledged += try Self.unacknowledged(zip(writable, outcomes), on: acknowledging, wait: wait,
                                                                     withTags: sink.keepsTags)
                }
                report.scanned += batch.records.count + batch.expired.count
                progress(OperationProgress(done: report.scanned))
            }
            try settle(keeping: 0)
            if !(serialized && source is TagSetSource && sink is TagSetSink) {
                report.tagMemberships = copiedTagMemberships
            }
            try sink.finish()
        } catch is Interrupted {
            // Stopped between two batches: what was copied is complete (the batches in flight
            // are collected first); a JSON Lines file is not put in place.
            do {
                try settle(keeping: 0)
            } catch let error as CacheError {
                sink.abandon()
                throw CacheError(error.kind, "migrate stopped: \(error.message); before that \(report.countsSentence)",
                                 hint: "rerun with --on-conflict skip to copy the rest")
            }
            report.interrupted = true
            sink.abandon()
            report.seconds = (ContinuousClock.now - start).seconds
            return report
        } catch let error as CacheError where error.kind == .unreachable || error.kind == .io {
            throw CacheError(error.kind, "migrate stopped: \(error.message); before that \(report.countsSentence)",
                             hint: "rerun with --on-conflict skip to copy the rest")
        }
        if options.verify {
            report.verification = try verify(started: start)
        }
        report.seconds = (ContinuousClock.now - start).seconds
        return report
    }

    /// Waits for the target's replicas of the records written: each counts with its key and,
    /// when the target keeps tags, its tag sets.
    static func unacknowledged(_ written: some Sequence<(MigrationRecord, SinkOutcome)>, on target: any ReplicaAcknowledging,
                               wait: ReplicaWait, withTags: Bool) throws -> Int {
        let configuration = target.configuration
        let items = written.compactMap { record, outcome -> [String]? in
            guard case .written = outcome else { return nil }
            return [configuration.storeKey(record.key)] + (withTags ? (record.tags ?? []).map(configuration.tagSetKey) : [])
        }
        guard !items.isEmpty else { return 0 }
        return try target.acknowledgement(of: items, wait: wait).unacknowledged
    }

    /// Reads the source on a thread of its own, a couple of batches ahead, and hands each batch to
    /// `body` on this thread: reading the next batch (parsing a file, a round trip to the source
    /// server) overlaps with writing this one. Memory stays bounded by the queue's capacity.
    private func scanAhead(serialized: Bool, keysOnly: Bool, _ body: (MigrationBatch) throws -> Void) throws {
        enum Item: Sendable {
            case batch(MigrationBatch)
            case failure(any Error)
        }
        struct Stopped: Error {}
        let queue = BoundedQueue<Item>(capacity: 2)
        let finished = DispatchSemaphore(value: 0)
        let work = UncheckedBox((source, options))
        startThread(stackSize: 1 << 20) {
            let (source, options) = work.value
            do {
                try source.scan(pattern: options.pattern, batchSize: options.batchSize, serialized: serialized, keysOnly: keysOnly) { batch in
                    guard queue.push(.batch(batch)) else { throw Stopped() }
                }
            } catch is Stopped {
            } catch {
                _ = queue.push(.failure(error))
            }
            queue.close()
            finished.signal()
        }
        defer {
            queue.cancel()
            finished.wait()
        }
        while let item = queue.pop() {
            switch item {
            case .batch(let batch): try body(batch)
            case .failure(let error): throw error
            }
        }
    }

    /// Counts what a copy would do without writing: conflicts, types the target cannot hold.
    private func survey(into report: inout MigrationReport, serialized: Bool) throws {
        try scanAhead(serialized: serialized, keysOnly: true) { batch in
            report.expired += batch.expired.count
            var candidates: [MigrationRecord] = []
            for record in batch.records {
                if record.type != "string" && ((!serialized && !sink.acceptsCollections) || options.stringsOnly) {
                    report.noteSkippedType(record, limit: options.listLimit)
                } else {
                    candidates.append(record)
                }
            }
            let existing = sink.hasExistingKeys ? try sink.exists(candidates.map(\.key)) : candidates.map { _ in false }
            for (record, exists) in zip(candidates, existing) {
                if exists {
                    report.conflicts += 1
                    if report.conflictKeys.count < options.listLimit { report.conflictKeys.append(record.key) }
                }
                if !exists || options.onConflict == .replace { report.copied += 1 }
            }
            report.scanned += batch.records.count + batch.expired.count
        }
    }

    /// Reads the source once before writing when the target's layout cannot hold every value
    /// (tags into Django, an object into JSON-only encoders): the first refusal stops the run
    /// with `.badInput` and nothing written.
    private func checkRepresentable(serialized: Bool) throws {
        var refusals: [String] = []
        var count = 0
        try scanAhead(serialized: serialized, keysOnly: false) { batch in
            for record in batch.records {
                guard let reason = sink.refusal(of: record) else { continue }
                count += 1
                if refusals.count < options.listLimit { refusals.append(reason) }
            }
        }
        guard count > 0 else { return }
        throw CacheError(.badInput, "migrate refused: \(count) entr\(count == 1 ? "y" : "ies") cannot be written to \(sink.endpointDescription): "
                             + refusals.joined(separator: "; ") + "; nothing was written")
    }

    private func conflictError(_ report: MigrationReport) -> CacheError {
        let names = report.conflictKeys.map { "\($0.displayQuoted)" }.joined(separator: ", ")
        let more = report.conflicts > report.conflictKeys.count ? " and \(report.conflicts - report.conflictKeys.count) more" : ""
        return CacheError(.badInput, "migrate refused: \(report.conflicts) key\(report.conflicts == 1 ? "" : "s") already exist at \(sink.endpointDescription): \(names)\(more); nothing was written",
                          hint: "choose --on-conflict skip or --on-conflict replace")
    }

    /// Reads the source again and compares each entry with the target's.
    private func verify(started: ContinuousClock.Instant) throws -> MigrationVerification {
        (source as? RedisEntrySource)?.readsContents = true
        defer { (source as? RedisEntrySource)?.readsContents = false }
        var result = MigrationVerification()
        let serialized = sink.acceptsSerialized
        try scanAhead(serialized: serialized, keysOnly: false) { batch in
            // Other types compare by content (DUMP bytes depend on insertion order and encoding):
            // a Redis source reads it while scanning (`readsContents`).
            let records = batch.records.filter { sink.accepts($0) && !(options.stringsOnly && $0.value == nil) }
            let copies = try sink.readBack(records, serialized: serialized)
            let tolerance = options.ttlTolerance + (ContinuousClock.now - started).seconds
            for (record, copy) in zip(records, copies) {
                result.checked += 1
                if let problem = Self.difference(record, copy, toleranceSeconds: tolerance) {
                    result.mismatches += 1
                    if result.problems.count < options.listLimit { result.problems.append(MigrationMismatch(key: record.key, problem: problem)) }
                }
            }
        }
        return result
    }

    /// Why a copy differs from its source, or nil when it matches.
    static func difference(_ source: MigrationRecord, _ copy: MigrationRecord?, toleranceSeconds: Double) -> String? {
        guard let copy else { return "missing at the target" }
        if let value = source.value, copy.value != value {
            return "value differs (source \(value.count) bytes, digest \(digest(value)); target \(copy.value?.count ?? 0) bytes, digest \(digest(copy.value ?? [])))"
        }
        if source.value == nil, let collection = source.collection {
            guard let copied = copy.collection, copied.type == collection.type else {
                return "type differs: source \(collection.type), target \(copy.collection?.type ?? copy.type)"
            }
            if copied.canonical != collection.canonical {
                return "\(collection.type) differs (source \(collection.elements.count) elements, target \(copied.elements.count))"
            }
        } else if source.value == nil, let serialized = source.serialized, copy.serialized != serialized {
            return "value differs (the DUMP payloads do not match)"
        }
        switch (source.expiry.milliseconds, copy.expiry.milliseconds) {
        case (nil, nil): break
        case (let ms?, nil): return "TTL differs: source \(ms / 1000) s, target none"
        case (nil, let ms?): return "TTL differs: source none, target \(ms / 1000) s"
        case (let a?, let b?):
            if abs(Double(a - b)) / 1000 > toleranceSeconds { return "TTL differs: source \(a / 1000) s, target \(b / 1000) s" }
        }
        if let tags = source.tags, let copied = copy.tags {
            let missing = Set(tags).subtracting(copied)
            if !missing.isEmpty { return "tag membership missing at the target: " + missing.sorted().joined(separator: ", ") }
        }
        return nil
    }

    /// FNV-1a, 64 bits, in hex: a short fingerprint of a value for mismatch messages.
    static func digest(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// What `migrate` did (or, in a dry run, would do).
public struct MigrationReport: Sendable, Equatable {
    /// The source endpoint, password redacted.
    public var source: String
    /// The target endpoint, password redacted.
    public var target: String
    /// Whether nothing was written.
    public var dryRun: Bool
    /// The conflict policy in force.
    public var onConflict: ConflictPolicy
    /// Keys read from the source (including ones that expired on the way).
    public var scanned = 0
    /// Entries written to the target (or that would be).
    public var copied = 0
    /// Keys that existed at the target: left as they were (skip), replaced (replace, counted in
    /// `copied` too), or the reason for refusing (fail).
    public var conflicts = 0
    /// The first few conflicting keys.
    public var conflictKeys: [String] = []
    /// Keys that expired between listing and copying: not errors.
    public var expired = 0
    /// Tag memberships copied (entry in a tag).
    public var tagMemberships = 0
    /// Keys of types the target cannot hold, by type.
    public var skippedTypes: [String: Int] = [:]
    /// The first few of those keys, with their types.
    public var skippedKeys: [MigrationSkip] = []
    /// The comparison afterwards, when asked for.
    public var verification: MigrationVerification?
    /// Seconds the run took.
    public var seconds: Double = 0
    /// Whether a signal stopped the run between two batches (the rest was not copied).
    public var interrupted = false
    /// Entries copied whose target replicas did not acknowledge them within `Options.replicaWait`.
    public var unacknowledged = 0

    /// Creates an empty report.
    public init(source: String, target: String, dryRun: Bool, onConflict: ConflictPolicy) {
        self.source = source
        self.target = target
        self.dryRun = dryRun
        self.onConflict = onConflict
    }

    /// Keys skipped because of their type.
    public var skippedForType: Int { skippedTypes.values.reduce(0, +) }

    /// Entries per second.
    public var rate: Double { seconds > 0 ? Double(copied) / seconds : 0 }

    /// `copied 10, skipped 2 existing, 1 hash not copied, 0 expired`.
    public var countsSentence: String {
        var parts = ["copied \(copied)"]
        if conflicts > 0 { parts.append(onConflict == .replace ? "replaced \(conflicts) existing" : "skipped \(conflicts) existing") }
        for (type, count) in skippedTypes.sorted(by: { $0.key < $1.key }) { parts.append("skipped \(count) \(type)") }
        parts.append("\(expired) expired")
        return parts.joined(separator: ", ")
    }

    mutating func noteSkippedType(_ record: MigrationRecord, limit: Int) {
        skippedTypes[record.type, default: 0] += 1
        if skippedKeys.count < limit { skippedKeys.append(MigrationSkip(key: record.key, type: record.type)) }
    }
}

/// A key not copied because the target cannot hold its type.
public struct MigrationSkip: Sendable, Equatable {
    /// The entry key.
    public var key: String
    /// Its Redis type.
    public var type: String
}

/// The result of `--verify`.
public struct MigrationVerification: Sendable, Equatable {
    /// Entries compared.
    public var checked = 0
    /// Entries that differ.
    public var mismatches = 0
    /// The first few differences.
    public var problems: [MigrationMismatch] = []
}

/// One difference found by `--verify`.
public struct MigrationMismatch: Sendable, Equatable {
    /// The entry key.
    public var key: String
    /// What differs.
    public var problem: String
}
