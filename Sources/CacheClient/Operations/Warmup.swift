import FoundationEssentials
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Fills a cache from a manifest, a generator or an HTTP API, in pipelined batches.
///
/// By default the whole input is validated before anything is written: a file is read twice
/// (parse only, then parse and write); standard input and a generator's output are first
/// copied to an unlinked temporary file, so "nothing written on bad input" holds for every
/// source. While one batch is written, a reader thread parses (or fetches) the next ones.
///
/// A lost connection is retried `retries` times with doubling delays, reopening the backend
/// with `open`; after that the report says what was written, failed and not attempted, and
/// running again with `onlyMissing` completes the job.
public struct Warmup: Sendable {
    /// Where the entries come from.
    public var source: WarmupSource
    /// The lifetime for entries that give none, and tags added to every entry.
    public var defaults: EntryDefaults
    /// Never overwrite an existing key (and add tags only for entries written).
    public var onlyMissing = false
    /// Entries per pipelined batch.
    public var batchSize = 1000
    /// Write the valid entries even when some records are malformed.
    public var skipInvalid = false
    /// Stop cleanly after this long; the rest is reported as not attempted.
    public var maxDuration: Duration?
    /// How many times a lost connection is retried before giving up.
    public var retries = 3
    /// The delay before the first retry; each further retry waits twice as long.
    public var retryDelay: Duration = .milliseconds(500)
    /// Seconds an HTTP request may take.
    public var httpTimeout: Double = 30
    /// How `https://` sources are verified (the system trust store by default, `--source-cacert`).
    public var sourceTLS = TLSOptions()
    /// Wait after each batch until this many replicas acknowledged it (Redis `WAIT`); batches are
    /// then written one at a time, not pipelined. Entries written but not acknowledged are counted
    /// in `WarmupReport.unacknowledged`.
    public var replicaWait: ReplicaWait?
    /// How many issues the report keeps (the counts are always exact).
    public static let issueLimit = 100

    /// Creates a warmup of `source` with `defaults`; the other settings are properties.
    public init(source: WarmupSource, defaults: EntryDefaults) {
        self.source = source
        self.defaults = defaults
    }

