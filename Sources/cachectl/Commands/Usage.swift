import ArgumentParser
import CacheClient

extension Cachectl {
    struct Usage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "usage",
            abstract: "Show what holds the keys and the memory: per namespace, tag or type, with TTLs and the biggest key.",
            discussion: """
                Per group: keys, memory (MEMORY USAGE on Redis, value bytes in the snapshot file), \
                share of the total, keys without a TTL, TTL p50/p90/max of the keys that have one, \
                and the biggest key; the table ends with a bar chart of the shares (Unicode blocks on \
                a UTF-8 terminal, ASCII with --no-color, NO_COLOR, a pipe or another locale).

                Groups: --by prefix (default) cuts keys at the --depth-th --separator: user:42:profile \
                is "user" at depth 1 and "user:42" at depth 2; a key with fewer separators keeps all \
                but its last part, one without any is "(no prefix)". --by tag reads the tag index: each \
                tag's members (an entry in several tags counts in each, so shares may add up to more \
                than 100), "(no tag)" for entries in no tag (the untagged-entries health signal), and \
                "(tag sets)" and "(counters)" for the index itself. --by type groups by Redis type. \
                With --layout, keys are cut inside the framework's namespace and --by tag reads the \
                framework's own tag index (Symfony's tag sets, Laravel's sorted or reference sets).

                Sampling: on Redis with more than 100,000 keys, usage draws 20,000 random keys \
                (RANDOMKEY, with replacement) unless --exact or --sample N is given, and scales the \
                figures to DBSIZE. The headline says how many keys were sampled; each share carries \
                its 95% interval (plus or minus points), and keys_margin bounds the key counts. Counts of rare \
                things (no_ttl_keys) can read 0 in a sample: assert them with --exact. The snapshot \
                file is always exact. no_ttl_keys leaves out the counters hash, which is meant to \
                live forever; tag sets count.

                --assert FIELD OP NUMBER (repeatable; OP one of < <= > >= ==; NUMBER may be a size such \
                as 512MiB or 10GB): keys, memory, no_ttl_keys, scanned_keys, and per group keys, \
                memory, share, no_ttl_keys, ttl_p50, ttl_p90 or ttl_max with a label naming the group, \
                {prefix=GROUP}, {tag=GROUP} or {type=GROUP}, e.g. 'memory{prefix=session}<=512MiB' \
                (the label must match --by; a group without keys reads 0). A failed assertion prints one line and exits 1, after the report.

                Cluster and Sentinel: the figures add up over every primary (never a replica); \
                sampling draws from each primary in proportion to its DBSIZE. During a live \
                reshard a key moving between primaries may be missed or counted twice.

                Progress (keys/s, ETA from DBSIZE) on stderr when it is a terminal. Ctrl-C stops the \
                scan, prints the figures of what was scanned (marked interrupted) and exits 130. A \
                server lost mid-scan (killed, unreachable, timed out) prints the figures of what was \
                scanned (JSON: "incomplete": true and the error), then one line naming the server, exit 69.

                Examples:
                  cachectl usage
                  cachectl usage --by prefix --depth 2 --top 10
                  cachectl usage --by tag --exact
                  cachectl usage --exact --assert 'no_ttl_keys==0' --assert 'memory{prefix=session}<=512MiB'
                  cachectl usage --by type --format json | jq '.groups[] | {group, share}'
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Group by prefix, tag or type.", valueName: "dimension"))
        var by: UsageDimension = .prefix

        @Option(help: ArgumentHelp("With --by prefix, separators a namespace keeps (1 = up to the first).", valueName: "n"))
        var depth = 1

        @Option(help: ArgumentHelp("With --by prefix, the namespace separator.", valueName: "text"))
        var separator = ":"

        @Option(help: ArgumentHelp("Estimate from this many random keys (Redis).", valueName: "n"))
        var sample: Int?

        @Flag(help: "Scan every key, however many there are.")
        var exact = false

        @Option(help: ArgumentHelp("Show the biggest N groups; the rest are summed into one line.", valueName: "n"))
        var top = 20

        @Option(name: .customLong("assert"), help: ArgumentHelp("Exit 1 unless FIELD OP NUMBER holds, e.g. 'memory{prefix=session}<=512MiB' (repeatable).", valueName: "expr"))
        var assertions: [String] = []

        func validate() throws {
            if sample != nil, exact { throw ValidationError("Give either --sample N or --exact, not both.") }
            if let sample, !(1...10_000_000).contains(sample) { throw ValidationError("--sample must be between 1 and 10,000,000.") }
            if !(1...64).contains(depth) { throw ValidationError("--depth must be between 1 and 64.") }
            if separator.isEmpty { throw ValidationError("--separator must not be empty.") }
            if top < 1 { throw ValidationError("--top must be at least 1.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(UsageResult.self, command: "usage")
            let grouping = try UsageGrouping(dimension: by, depth: depth, separator: separator)
            let checks = try UsageReport.assertions(parsing: assertions, grouping: grouping)
            let backend = try context.openKeyScanner()
            let bar = ProgressBar(label: "usage", quiet: global.quiet)
            let report = try backend.usage(grouping: grouping, sampling: exact ? .exact : sample.map { .sample($0) } ?? .automatic,
                                           shouldStop: { Cancellation.process.isCancelled }, progress: bar.update)
            bar.finish()
            let results = checks.map { $0.evaluate(actual: report.value(for: $0)) }
            let unicode = context.renderer.style.color && BarChart.utf8Locale(context.environment)
            context.renderer.render(UsageResult(report: report, top: top, assertions: results, unicode: unicode))
            try Interruption.exitIfInterrupted("the figures cover the \(Human.count(Int(report.scannedKeys), "key")) scanned",
                                               stopped: report.interrupted)
            if let failure = report.failure {
                throw failure.partial("the figures cover the \(Human.count(Int(report.scannedKeys), "key")) scanned before")
            }
            let failures = results.filter { !$0.passed }
            if !failures.isEmpty {
                throw CommandFailure(code: ExitStatus.failure, message: failures.map(\.failureMessage).joined(separator: "\n"), plain: true)
            }
        }
    }
}

extension UsageDimension: ExpressibleByArgument {}
