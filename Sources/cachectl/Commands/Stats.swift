import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension Cachectl {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Show hit rate, counters, entries, tags, memory and latency, labelled by source.",
            discussion: """
                Figures come from two sources: "app" is the counters hash that applications reading \
                through CacheClient keep (--stats-key, default cache:stats); "server" is Redis INFO. \
                The top-level hit_rate is the app's when the app counters hold any hits or misses, \
                else the server's; hit_rate_source says which.

                --window takes two samples and reports the difference: counters, hit rates and rates \
                per second over the window, not since start. --assert FIELD OP NUMBER (OP one of \
                < <= > >= ==) exits 1 with one line per failed assertion; fields are the JSON paths \
                (hit_rate, entries, tags, memory, ping_latency, app.hit_rate, server.evicted_keys, …) \
                or their last part when unambiguous (evicted_keys). --reset prints the figures, then \
                zeroes the app counters (with --server also CONFIG RESETSTAT, after confirmation).

                Examples:
                  cachectl stats
                  cachectl stats --format json | jq .hit_rate
                  cachectl stats --window 30s --assert 'hit_rate>=90' --assert 'evicted_keys==0'
                  cachectl stats --watch 2s
                  cachectl stats --format prometheus > /var/lib/node_exporter/cachectl.prom
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Measure over this long (two samples, the difference), e.g. 30s.", valueName: "duration"))
        var window: DurationArgument?

        @Option(name: .customLong("assert"), help: ArgumentHelp("Exit 1 unless FIELD OP NUMBER holds, e.g. 'hit_rate>=90' (repeatable).", valueName: "expr"))
        var assertions: [String] = []

        @Flag(help: "After printing, zero the app counters.")
        var reset = false

        @Flag(help: "With --reset, also zero the server's statistics (CONFIG RESETSTAT).")
        var server = false

        @Flag(help: "Do not ask before --reset --server (needed without a terminal).")
        var yes = false

        @Option(help: ArgumentHelp("Sample every interval until interrupted, e.g. 2s.", valueName: "interval"))
        var watch: DurationArgument?

        @Option(help: ArgumentHelp("With --watch, stop after this many samples.", valueName: "n"))
        var count: Int?

        func validate() throws {
            if server, !reset { throw ValidationError("--server needs --reset: it says which statistics to reset.") }
            if count != nil, watch == nil { throw ValidationError("--count needs --watch.") }
            if let count, count < 1 { throw ValidationError("--count must be at least 1.") }
            if watch != nil, window != nil || reset || !assertions.isEmpty {
                throw ValidationError("--watch cannot be combined with --window, --reset or --assert: each sample already covers the last interval.")
            }
            if watch != nil, global.format == .prometheus {
                throw ValidationError("--watch prints a stream; use --format table, json or jsonl.")
            }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(StatsResult.self, command: "stats")
            let checks = try assertions.map(StatsAssertion.init(parsing:))
            if reset, server, !yes {
                guard context.interactive else {
                    throw CacheError(.usage, "stats --reset --server refused: no terminal to confirm on", hint: "add --yes")
                }
            }
            let backend = try context.openBackend()
            if let watch {
                return try StatsWatch(context: context, backend: backend, interval: watch.duration, count: count).run()
            }
            let report = try backend.statsReport(window: window?.duration)
            let result = StatsResult(report: report, assertions: checks.map { $0.evaluate(report) })
            context.renderer.render(result)
            if reset { try resetCounters(backend, context: context) }
            let failures = result.assertions.filter { !$0.passed }
            if !failures.isEmpty {
                throw CommandFailure(code: ExitStatus.failure, message: failures.map(\.failureMessage).joined(separator: "\n"), plain: true)
            }
        }

        private func resetCounters(_ backend: any CacheBackend, context: Context) throws {
            if server, !yes {
                guard Confirmation.ask("Reset the server statistics of \(backend.endpointDescription) (CONFIG RESETSTAT)?") else {
                    throw CommandFailure(code: ExitStatus.failure, message: "not reset: not confirmed")
                }
            }
            try backend.resetCounters()
            if server { try backend.resetServerStatistics() }
            context.note("reset the app counters" + (server ? " and the server statistics" : "") + " of \(backend.endpointDescription)")
        }
    }
}

/// `stats --watch`: a sample every interval, each over the interval since the previous one.
struct StatsWatch {
    let context: Context
    let backend: any CacheBackend
    let interval: Duration
    let count: Int?

    func run() throws {
        let redraw = Terminal.stdoutIsTerminal && context.options.format == .table
        var previous: (BackendStatistics, ContinuousClock.Instant)?
        var taken = 0
        while count.map({ taken < $0 }) ?? true {
            let started = ContinuousClock.now
            let sample = try backend.statistics()
            let report = previous.map { StatsReport(from: $0.0, to: sample, elapsed: (started - $0.1).seconds) } ?? StatsReport(sample)
            previous = (sample, started)
            taken += 1
            let result = StatsResult(report: report, assertions: [])
            if redraw {
                Terminal.write("\u{1B}[H\u{1B}[2J" + result.text(style: context.renderer.style))
            } else {
                context.renderer.renderLine(result)
            }
            if count.map({ taken >= $0 }) ?? false { break }
            sleep(seconds: max(0, (started + interval - ContinuousClock.now).seconds))
        }
    }
}

/// What `stats` prints.
struct StatsResult: Renderable, LineRenderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl, .prometheus] }
    let report: StatsReport
    let assertions: [StatsAssertionResult]

    private enum Keys: String, CodingKey {
        case backend, endpoint, hitRate = "hit_rate", hitRateSource = "hit_rate_source", entries, tags, memory
        case pingLatency = "ping_latency", window, app, server, assertions
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
    private enum AssertionKeys: String, CodingKey { case expression, field, actual, passed }

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
        var list = container.nestedUnkeyedContainer(forKey: .assertions)
        for result in assertions {
            var item = list.nestedContainer(keyedBy: AssertionKeys.self)
            try item.encode(result.assertion.expression, forKey: .expression)
            try item.encode(result.assertion.field, forKey: .field)
            try item.encode(Nullable(result.actual), forKey: .actual)
            try item.encode(result.passed, forKey: .passed)
        }
    }

    func prometheus() -> String { StatsExposition.text(report) }

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
            ("backend", "\(stats.backend) \(stats.endpoint)"),
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
            let actual = result.actual.map { Human.fixed($0, 2) } ?? "no value"
            fields.append(("assert", "\(result.assertion.expression): " + (result.passed ? style.green("passed") : style.red("failed")) + " (\(actual))"))
        }
        return FieldList(fields: fields).render(style: style)
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