    /// Runs the warmup, calling `progress` after each batch.
    ///
    /// Returns a report also when the run stopped early (`report.stop`); throws for what
    /// prevents running at all: the backend unreachable at the start, an unreadable input,
    /// a bad CSV header, a failing generator.
    public func run(open: () throws -> any CacheBackend,
                    progress: (OperationProgress) -> Void = { _ in }) throws -> WarmupReport {
        let start = ContinuousClock.now
        let deadline = maxDuration.map { start + $0 }
        var backend = try open()
        var report = WarmupReport(source: source.name, endpoint: backend.endpointDescription)
        if let replicaWait {
            guard backend is ReplicaAcknowledging else {
                throw CacheError(.usage, "--wait-replicas needs Redis (a server, a cluster or Sentinel): \(backend.endpointDescription) has no replicas")
            }
            report.replicasAsked = replicaWait.replicas
        }
        func completed() -> WarmupReport {
            report.seconds = (ContinuousClock.now - start).seconds
            if let routed = backend as? RedisTopologyBackend { report.retries += routed.retries }
            return report
        }

        let producer: BatchProducer
        switch source {
        case .http(let template, let keysPath, let concurrency):
            try HTTPFetcher.validate(template: template)
            let fetcher = try HTTPFetcher(template: template, concurrency: concurrency, timeout: httpTimeout, tls: sourceTLS)
            let keys = KeyListReader(lines: try LineReader(path: keysPath))
            guard try validate(keys, into: &report, for: backend) else { return completed() }
            try fetcher.checkServer()
            producer = HTTPBatchProducer(keys: keys, fetcher: fetcher, defaults: defaults, batchSize: batchSize)
        default:
            let lines: LineReader
            do {
                lines = try openInput(deadline: deadline)
            } catch let stopped as Generator.Stopped {
                report.stop = stopped.byDeadline ? .maxDuration : .interrupted(Cancellation.process.reason)
                report.notes.append(stopped.description)
                return completed()
            }
            let reader = EntryFormat.reader(try format(), lines: lines, defaults: defaults)
            if let finished = try validateInParts(lines, into: &report, for: backend) {
                guard finished else { return completed() }
            } else {
                guard try validate(reader, into: &report, for: backend) else { return completed() }
            }
            producer = ManifestBatchProducer(reader: reader, batchSize: batchSize)
        }
        if report.invalid > 0, !skipInvalid {
            report.stop = .invalidInput
            return completed()
        }

        let queue = BoundedQueue<ProducedBatch>(capacity: 4)
        let finished = DispatchSemaphore(value: 0)
        let box = UncheckedBox(producer)
        startThread(stackSize: 1 << 20) {
            box.value.produce(into: queue)
            queue.close()
            finished.signal()
        }
        defer {
            queue.cancel()
            finished.wait()
        }

        progress(OperationProgress(done: 0, total: report.total))
        let cancellation = backend.configuration.cancellation
        let retryWindow = Duration.milliseconds(Int64(max(0, backend.configuration.timeout) * 1000))
        var serverIdentity: String?
        do {
            serverIdentity = try (backend as? ServerIdentity)?.serverRunID()
        } catch let error as CacheError where error.kind == .unreachable {
            throw error  // the connection missed a reply: nothing can be written through it
        } catch {
            serverIdentity = nil  // refused (LOADING, ACL): the writes will say more
        }
        // Batches carry their number to the server, so a resend after a lost connection skips what was applied.
        let sequenceKey = backend.configuration.statsKey + ":warmup:" + UUID().uuidString.lowercased()
        try (backend as? BatchSequencing)?.sequenceBatches(under: sequenceKey)
        var connectionID = (backend as? BatchSequencing)?.connectionID
        var appliedBeforeReconnect = 0
        defer { (backend as? BatchSequencing)?.finishSequencing() }
        /// Opens the backend again after a lost connection and learns what the server kept: whether
        /// it restarted (a new run_id: what was written before may be gone) and which batches it
        /// applied. False when the new connection failed as well: a connection that missed a reply
        /// is never used again (its next reply would be the missed one).
        func reconnect() -> Bool {
            do {
                let reopened = try open()
                let now = try (reopened as? ServerIdentity)?.serverRunID()
                if let sequencing = reopened as? BatchSequencing {
                    try sequencing.sequenceBatches(under: sequenceKey)
                    appliedBeforeReconnect = max(appliedBeforeReconnect, try sequencing.lastAppliedBatch(closing: connectionID))
                    connectionID = sequencing.connectionID
                }
                if let known = serverIdentity, let now, now != known {
                    report.serverRestarted = true
                    report.notes.append("the server restarted during the run (its run_id changed after \(report.written) entries were written): entries written before the restart may be lost; run again with --only-missing")
                    serverIdentity = now
                }
                backend = reopened
                return true
            } catch {
                return false
            }
        }
        func apply(_ batch: WarmupBatch, _ outcomes: [WriteOutcome]) {
            for ((entry, line), outcome) in zip(zip(batch.entries, batch.lines), outcomes) {
                switch outcome {
                case .written: report.written += 1
                case .existed: report.skipped += 1
                case .failed(let error): record(WarmupIssue(line: line, key: entry.key, reason: error.message), in: &report, failed: true)
                }
            }
        }
        /// Waits for the replicas of a batch's written entries (with `replicaWait`); what they did
        /// not acknowledge in time — or could not be asked about — is counted as unacknowledged.
        func acknowledge(_ batch: WarmupBatch, _ outcomes: [WriteOutcome], asked: Bool = true) {
            guard let replicaWait, let acknowledging = backend as? ReplicaAcknowledging else { return }
            let written = zip(batch.entries, outcomes).compactMap { entry, outcome -> Entry? in
                if case .written = outcome { return entry }
                return nil
            }
            guard !written.isEmpty else { return }
            guard asked else {
                report.unacknowledged += written.count
                return
            }
            do {
                let acknowledgement = try acknowledging.acknowledgement(of: written, wait: replicaWait)
                report.unacknowledged += acknowledgement.unacknowledged
                report.fewestReplicas = min(report.fewestReplicas ?? acknowledgement.fewestReplicas, acknowledgement.fewestReplicas)
            } catch {
                report.unacknowledged += written.count
                report.fewestReplicas = 0
                let message = (error as? CacheError)?.message ?? "\(error)"
                if !report.notes.contains(where: { $0.hasPrefix("waiting for replicas failed") }) {
                    report.notes.append("waiting for replicas failed (\(message)): the entries of that batch count as not acknowledged")
                }
            }
        }
        // A local file that cannot be written (permissions, disk full) fails every batch alike:
        // the run stops at once and reports it once, instead of once per line.
        var localFailure: CacheError?
        func refused(_ batch: WarmupBatch, _ error: CacheError) {
            if error.kind == .io {
                if localFailure == nil { localFailure = error }
                return
            }
            apply(batch, batch.entries.map { _ in .failed(error) })
        }
        /// Writes one batch and waits for it, retrying a lost connection and a temporary refusal
        /// (LOADING, BUSY, …) with doubling delays, at least `retries` times and for `--timeout`;
        /// false when the run must stop (`report.stop` says why).
        func writeWaiting(_ batch: WarmupBatch, after failure: CacheError? = nil) -> Bool {
            var attempt = 0
            var lastError = failure
            let firstFailure = ContinuousClock.now
            while true {
                if let error = lastError {
                    attempt += 1
                    guard attempt <= retries || ContinuousClock.now - firstFailure < retryWindow else {
                        if error.kind == .unreachable {
                            report.stop = .unreachable(error.description)
                        } else {
                            refused(batch, error)
                            report.stop = .refused(error)
                        }
                        return false
                    }
                    if cancellation.isCancelled {
                        report.stop = .interrupted(cancellation.reason)
                        return false
                    }
                    sleep(seconds: min(2, (retryDelay * (1 << min(attempt - 1, 8))).seconds))
                    if error.kind == .unreachable, !reconnect() { continue }
                }
                if batch.sequence <= appliedBeforeReconnect, !report.serverRestarted {
                    // Applied whole before the connection was lost (one transaction): do not write or count it twice.
                    apply(batch, batch.entries.map { _ in .written })
                    // Its replicas cannot be asked over the new connection: not acknowledged.
                    acknowledge(batch, batch.entries.map { _ in .written }, asked: false)
                    return true
                }
                do {
                    (backend as? BatchSequencing)?.batchSequence = batch.sequence
                    let outcomes = try backend.writeEach(batch: batch.entries, onlyMissing: onlyMissing)
                    if let refusal = Self.serverRefusal(outcomes) {
                        if refusal.kind == .temporary {
                            lastError = refusal
                            continue
                        }
                        apply(batch, outcomes)
                        acknowledge(batch, outcomes)
                        report.stop = .refused(refusal)
                        return false
                    }
                    apply(batch, outcomes)
                    acknowledge(batch, outcomes)
                    return true
                } catch let error as CacheError where error.kind == .unreachable || error.kind == .temporary {
                    lastError = error
                } catch let error as CacheError where Self.isServerWide(error) {
                    refused(batch, error)
                    report.stop = .refused(error)
                    return false
                } catch {
                    refused(batch, error as? CacheError ?? CacheError(.failed, "\(error)"))
                    return true
                }
            }
        }
        // While the server works on one batch, the next is already on its way (Redis, overwriting writes).
        var inFlight: [(batch: WarmupBatch, pending: PendingBatch)] = []
        /// Settles the in-flight batches down to `keep`; false when the run must stop.
        func settle(keeping keep: Int) -> Bool {
            var again: [WarmupBatch] = []
            var cause: CacheError?
            while inFlight.count > (cause == nil ? keep : 0) {
                let (batch, pending) = inFlight.removeFirst()
                do {
                    guard let pipelined = backend as? PipelinedBatchWriting else { throw CacheError(.unreachable, "reconnected") }
                    let outcomes = try pipelined.receive(pending)
                    if let refusal = Self.serverRefusal(outcomes), refusal.kind == .temporary || cause != nil {
                        // Refused as a whole for now: written again, in order, once the pipeline is drained.
                        cause = cause ?? refusal
                        again.append(batch)
                        continue
                    }
                    apply(batch, outcomes)
                    if let refusal = Self.serverRefusal(outcomes) {
                        for (rest, _) in inFlight { refused(rest, refusal) }
                        inFlight.removeAll()
                        report.stop = .refused(refusal)
                        return false
                    }
                } catch let error as CacheError where error.kind == .unreachable {
                    // What reached the server is unknown: write every unanswered batch again, in order
                    // (a batch is one transaction: applied whole or not at all, and SET is idempotent).
                    again += [batch] + inFlight.map(\.batch)
                    inFlight.removeAll()
                    cause = error
                } catch {
                    refused(batch, error as? CacheError ?? CacheError(.failed, "\(error)"))
                }
            }
            for (index, batch) in again.enumerated() where !writeWaiting(batch, after: index == 0 ? cause : nil) {
                return false
            }
            return true
        }
        var sequence = 0
        batches: while true {
            // Outcomes still open while the next batch is not ready (a slow source) are settled
            // first: the snapshot file then commits instead of holding its write lock meanwhile.
            if inFlight.count > 0, (backend as? PipelinedBatchWriting)?.batchesInFlight ?? 1 > 1, queue.isEmpty,
               !settle(keeping: 0) {
                break
            }
            guard let produced = queue.pop() else { break }
            var batch: WarmupBatch
            switch produced {
            case .failure(let error):
                _ = settle(keeping: 0)
                throw error
            case .batch(let next): batch = next
            }
            sequence += 1
            batch.sequence = sequence
            if cancellation.isCancelled {
                report.stop = .interrupted(cancellation.reason)
                break
            }
            if let deadline, ContinuousClock.now >= deadline {
                report.stop = .maxDuration
                break
            }
            if localFailure != nil { break }
            for issue in batch.failures { record(issue, in: &report, failed: true) }
            if !batch.entries.isEmpty {
                if !onlyMissing, replicaWait == nil, let pipelined = backend as? PipelinedBatchWriting {
                    do {
                        (backend as? BatchSequencing)?.batchSequence = batch.sequence
                        inFlight.append((batch, try pipelined.send(batch: batch.entries)))
                        guard settle(keeping: pipelined.batchesInFlight) else { break batches }
                    } catch let error as CacheError where error.kind == .unreachable {
                        // What reached the server is unknown: write the unanswered batches and this one again, in order.
                        let unanswered = inFlight.map(\.batch) + [batch]
                        inFlight.removeAll()
                        for (index, again) in unanswered.enumerated() where !writeWaiting(again, after: index == 0 ? error : nil) {
                            break batches
                        }
                    } catch {
                        refused(batch, error as? CacheError ?? CacheError(.failed, "\(error)"))
                    }
                } else {
                    guard settle(keeping: 0), writeWaiting(batch) else { break batches }
                }
            }
            progress(OperationProgress(done: report.written + report.skipped + report.failed, total: report.total,
                                       failed: report.failed))
        }
        if settle(keeping: 0) {  // batches sent before a stop still count
            try? (backend as? PipelinedBatchWriting)?.finishBatches()
        }
        if let localFailure {
            let done = report.written > 0 ? "; before that \(report.written) entries were written" : "; nothing was written"
            throw CacheError(localFailure.kind, localFailure.message + done, hint: localFailure.hint)
        }
        progress(OperationProgress(done: report.written + report.skipped + report.failed, total: report.total,
                                   failed: report.failed))
        return completed()
    }

