// Temporary: main references SnapshotBackend before the snapshot branch lands. Delete this file
// when merging main brings Sources/CacheClient/Snapshot/SnapshotBackend.swift.
/// Placeholder until the SQLite snapshot backend is merged; every use fails with a usage error.
public final class SnapshotBackend: CacheBackend {
    public let configuration: CacheConfiguration
    public let path: String
    public var kind: String { "snapshot" }
    public var endpointDescription: String { "file:\(path)" }
    /// Always throws: the snapshot backend is not merged into this branch yet.
    public init(path: String, configuration: CacheConfiguration = CacheConfiguration()) throws {
        self.path = path
        self.configuration = configuration
        throw CacheError(.usage, "The snapshot file backend is not available in this build yet")
    }
    public func entries(_ keys: [String]) throws -> [Entry?] { [] }
    public func exists(_ keys: [String]) throws -> [Bool] { [] }
    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool { false }
    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] { [] }
    public func delete(_ keys: [String]) throws -> Int { 0 }
    public func ping() throws -> PingReport { PingReport(backend: kind, endpoint: endpointDescription, latency: 0, version: nil, role: nil) }
    public func statistics() throws -> BackendStatistics {
        BackendStatistics(backend: kind, endpoint: endpointDescription, app: AppCounters(), server: nil, entries: 0, tags: 0, memoryBytes: nil, pingLatency: 0)
    }
    public func recordReads(hits: Int, misses: Int) throws {}
    public func resetCounters() throws {}
}
