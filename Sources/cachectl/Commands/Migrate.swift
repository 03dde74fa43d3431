import ArgumentParser
import CacheClient

extension Cachectl {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Copy entries between two endpoints, keeping values byte for byte, TTLs and tags.",
            discussion: """
                Endpoints: redis://, unix://, redis+cluster://, redis+sentinel://, file:PATH (snapshot), \
                jsonl:PATH (the entry format, - for stdin/stdout) and dummy:. Redis→Redis copies every \
                type with DUMP/RESTORE and tag sets as sets; on a cluster each key is read on its \
                primary (SCAN on every primary) and written on its target node. JSON Lines carries every type too (sets, lists, hashes and sorted sets element \
                by element, other types as dump_base64), so Redis → JSON Lines → Redis is lossless. \
                The snapshot file holds strings only: any other type in scope is listed and the run \
                exits 1, unless --strings-only puts them out of scope. The source is never modified. A \
                key that expires mid-copy counts as expired, not as an error. With --on-conflict fail \
                (the default) existing keys at the target, or an existing JSON Lines file, stop the run \
                before anything is written (exit 65); rerunning with skip completes a run that lost its \
                connection (exit 69). --verify compares values, other types by content (not DUMP bytes), \
                TTLs and tags. Redis→Redis copies the tag \
                sets before the entries, and strings are written in MULTI/EXEC batches with their \
                memberships, so an interrupted copy never leaves an entry outside its tags. SIGINT or \
                SIGTERM stops between two batches, prints the report and exits 130 or 143 (a JSON Lines \
                target is then not put in place). --wait-replicas N waits after each batch until N \
                replicas of a Redis target acknowledged it (WAIT, at most --wait-timeout; on a cluster \
                every primary written to); entries copied but not acknowledged are counted \
                (unacknowledged in JSON) and the run exits 1.

                Examples:
                  cachectl migrate --from redis://old:6379/0 --to redis://new:6379/0 --verify
                  cachectl migrate --from redis://cache:6379 --to jsonl:backup.jsonl
                  cachectl migrate --from jsonl:backup.jsonl --to file:cache.snapshot --on-conflict replace
                  cachectl migrate --from redis://cache:6379/0 --to redis://cache:6379/1 --to-layout django --drop-tags

                Between layouts (--layout for the source, --to-layout for the target) values are \
                decoded and re-encoded the way the target framework reads them, and tags are mapped \
                into the target's tag index; a value or tag the target cannot hold stops the run \
                before anything is written (exit 65).
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Copy from this endpoint.", valueName: "url"))
        var from: String

        @Option(help: ArgumentHelp("Copy to this endpoint.", valueName: "url"))
        var to: String

        @Option(help: ArgumentHelp("Copy only keys matching this glob (e.g. 'article:*').", valueName: "glob"))
        var pattern: String?

        @Option(help: "Keys that exist at the target: fail (before writing anything), skip or replace.")
        var onConflict: ConflictPolicyArgument = .init(policy: .fail)

        @Flag(help: "Report what would be copied, skipped and conflicting; write nothing.")
        var dryRun = false

        @Flag(help: "Compare source and target afterwards (presence, value, TTL, tags); exit 1 on a difference.")
        var verify = false

        @Option(help: ArgumentHelp("The target's layout (default: the source's, from --layout); values are re-encoded and tags mapped.",
                                   valueName: "layout"))
        var toLayout: String?

        @Option(help: ArgumentHelp("The target layout's namespace (default: the source's --namespace).", valueName: "namespace"))
        var toNamespace: String?

        @Option(help: ArgumentHelp("The target's Django cache VERSION (default: --cache-version).", valueName: "n"))
        var toCacheVersion: Int?

        @Flag(help: "Leave tags out, for a target layout that keeps none (django); without it such a copy is refused (exit 65).")
        var dropTags = false

        @Flag(help: "Into a framework layout: write source values that are JSON text as JSON values (the seeds store non-strings as JSON), not as strings.")
        var parseJSON = false

        @Flag(help: "Copy strings only: other types are out of scope (listed, exit 0).")
        var stringsOnly = false

        @OptionGroup var replicas: ReplicaWaitOptions

        func run() throws {
            let context = Context(global)
            try context.renderer.check(MigrateResult.self, command: "migrate")
            Interruption.install()
            let settings = try context.settings()
            var configuration = try context.configuration(settings: settings, layout: nil, namespace: nil, cacheVersion: nil)
            configuration.defaultExpiry = try context.defaultExpiry()
            var targetConfiguration = try context.configuration(settings: settings, layout: toLayout, namespace: toNamespace, cacheVersion: toCacheVersion)
            targetConfiguration.defaultExpiry = configuration.defaultExpiry
            let target = try Endpoint(parsing: to)
            if verify, case .jsonLines = target { throw CacheError(.usage, "--verify needs a target it can read back: redis:// or file:") }
            if verify, configuration.layout != targetConfiguration.layout {
                throw CacheError(.usage, "--verify compares stored bytes, which differ between layouts", hint: "read the target back with get --layout")
            }
            let source = try MigrationEndpoints.source(try context.resolve(url: from, settings: settings).endpoint, configuration: configuration)
            let sink = try MigrationEndpoints.sink(try context.resolve(url: to, settings: settings).endpoint, configuration: targetConfiguration,
                                                  onConflict: onConflict.policy, dropTags: dropTags, parseJSON: parseJSON)
            var options = Migration.Options(pattern: pattern, onConflict: onConflict.policy, dryRun: dryRun, verify: verify)
            options.stringsOnly = stringsOnly
            options.replicaWait = try replicas.wait(timeout: targetConfiguration.timeout)
            let migration = Migration(from: source, to: sink, options: options)
            let bar = ProgressBar(label: "migrate", quiet: global.quiet)
            let report = try migration.run(progress: bar.update)
            bar.finish()
            // With a JSON Lines target on stdout, the report goes to stderr so the data stays clean.
            if to == "jsonl:-" { context.note(MigrateResult(report: report).text(style: context.renderer.style)) }
            else { context.renderer.render(MigrateResult(report: report)) }
            try Interruption.exitIfInterrupted("stopped between two batches; \(report.countsSentence) (run again with --on-conflict skip to copy the rest)", stopped: report.interrupted)
            if !dryRun, !stringsOnly, report.skippedForType > 0 {
                let types = report.skippedTypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                let keys = report.skippedKeys.map { "\"\($0.key)\" (\($0.type))" }.joined(separator: ", ")
                throw CommandFailure(code: ExitStatus.failure,
                                     message: "migrate: \(report.skippedForType) key\(report.skippedForType == 1 ? "" : "s") in scope not copied (\(types)): \(sink.endpointDescription) cannot hold them: \(keys); --strings-only copies strings only",
                                     plain: true)
            }
            if report.unacknowledged > 0 {
                throw CommandFailure(code: ExitStatus.failure,
                                     message: "migrate: \(report.unacknowledged) of \(report.copied) copied entries were not acknowledged by \(options.replicaWait?.replicas ?? 0) replica\(options.replicaWait?.replicas == 1 ? "" : "s") of the target in time: they are on its primary, but a failover could lose them")
            }
            if let verification = report.verification, verification.mismatches > 0 {
                let lines = verification.problems.map { "mismatch: \($0.key.displayEscaped): \($0.problem)" }
                throw CommandFailure(code: ExitStatus.failure, message: (lines + ["verify: \(verification.mismatches) of \(verification.checked) entries differ"]).joined(separator: "\n"), plain: true)
            }
        }
    }
}

/// `--on-conflict fail|skip|replace`.
struct ConflictPolicyArgument: ExpressibleByArgument {
    let policy: ConflictPolicy
    init(policy: ConflictPolicy) { self.policy = policy }
    init?(argument: String) {
        guard let policy = ConflictPolicy(rawValue: argument) else { return nil }
        self.policy = policy
    }
    var defaultValueDescription: String { policy.rawValue }
    static var allValueStrings: [String] { ConflictPolicy.allCases.map(\.rawValue) }
}