    /// A refusal that applies to the whole server rather than to an item: every later batch
    /// would meet it too (read-only replica, out of memory, ACL, loading).
    static func serverRefusal(_ outcomes: [WriteOutcome]) -> CacheError? {
        for outcome in outcomes {
            if case .failed(let error) = outcome, isServerWide(error) { return error }
        }
        return nil
    }

    static func isServerWide(_ error: CacheError) -> Bool {
        [.temporary, .unavailable, .permission, .authentication, .unreachable].contains(error.kind)
    }

    func record(_ issue: WarmupIssue, in report: inout WarmupReport, failed: Bool) {
        if failed { report.failed += 1 } else { report.invalid += 1 }
        if report.issues.count < Self.issueLimit { report.issues.append(issue) }
    }

    /// The first pass: counts valid records and collects the invalid ones.
    /// The first pass: counts valid records and collects the invalid ones; false when a signal
    /// stopped it (`report.stop` says so; nothing was written).
    private func validate(_ reader: any EntryReader, into report: inout WarmupReport, for backend: any CacheBackend) throws -> Bool {
        var records = 0
        while let item = try reader.next() {
            records += 1
            if records % 1000 == 0, Cancellation.process.isCancelled {
                report.stop = .interrupted(Cancellation.process.reason)
                return false
            }
            switch item {
            case .entry(let entry, let line):
                // A value the cache's layout cannot hold is bad input too, found before anything is written.
                if let reason = backend.refusal(of: entry) {
                    record(WarmupIssue(line: line, reason: reason), in: &report, failed: false)
                } else {
                    report.total += 1
                }
            case .invalid(let line, let reason): record(WarmupIssue(line: line, reason: reason), in: &report, failed: false)
            }
        }
        try reader.rewind()
        return true
    }

