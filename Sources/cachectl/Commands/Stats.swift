import ArgumentParser
import CacheClient

extension Cachectl {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show hit rate, counters, entries, tags, memory and latency, labelled by source.",
            discussion: """
                Figures come from two sources: "app" is the counters hash that applications reading \
                through CacheClient keep (--stats-key, default cache:stats); "server" is Redis INFO. \
                The top-level hit_rate is the app's when the app counters hold any hits or misses, \
                else the server's; hit_rate_source says which.

                Examples:
                  cachectl stats
                  cachectl stats --format json | jq .hit_rate
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let context = Context(global)
            try context.renderer.check(StatsResult.self, command: "stats")
            let backend = try context.openBackend()
            context.renderer.render(StatsResult(report: StatsReport(try backend.statistics())))
        }
    }
}

/// What `stats` prints.
struct StatsResult: Renderable {
    let report: StatsReport

    private enum Keys: String, CodingKey {
        case backend, endpoint, hitRate = "hit_rate", hitRateSource = "hit_rate_source", entries, tags, memory
        case pingLatency = "ping_latency", app, server
    }
    private enum AppKeys: String, CodingKey {
        case hits, misses, hitRate = "hit_rate", sets, deletes, tagInvalidations = "tag_invalidations"
    }
    private enum ServerKeys: String, CodingKey {
        case hits, misses, hitRate = "hit_rate", expiredKeys = "expired_keys", evictedKeys = "evicted_keys"
        case usedMemory = "used_memory", connectedClients = "connected_clients", redisVersion = "redis_version"
        case uptime, role
    }

    func encode(to encoder: Encoder) throws {
        let stats = report.statistics
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(stats.backend, forKey: .backend)
        try container.encode(stats.endpoint, forKey: .endpoint)
        try container.encode(Nullable(report.hitRate), forKey: .hitRate)
        try container.encode(report.hitRateSource, forKey: .hitRateSource)
        try container.encode(stats.entries, forKey: .entries)
        try container.encode(stats.tags, forKey: .tags)
        try container.encode(Nullable(stats.memoryBytes), forKey: .memory)
        try container.encode(stats.pingLatency, forKey: .pingLatency)
        var app = container.nestedContainer(keyedBy: AppKeys.self, forKey: .app)
        try app.encode(stats.app.hits, forKey: .hits)
        try app.encode(stats.app.misses, forKey: .misses)
        try app.encode(Nullable(report.appHitRate), forKey: .hitRate)
        try app.encode(stats.app.sets, forKey: .sets)
        try app.encode(stats.app.deletes, forKey: .deletes)
        try app.encode(stats.app.tagInvalidations, forKey: .tagInvalidations)
        if let server = stats.server {
            var nested = container.nestedContainer(keyedBy: ServerKeys.self, forKey: .server)
            try nested.encode(Nullable(server.hits), forKey: .hits)
            try nested.encode(Nullable(server.misses), forKey: .misses)
            try nested.encode(Nullable(report.serverHitRate), forKey: .hitRate)
            try nested.encode(Nullable(server.expiredKeys), forKey: .expiredKeys)
            try nested.encode(Nullable(server.evictedKeys), forKey: .evictedKeys)
            try nested.encode(Nullable(server.usedMemory), forKey: .usedMemory)
            try nested.encode(Nullable(server.connectedClients), forKey: .connectedClients)
            try nested.encode(Nullable(server.version), forKey: .redisVersion)
            try nested.encode(Nullable(server.uptimeSeconds), forKey: .uptime)
            try nested.encode(Nullable(server.role), forKey: .role)
        } else {
            try container.encodeNil(forKey: .server)
        }
    }

    func text(style: TextStyle) -> String {
        let stats = report.statistics
        var fields: [(String, String)] = [
            ("backend", "\(stats.backend) \(stats.endpoint)"),
            ("hit rate", "\(Human.percent(report.hitRate)) (\(report.hitRateSource))"),
            ("app", "hits \(Human.count(stats.app.hits)), misses \(Human.count(stats.app.misses)), hit rate \(Human.percent(report.appHitRate))"),
            ("writes", "sets \(Human.count(stats.app.sets)), deletes \(Human.count(stats.app.deletes)), tag invalidations \(Human.count(stats.app.tagInvalidations))"),
        ]
        if let server = stats.server {
            fields.append(("server", "hits \(Human.count(server.hits)), misses \(Human.count(server.misses)), hit rate \(Human.percent(report.serverHitRate))"))
            fields.append(("expired", Human.count(server.expiredKeys)))
            fields.append(("evicted", Human.count(server.evictedKeys)))
        }
        fields += [
            ("entries", Human.count(stats.entries)),
            ("tags", Human.count(stats.tags)),
            ("memory", Human.bytes(stats.memoryBytes)),
            ("latency", Human.duration(stats.pingLatency)),
        ]
        if let server = stats.server {
            fields.append(("version", "redis \(server.version ?? "?"), \(server.role ?? "?"), up \(server.uptimeSeconds.map { Human.ttl($0) } ?? "?")"))
        }
        return FieldList(fields: fields).render(style: style)
    }
}
