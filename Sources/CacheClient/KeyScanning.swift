/// Walking every key of a backend: what `keys` and `usage` need.
///
/// Every backend conforms. Redis scans with SCAN (never KEYS) and pipelined TYPE, PTTL and
/// MEMORY USAGE; the snapshot file reads its tables; `dummy:` has no keys.
public protocol KeyScanning: CacheBackend {
    /// How many keys the store holds (Redis DBSIZE: every key of the database, also those outside
    /// the key prefix); for progress and to choose sampling.
    func keyCount() throws -> Int64

    /// Calls `body` with pages of the keys under the key prefix that `filter` selects, in no
    /// particular order (Redis SCAN may return a key twice when the database is resized meanwhile).
    /// `details` says what else to read: without `.types` a Redis key's type may be left empty
    /// (one command per key less); with `.tags`, each entry carries its tags. Stops early, without
    /// error, once `shouldStop` returns true; `scanned` is told how many keys were looked at after each page.
    func scanKeys(_ filter: KeyFilter, details: KeyDetails, shouldStop: () -> Bool, scanned: (Int) -> Void,
                  _ body: ([KeyInfo]) throws -> Void) throws

    /// The types of keys as a scan described them (by `key`, or `keyBytes` when set); nil for a
    /// key that no longer exists.
    func keyTypes(_ keys: [KeyInfo]) throws -> [String?]

    /// Whether `sampleKeys` draws random keys (Redis); a backend that answers false is always exact.
    var samplesKeys: Bool { get }

    /// Calls `body` with pages of `count` keys drawn at random from the whole store, with
    /// replacement, each as `KeyInfo` or nil when the key lies outside the key prefix or vanished.
    func sampleKeys(count: Int, details: KeyDetails, shouldStop: () -> Bool, _ body: ([KeyInfo?]) throws -> Void) throws
}

/// What a key scan reads besides name, TTL and size.
public struct KeyDetails: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Each key's type (Redis: a TYPE per key).
    public static let types = KeyDetails(rawValue: 1)
    /// Each entry's tags (Redis: the whole tag index is read first).
    public static let tags = KeyDetails(rawValue: 2)
}

extension KeyScanning {
    public var samplesKeys: Bool { false }

    public func sampleKeys(count: Int, details: KeyDetails, shouldStop: () -> Bool, _ body: ([KeyInfo?]) throws -> Void) throws {
        throw CacheError(.usage, "The \(kind) backend does not sample keys")
    }

    /// Lists the keys `filter` selects in `order`, at most `limit` of them, keeping at most about
    /// twice `limit` in memory while scanning (every selected key without a limit). A server lost
    /// mid-scan ends the listing with what was scanned before and the failure set.
    public func listKeys(_ filter: KeyFilter, order: KeyOrder, limit: Int?, shouldStop: () -> Bool = { false },
                         scanned: (Int) -> Void = { _ in }) throws -> KeyListing {
        var kept: [KeyInfo] = []
        func trim() {
            kept.sort(by: order.precedes)
            if let limit, kept.count > limit { kept.removeLast(kept.count - limit) }
        }
        let failure = try KeyScanFailure.catching {
            try scanKeys(filter, details: .types, shouldStop: shouldStop, scanned: scanned) { page in
                kept += page
                if let limit, kept.count > max(2 * limit, 1000) { trim() }
            }
        }
        trim()
        return KeyListing(keys: kept, failure: failure)
    }

    /// The role of a store key under this backend's prefixes.
    func role(ofStoreKey storeKey: String) -> KeyRole {
        if storeKey == configuration.statsKey { return .counters }
        return storeKey.hasPrefix(configuration.tagPrefix) ? .tagSet : .entry
    }

    /// The key as `keys` shows it: without the key prefix.
    func displayKey(_ storeKey: String) -> String {
        configuration.entryKey(storeKey) ?? storeKey
    }
}

extension DummyBackend: KeyScanning {
    public func keyCount() throws -> Int64 { 0 }
    public func scanKeys(_ filter: KeyFilter, details: KeyDetails, shouldStop: () -> Bool, scanned: (Int) -> Void,
                         _ body: ([KeyInfo]) throws -> Void) throws {}
    public func keyTypes(_ keys: [KeyInfo]) throws -> [String?] { keys.map { _ in nil } }
}
