/// The `dummy:` backend: accepts every write, stores nothing, every read misses (for dry CI runs).
public final class DummyBackend: CacheBackend {
    public let configuration: CacheConfiguration
    public var kind: String { "dummy" }
    public var endpointDescription: String { "dummy:" }

    /// Creates the backend.
    public init(configuration: CacheConfiguration) {
        self.configuration = configuration
    }

    public func entries(_ keys: [String]) throws -> [Entry?] { keys.map { _ in nil } }
    public func exists(_ keys: [String]) throws -> [Bool] { keys.map { _ in false } }
    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool { true }
    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] { batch.map { _ in true } }
    public func delete(_ keys: [String]) throws -> Int { 0 }
    public func ping() throws -> PingReport {
        PingReport(backend: kind, endpoint: endpointDescription, latency: 0, version: nil, role: nil)
    }
    public func statistics() throws -> BackendStatistics {
        BackendStatistics(backend: kind, endpoint: endpointDescription, app: AppCounters(), server: nil, entries: 0, tags: 0,
                          memoryBytes: 0, pingLatency: 0)
    }
    public func recordReads(hits: Int, misses: Int) throws {}
    public func resetCounters() throws {}
}
