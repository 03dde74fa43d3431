/// Statistics with the hit rates worked out: the app's (from the counters hash) and the server's
/// (from INFO), and the one that counts, which is the app's when it has any reads.
public struct StatsReport: Sendable, Equatable {
    /// The raw figures.
    public var statistics: BackendStatistics

    /// Creates a report from raw figures.
    public init(_ statistics: BackendStatistics) {
        self.statistics = statistics
    }

    /// Percent of app reads that hit, two decimals; nil when there were none.
    public var appHitRate: Double? { Self.rate(hits: statistics.app.hits, misses: statistics.app.misses) }

    /// Percent of server lookups that hit; nil without a server or lookups.
    public var serverHitRate: Double? {
        guard let server = statistics.server, let hits = server.hits, let misses = server.misses else { return nil }
        return Self.rate(hits: hits, misses: misses)
    }

    /// `app` when the app counters hold any hits or misses, else `server`.
    public var hitRateSource: String {
        statistics.app.hits + statistics.app.misses > 0 || statistics.server == nil ? "app" : "server"
    }

    /// The hit rate of `hitRateSource`.
    public var hitRate: Double? { hitRateSource == "app" ? appHitRate : serverHitRate }

    /// Hits as a percent of reads, rounded to two decimals; nil when there were no reads.
    public static func rate(hits: Int64, misses: Int64) -> Double? {
        let total = hits + misses
        guard total > 0 else { return nil }
        return (Double(hits) * 10000 / Double(total)).rounded() / 100
    }
}
