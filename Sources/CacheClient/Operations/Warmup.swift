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
            try validate(keys, into: &report)
            try fetcher.checkServer()
            producer = HTTPBatchProducer(keys: keys, fetcher: fetcher, defaults: defaults, batchSize: batchSize)
        default:
            let reader = EntryFormat.reader(try format(), lines: try openInput(), defaults: defaults)
            try validate(reader, into: &report)
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
        func account(_ written: [Bool]) {
            let count = written.lazy.filter { $0 }.count
            report.written += count
            report.skipped += written.count - count
        }
        // A local file that cannot be written (permissions, disk full) fails every batch alike:
        // the run stops at once and reports it once, instead of once per line.
        var localFailure: CacheError?
        func refused(_ batch: WarmupBatch, _ error: CacheError) {
            if error.kind == .io {
                if localFailure == nil { localFailure = error }
                return
            }
            // The server refused the batch (e.g. out of memory): count it, keep going.
            for (entry, line) in zip(batch.entries, batch.lines) {
                record(WarmupIssue(line: line, key: entry.key, reason: error.message), in: &report, failed: true)
            }
        }
        /// Writes one batch and waits for it, retrying a lost connection; false when it gave up.
        func writeWaiting(_ batch: WarmupBatch, after failure: CacheError? = nil) -> Bool {
            var attempt = 0
            var lastError = failure
            while true {
                if let error = lastError {
                    attempt += 1
                    guard attempt <= retries else {
                        report.stop = .unreachable(error.description)
                        return false
                    }
                    sleep(seconds: (retryDelay * (1 << (attempt - 1))).seconds)
                    guard let reopened = try? open() else { continue }
                    backend = reopened
                }
                do {
                    account(try backend.write(batch: batch.entries, onlyMissing: onlyMissing))
                    return true
                } catch let error as CacheError where error.kind == .unreachable {
                    lastError = error
                } catch let error as CacheError {
                    refused(batch, error)
                    return true
                } catch {
                    refused(batch, CacheError(.failed, "\(error)"))
                    return true
                }
            }
        }
        // While the server works on one batch, the next is already on its way (Redis, overwriting writes).
        var inFlight: [(batch: WarmupBatch, pending: PendingBatch)] = []
        /// Settles the in-flight batches down to `keep`; false when the connection is gone for good.
        func settle(keeping keep: Int) -> Bool {
            while inFlight.count > keep {
                let (batch, pending) = inFlight.removeFirst()
                do {
                    guard let pipelined = backend as? PipelinedBatchWriting else { throw CacheError(.unreachable, "reconnected") }
                    account(try pipelined.receive(pending))
                } catch let error as CacheError where error.kind == .unreachable {
                    // What reached the server is unknown: write every unanswered batch again, in order (SET is idempotent).
                    let unanswered = [batch] + inFlight.map(\.batch)
                    inFlight.removeAll()
                    for (index, again) in unanswered.enumerated() where !writeWaiting(again, after: index == 0 ? error : nil) {
                        return false
                    }
                } catch let error as CacheError {
                    refused(batch, error)
                } catch {
                    refused(batch, CacheError(.failed, "\(error)"))
                }
            }
            return true
        }
        batches: while let produced = queue.pop() {
            let batch: WarmupBatch
            switch produced {
            case .failure(let error):
                _ = settle(keeping: 0)
                throw error
            case .batch(let next): batch = next
            }
            if let deadline, ContinuousClock.now >= deadline {
                report.stop = .maxDuration
                break
            }
            if localFailure != nil { break }
            for issue in batch.failures { record(issue, in: &report, failed: true) }
            if !batch.entries.isEmpty {
                if !onlyMissing, let pipelined = backend as? PipelinedBatchWriting {
                    do {
                        inFlight.append((batch, try pipelined.send(batch: batch.entries)))
                        guard settle(keeping: 1) else { break batches }
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
        _ = settle(keeping: 0)  // batches sent before a stop still count
        if let localFailure {
            let done = report.written > 0 ? "; before that \(report.written) entries were written" : "; nothing was written"
            throw CacheError(localFailure.kind, localFailure.message + done, hint: localFailure.hint)
        }
        progress(OperationProgress(done: report.written + report.skipped + report.failed, total: report.total,
                                   failed: report.failed))
        return completed()
    }

    private func record(_ issue: WarmupIssue, in report: inout WarmupReport, failed: Bool) {
        if failed { report.failed += 1 } else { report.invalid += 1 }
        if report.issues.count < Self.issueLimit { report.issues.append(issue) }
    }

    /// The first pass: counts valid records and collects the invalid ones.
    private func validate(_ reader: any EntryReader, into report: inout WarmupReport) throws {
        while let item = try reader.next() {
            switch item {
            case .entry: report.total += 1
            case .invalid(let line, let reason): record(WarmupIssue(line: line, reason: reason), in: &report, failed: false)
            }
        }
        try reader.rewind()
    }

    private func format() throws -> EntryInputFormat {
        switch source {
        case .file(_, let format), .standardInput(let format): return format
        default: return .jsonLines
        }
    }

    /// A line reader that can be rewound: the file itself, or a temporary copy of a stream.
    private func openInput() throws -> LineReader {
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
            do { try Generator.spool(command, into: copy) } catch {
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