    func format() throws -> EntryInputFormat {
        switch source {
        case .file(_, let format), .standardInput(let format): return format
        default: return .jsonLines
        }
    }

    /// A line reader that can be rewound: the file itself, or a temporary copy of a stream.
    private func openInput(deadline: ContinuousClock.Instant?) throws -> LineReader {
        switch source {
        case .file(let path, _):
            return try LineReader(path: path)
        case .standardInput:
            if Spool.isRegularFile(STDIN_FILENO) { return LineReader(descriptor: STDIN_FILENO, name: "<stdin>") }
            let copy = try Spool.temporaryFile()
            do { try Spool.copy(from: STDIN_FILENO, to: copy, name: "standard input") } catch {
                close(copy)
                throw error
            }
            let lines = LineReader(descriptor: copy, name: "<stdin>", closing: true)
            try lines.rewind()
            return lines
        case .command(let command):
            let copy = try Spool.temporaryFile()
            do { try Generator.spool(command, into: copy, deadline: deadline) } catch {
                close(copy)
                throw error
            }
            let lines = LineReader(descriptor: copy, name: "<generator>", closing: true)
            try lines.rewind()
            return lines
        case .http:
            preconditionFailure("HTTP sources read a key list")
        }
    }
}

/// Entries to write together, with the lines they came from, and items that already failed.
struct WarmupBatch: Sendable {
    /// The batch's number in this run, from 1 (see `BatchSequencing`).
    var sequence = 0
    var entries: [Entry] = []
    var lines: [Int] = []
    var failures: [WarmupIssue] = []
}

