import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The operations every backend implements: Redis, the snapshot file and `dummy:`.
///
/// Keys are entry keys (without the key prefix); each backend applies `configuration`.
/// Writes count themselves in the app counters (`sets`, `deletes`) in the same round trip or
/// transaction as the write; reads never count, except through `recordReads`.
public protocol CacheBackend: AnyObject {
    /// Prefixes, counters key, timeouts and default lifetime.
    var configuration: CacheConfiguration { get }
    /// `redis`, `snapshot` or `dummy`.
    var kind: String { get }
    /// Where the data lives, with any password redacted.
    var endpointDescription: String { get }

    /// Reads entries with their remaining lifetime; nil for each key that is missing.
    func entries(_ keys: [String]) throws -> [Entry?]
    /// Reads entries written with these tags: in a Laravel layout a tagged entry's key depends on
    /// its tags; elsewhere tags do not name keys and giving some is a usage error.
    func entries(_ keys: [String], tags: [String]) throws -> [Entry?]
    /// Reads entries like `entries`, telling a missing key from one that holds another type.
    func lookup(_ keys: [String]) throws -> [EntryLookup]
    /// Reads entries like `lookup` and calls `body` with them, all from one state of the store.
    /// A backend that can read a value in pieces may leave a value of at least `largeValueSize`
    /// bytes where it is: its entry's `value` is then empty and `stored` (one per key) reads it,
    /// until `body` returns. The default reads every value whole.
    func lookup<T>(_ keys: [String], leavingLargeValues largeValueSize: Int,
                   _ body: (_ lookups: [EntryLookup], _ stored: [StoredValue?]) throws -> T) throws -> T
    /// Tells which keys exist.
    func exists(_ keys: [String]) throws -> [Bool]
    /// Writes one entry with its lifetime and tag memberships atomically.
    ///
    /// With `ifAbsent`, nothing is written when the key exists; returns whether it was written.
    func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool
    /// Writes one entry like `write(_:ifAbsent:)`; unless `replacingOtherTypes`, a key that holds
    /// another type than a string (a Redis hash, list, set…) is left alone and `.badInput` thrown,
    /// naming the type. Backends that hold only strings need not implement it.
    func write(_ entry: Entry, ifAbsent: Bool, replacingOtherTypes: Bool) throws -> Bool
    /// Writes a batch of entries and their tag memberships in as few round trips as the backend
    /// allows; with `onlyMissing`, existing keys are left as they are (and get no tags).
    /// Returns, per entry, whether it was written.
    func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool]
    /// Why the backend's layout cannot hold this entry (a value or tags it cannot encode), or nil;
    /// asked before writing anything, so a bad value stops a run with nothing written.
    func refusal(of entry: Entry) -> String?
    /// Writes a batch like `write(batch:onlyMissing:)`, with one outcome per entry: a refused
    /// entry carries its own reason instead of failing the whole call.
    func writeEach(batch: [Entry], onlyMissing: Bool) throws -> [WriteOutcome]
    /// Deletes entries (and their tag memberships where the backend knows them); returns how many existed.
    func delete(_ keys: [String]) throws -> Int
    /// One round trip, timed.
    func ping() throws -> PingReport
    /// Counters, sizes and server figures.
    func statistics() throws -> BackendStatistics
    /// Adds reads made by an application to the `hits` and `misses` counters.
    func recordReads(hits: Int, misses: Int) throws
    /// Sets every app counter to zero.
    func resetCounters() throws
    /// Zeroes the server's own statistics (Redis `CONFIG RESETSTAT`); throws `.usage` for a
    /// backend without a server.
    func resetServerStatistics() throws
}

/// What happened to one entry of a batch write.
public enum WriteOutcome: Sendable, Equatable {
    /// Written (new, or replacing).
    case written
    /// Left as it was: the key existed (`onlyMissing`, `ifAbsent`).
    case existed
    /// Refused, with the reason from the server's own reply for this entry.
    case failed(CacheError)
}

/// A value left in its store to be read in pieces (a large value of the snapshot file), handed
/// out by `lookup(_:leavingLargeValues:_:)` and readable only until its `body` returns.
public struct StoredValue {
    /// The value's length in bytes.
    public let count: Int
    private let reader: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void

    /// A value of `count` bytes that `reader` hands to its sink in pieces, in order.
    public init(count: Int, reader: @escaping (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) {
        self.count = count
        self.reader = reader
    }

    /// Hands the bytes to `sink` in pieces, in order; each piece is valid only during its call.
    public func read(into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try reader(sink)
    }

    /// The bytes in one array.
    public func bytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        try read { bytes.append(contentsOf: $0) }
        return bytes
    }
}

/// What a key holds, as `lookup` reports it.
public enum EntryLookup: Sendable, Equatable {
    /// A cache entry (a string).
    case entry(Entry)
    /// Nothing.
    case missing
    /// A value of another type (a hash, a set, …), named as Redis TYPE names it.
    case otherType(key: String, type: String)
}

extension CacheBackend {
    /// Bytes as given fit every layout that stores bytes.
    public func refusal(of entry: Entry) -> String? { nil }

    public func entries(_ keys: [String], tags: [String]) throws -> [Entry?] {
        guard tags.isEmpty else {
            throw CacheError(.usage, "--tag names keys only in a Laravel layout", hint: "leave out --tag to read the key itself")
        }
        return try entries(keys)
    }

    /// Backends whose batches succeed or fail whole (a transaction): every entry shares the outcome.
    public func writeEach(batch: [Entry], onlyMissing: Bool) throws -> [WriteOutcome] {
        try write(batch: batch, onlyMissing: onlyMissing).map { $0 ? .written : .existed }
    }

    /// Backends that read values whole: every value is in its entry.
    public func lookup<T>(_ keys: [String], leavingLargeValues largeValueSize: Int,
                          _ body: (_ lookups: [EntryLookup], _ stored: [StoredValue?]) throws -> T) throws -> T {
        try body(lookup(keys), [StoredValue?](repeating: nil, count: keys.count))
    }

    /// Backends that hold strings only: every key is an entry or missing.
    public func lookup(_ keys: [String]) throws -> [EntryLookup] {
        try entries(keys).map { $0.map(EntryLookup.entry) ?? .missing }
    }

    /// Every key holds a string here: nothing of another type can be replaced.
    public func write(_ entry: Entry, ifAbsent: Bool, replacingOtherTypes: Bool) throws -> Bool {
        try write(entry, ifAbsent: ifAbsent)
    }

    /// Backends without a server have no server statistics to reset.
    public func resetServerStatistics() throws {
        throw CacheError(.usage, "\(endpointDescription) has no server statistics to reset", hint: "--server applies to Redis only")
    }

    /// Statistics over a window: two samples `window` apart and their difference, or one sample
    /// when `window` is nil.
    public func statsReport(window: Duration? = nil) throws -> StatsReport {
        guard let window else { return StatsReport(try statistics()) }
        let start = ContinuousClock.now
        let earlier = try statistics()
        let deadline = start + window
        sleep(seconds: max(0, (deadline - ContinuousClock.now).seconds))
        let elapsed = (ContinuousClock.now - start).seconds
        return StatsReport(from: earlier, to: try statistics(), elapsed: elapsed)
    }
}

/// A backend whose server has an identity that changes when it restarts (Redis `run_id`), so a
/// run that reconnects can tell whether what it wrote before may be gone.
public protocol ServerIdentity {
    /// The identity of the server process now.
    func serverRunID() throws -> String?
}
