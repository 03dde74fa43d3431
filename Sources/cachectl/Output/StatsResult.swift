import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What `stats` prints.
struct StatsResult: Renderable, LineRenderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl, .prometheus] }
    let report: StatsReport
    let assertions: [StatsAssertionResult]
    /// Every node's own figures (`--per-node`); nil without it.
    var nodes: [NodeStatus]? = nil

    private enum Keys: String, CodingKey {
        case backend, endpoint, hitRate = "hit_rate", hitRateSource = "hit_rate_source", entries, tags, memory
        case pingLatency = "ping_latency", window, app, server, assertions, nodes
    }
    private enum NodeKeys: String, CodingKey {
        case node, role, keys, memory, hits, misses, opsPerSec = "ops_per_second"
    }
    private enum AppKeys: String, CodingKey {
        case hits, misses, hitRate = "hit_rate", sets, deletes, tagInvalidations = "tag_invalidations"
        case readsPerSec = "reads_per_second"
    }
    private enum ServerKeys: String, CodingKey {
        case hits, misses, hitRate = "hit_rate", expiredKeys = "expired_keys", evictedKeys = "evicted_keys"
        case usedMemory = "used_memory", connectedClients = "connected_clients", redisVersion = "redis_version"
        case uptime, role, opsPerSec = "ops_per_second"
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
        try container.encode(Nullable(report.window), forKey: .window)
        var app = container.nestedContainer(keyedBy: AppKeys.self, forKey: .app)
        try app.encode(stats.app.hits, forKey: .hits)
        try app.encode(stats.app.misses, forKey: .misses)
        try app.encode(Nullable(report.appHitRate), forKey: .hitRate)
        try app.encode(stats.app.sets, forKey: .sets)
        try app.encode(stats.app.deletes, forKey: .deletes)
        try app.encode(stats.app.tagInvalidations, forKey: .tagInvalidations)
        try app.encode(Nullable(report.appReadsPerSecond), forKey: .readsPerSec)
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
            try nested.encode(Nullable(report.serverOpsPerSecond), forKey: .opsPerSec)
        } else {
            try container.encodeNil(forKey: .server)
        }
        try container.encode(assertions.map(AssertionRecord.init), forKey: .assertions)
        if let nodes {
            var list = container.nestedUnkeyedContainer(forKey: .nodes)
            for node in nodes {
                var item = list.nestedContainer(keyedBy: NodeKeys.self)
                try item.encode(node.address, forKey: .node)
                try item.encode(node.role, forKey: .role)
                try item.encode(Nullable(node.keys), forKey: .keys)
                try item.encode(Nullable(node.statistics?.usedMemory), forKey: .memory)
                try item.encode(Nullable(node.statistics?.hits), forKey: .hits)
                try item.encode(Nullable(node.statistics?.misses), forKey: .misses)
                try item.encode(Nullable(node.statistics?.instantaneousOpsPerSecond), forKey: .opsPerSec)
            }
        }
    }

    func prometheus() -> String { StatsExposition.text(report, nodes: nodes ?? []) }

    /// One line per sample for `--watch` without a terminal, like `redis-cli --stat`.
    func line() -> String {
        let stats = report.statistics
        var parts = [Self.timestamp(), "entries \(Human.count(stats.entries))", "mem \(Human.bytes(stats.memoryBytes))"]
        if let clients = stats.server?.connectedClients { parts.append("clients \(clients)") }
        parts.append("hits \(Human.count(report.hitRateSource == "app" ? stats.app.hits : stats.server?.hits))")
        parts.append("misses \(Human.count(report.hitRateSource == "app" ? stats.app.misses : stats.server?.misses))")
        parts.append("hit rate \(Human.percent(report.hitRate)) (\(report.hitRateSource))")
        if let ops = report.serverOpsPerSecond { parts.append("ops/s \(Human.fixed(ops, 1))") }
        return parts.joined(separator: "  ") + "\n"
    }

    func text(style: TextStyle) -> String {
        let stats = report.statistics
        let over = report.window.map { " over \(Human.fixed($0, 1)) s" } ?? ""
        var fields: [(String, String)] = [
            ("backend", "\(stats.backend) \(stats.endpoint.displayEscaped)"),
            ("hit rate", "\(Human.percent(report.hitRate)) (\(report.hitRateSource))\(over)"),
            ("app", "hits \(Human.count(stats.app.hits)), misses \(Human.count(stats.app.misses)), hit rate \(Human.percent(report.appHitRate))"
                + (report.appReadsPerSecond.map { ", \(Human.fixed($0, 1)) reads/s" } ?? "")),
            ("writes", "sets \(Human.count(stats.app.sets)), deletes \(Human.count(stats.app.deletes)), tag invalidations \(Human.count(stats.app.tagInvalidations))"),
        ]
        if let server = stats.server {
            fields.append(("server", "hits \(Human.count(server.hits)), misses \(Human.count(server.misses)), hit rate \(Human.percent(report.serverHitRate))"
                + (report.serverOpsPerSecond.map { ", \(Human.fixed($0, 1)) ops/s" } ?? "")))
            fields.append(("expired", Human.count(server.expiredKeys)))
            fields.append(("evicted", Human.count(server.evictedKeys)))
            fields.append(("clients", Human.count(server.connectedClients)))
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
        for result in assertions {
            fields.append(("assert", AssertionRecord(result).text(style: style)))
        }
        let list = FieldList(fields: fields).render(style: style)
        guard let nodes else { return list }
        let rows = nodes.map { node -> [String] in
            [node.address.displayEscaped, node.role, Human.count(node.keys), Human.bytes(node.statistics?.usedMemory),
             Human.count(node.statistics?.hits), Human.count(node.statistics?.misses), Human.count(node.statistics?.instantaneousOpsPerSecond)]
        }
        return list + "\n" + Table(headers: ["node", "role", "keys", "memory", "hits", "misses", "ops/s"], rows: rows,
                                    numericColumns: [2, 3, 4, 5, 6]).render(style: style)
    }

    private static func timestamp() -> String {
        // HH:mm:ss in the local time zone.
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}

/// One `--assert` result, as `stats` and `usage` print it: `{expression, field, actual, passed}`
/// in JSON, `EXPRESSION: passed (ACTUAL)` in text.
struct AssertionRecord: Encodable {
    let result: StatsAssertionResult

    init(_ result: StatsAssertionResult) { self.result = result }

    private enum Keys: String, CodingKey { case expression, field, actual, passed }

    func encode(to encoder: Encoder) throws {
        var item = encoder.container(keyedBy: Keys.self)
        try item.encode(result.assertion.expression, forKey: .expression)
        try item.encode(result.assertion.field, forKey: .field)
        try item.encode(Nullable(result.actual), forKey: .actual)
        try item.encode(result.passed, forKey: .passed)
    }

    func text(style: TextStyle) -> String {
        let actual = result.actual.map { Human.fixed($0, 2) } ?? "no value"
        return "\(result.assertion.expression): " + (result.passed ? style.green("passed") : style.red("failed")) + " (\(actual))"
    }
}