enum ProducedBatch: Sendable {
    case batch(WarmupBatch)
    case failure(CacheError)
}

/// Turns a source into batches on the reader thread.
protocol BatchProducer: AnyObject {
    func produce(into queue: BoundedQueue<ProducedBatch>)
}

/// Batches of valid manifest entries; invalid records were reported by the first pass.
final class ManifestBatchProducer: BatchProducer {
    private let reader: any EntryReader
    private let batchSize: Int

    init(reader: any EntryReader, batchSize: Int) {
        self.reader = reader
        self.batchSize = max(1, batchSize)
    }

    func produce(into queue: BoundedQueue<ProducedBatch>) {
        var batch = WarmupBatch()
        batch.entries.reserveCapacity(batchSize)
        do {
            while let item = try reader.next() {
                guard case .entry(let entry, let line) = item else { continue }
                batch.entries.append(entry)
                batch.lines.append(line)
                if batch.entries.count == batchSize {
                    guard queue.push(.batch(batch)) else { return }
                    batch = WarmupBatch()
                    batch.entries.reserveCapacity(batchSize)
                }
            }
            if !batch.entries.isEmpty { _ = queue.push(.batch(batch)) }
        } catch let error as CacheError {
            _ = queue.push(.failure(error))
        } catch {
            _ = queue.push(.failure(CacheError(.io, "Cannot read the input: \(error)")))
        }
    }
}

