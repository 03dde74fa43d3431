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

                --per-node adds a table of every node (on a cluster every primary and replica, on one \
                server or Sentinel the primary): address, role, keys (DBSIZE: every key on the node, not \
                only the cache's), used memory, keyspace hits and misses since the node started, and \
                ops/s (the node's own estimate), taken at the end of any --window. JSON: nodes [{node, \
                role, keys, memory, hits, misses, ops_per_second}]; Prometheus: cachectl_node_* with a \
                node label. A replica that does not answer is listed as unreachable; an unreachable \
                primary exits 69 naming it.

                Examples:
                  cachectl stats
                  cachectl stats --format json | jq .hit_rate
                  cachectl stats --window 30s --assert 'hit_rate>=90' --assert 'evicted_keys==0'
                  cachectl stats --watch 2s
                  cachectl stats --per-node --url redis+cluster://10.0.0.1:7000
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

        @Flag(help: "Also show every node (cluster primaries and replicas; one server: one row): address, role, keys, memory, hits, misses, ops/s.")
        var perNode = false

        func validate() throws {
            if server, !reset { throw ValidationError("--server needs --reset: it says which statistics to reset.") }
            if count != nil, watch == nil { throw ValidationError("--count needs --watch.") }
            if let count, count < 1 { throw ValidationError("--count must be at least 1.") }
            if watch != nil, window != nil || reset || !assertions.isEmpty {
                throw ValidationError("--watch cannot be combined with --window, --reset or --assert: each sample already covers the last interval.")
            }
            if perNode, watch != nil { throw ValidationError("--per-node cannot be combined with --watch.") }
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
            if perNode, !(backend is NodeReporting) {
                throw CacheError(.usage, "--per-node needs Redis (a server, a cluster or Sentinel): \(backend.endpointDescription) has no nodes")
            }
            let report = try backend.statsReport(window: window?.duration)
            var result = StatsResult(report: report, assertions: checks.map { $0.evaluate(report) })
            if perNode { result.nodes = try (backend as? NodeReporting)?.nodeStatistics() }
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
            context.note("reset the app counters" + (server ? " and the server statistics" : "") + " of \(backend.endpointDescription.displayEscaped)")
        }
    }
}
