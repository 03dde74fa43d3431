/// Statistics with the hit rates worked out: the app's (from the counters hash) and the server's
/// (from INFO), and the one that counts, which is the app's when it has any reads.
///
/// Over a window (two samples), the counters in `statistics` are the differences between the
/// samples, so hit rates and rates per second describe the window, not the time since start;
/// sizes (entries, tags, memory, clients) are the later sample's. `cumulative` keeps the later
/// sample's raw counters for outputs that need monotonic totals (Prometheus).
public struct StatsReport: Sendable, Equatable {
    /// The figures the report describes: the counters over the window when there is one.
    public var statistics: BackendStatistics
    /// The later sample's raw figures (equal to `statistics` without a window).
    public var cumulative: BackendStatistics
    /// Seconds between the two samples; nil for a single sample.
    public var window: Double?

    /// Creates a report from one sample.
    public init(_ statistics: BackendStatistics) {
        self.statistics = statistics
        cumulative = statistics
        window = nil
    }

    /// Creates a report over the window between two samples, `elapsed` seconds apart.
    ///
    /// A counter that went down (a reset or a server restart in between) counts from zero, as
    /// Prometheus's `increase()` does.
    public init(from earlier: BackendStatistics, to later: BackendStatistics, elapsed: Double) {
        cumulative = later
        window = elapsed
        var view = later
        func delta(_ new: Int64, _ old: Int64) -> Int64 { new >= old ? new - old : new }
        func delta(_ new: Int64?, _ old: Int64?) -> Int64? {
            guard let new else { return nil }
            guard let old else { return new }
            return delta(new, old)
        }
        view.app = AppCounters(hits: delta(later.app.hits, earlier.app.hits),
                               misses: delta(later.app.misses, earlier.app.misses),
                               sets: delta(later.app.sets, earlier.app.sets),
                               deletes: delta(later.app.deletes, earlier.app.deletes),
                               tagInvalidations: delta(later.app.tagInvalidations, earlier.app.tagInvalidations))
        if var server = later.server {
            let old = earlier.server
            server.hits = delta(server.hits, old?.hits)
            server.misses = delta(server.misses, old?.misses)
            server.expiredKeys = delta(server.expiredKeys, old?.expiredKeys)
            server.evictedKeys = delta(server.evictedKeys, old?.evictedKeys)
            server.totalCommands = delta(server.totalCommands, old?.totalCommands)
            view.server = server
        }
        statistics = view
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

    /// App reads (hits + misses) per second over the window; nil without one.
    public var appReadsPerSecond: Double? {
        guard let window, window > 0 else { return nil }
        return Self.perSecond(statistics.app.hits + statistics.app.misses, over: window)
    }

    /// Commands the server processed per second: over the window when there is one, else the
    /// server's own recent estimate (`instantaneous_ops_per_sec`).
    public var serverOpsPerSecond: Double? {
        guard let server = statistics.server else { return nil }
        guard let window, window > 0 else { return server.instantaneousOpsPerSecond.map(Double.init) }
        return server.totalCommands.map { Self.perSecond($0, over: window) }
    }

    /// Hits as a percent of reads, rounded to two decimals; nil when there were no reads.
    public static func rate(hits: Int64, misses: Int64) -> Double? {
        let total = hits + misses
        guard total > 0 else { return nil }
        return (Double(hits) * 10000 / Double(total)).rounded() / 100
    }

    /// A count over `seconds`, per second, rounded to two decimals.
    public static func perSecond(_ count: Int64, over seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        return (Double(count) / seconds * 100).rounded() / 100
    }
}