/// A list of keys, one a line; blank lines are skipped.
final class KeyListReader: EntryReader {
    private let lines: LineReader

    init(lines: LineReader) { self.lines = lines }

    /// Each key as an entry with an empty value (the value is fetched later).
    func next() throws -> ManifestItem? {
        var item: ManifestItem?
        while item == nil {
            let more = try lines.nextLine { bytes in
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    item = .invalid(line: lines.lineNumber, reason: "the key is not valid UTF-8")
                    return
                }
                let key = text.trimmingWhitespace()
                if !key.isEmpty { item = .entry(Entry(key: key, value: [], expiry: .never), line: lines.lineNumber) }
            }
            if !more { return nil }
        }
        return item
    }

    func rewind() throws { try lines.rewind() }
}

/// Batches of fetched values: each key's GET runs with the fetcher's concurrency.
final class HTTPBatchProducer: BatchProducer {
    private let keys: KeyListReader
    private let fetcher: HTTPFetcher
    private let defaults: EntryDefaults
    private let batchSize: Int

    init(keys: KeyListReader, fetcher: HTTPFetcher, defaults: EntryDefaults, batchSize: Int) {
        self.keys = keys
        self.fetcher = fetcher
        self.defaults = defaults
        self.batchSize = max(1, batchSize)
    }

    func produce(into queue: BoundedQueue<ProducedBatch>) {
        do {
            var done = false
            while !done {
                var chunk: [(key: String, line: Int)] = []
                while chunk.count < batchSize {
                    guard let item = try keys.next() else {
                        done = true
                        break
                    }
                    if case .entry(let entry, let line) = item { chunk.append((entry.key, line)) }
                }
                guard !chunk.isEmpty else { break }
                var batch = WarmupBatch()
                for ((key, line), outcome) in zip(chunk, fetcher.fetch(chunk.map(\.key))) {
                    switch outcome {
                    case .value(let bytes):
                        var entry = Entry(key: key, value: bytes, expiry: defaults.expiry)
                        defaults.apply(to: &entry)
                        batch.entries.append(entry)
                        batch.lines.append(line)
                    case .failure(let reason):
                        batch.failures.append(WarmupIssue(line: line, key: key, reason: reason))
                    }
                }
                guard queue.push(.batch(batch)) else { return }
            }
        } catch let error as CacheError {
            _ = queue.push(.failure(error))
        } catch {
            _ = queue.push(.failure(CacheError(.io, "Cannot read the keys: \(error)")))
        }
    }
}

/// A queue of at most `capacity` elements between one producer and one consumer thread.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = Condition()
    private var elements: [Element] = []
    private let capacity: Int
    private var closed = false
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an element, waiting for room; false when the consumer cancelled.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while elements.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        elements.append(element)
        condition.broadcast()
        return true
    }

    /// Whether no element is waiting right now.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return elements.isEmpty
    }

    /// The next element, waiting for one; nil once the producer closed the queue and it is empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while elements.isEmpty && !closed && !cancelled { condition.wait() }
        guard !elements.isEmpty, !cancelled else { return nil }
        let element = elements.removeFirst()  // at most `capacity` elements: cheap
        condition.broadcast()
        return element
    }

    /// The producer is done.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stops; a waiting producer wakes up and gives up.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Hands a value that is used by one thread at a time to another thread.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
