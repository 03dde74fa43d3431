import ArgumentParser
import CacheClient

extension Cachectl {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Examine the cache: the snapshot file's integrity and the tag index's health.",
            discussion: """
                Snapshot file: SQLite's full integrity check (every page, every index against its \
                table), then (format 2) entries whose large value is missing and large values that \
                belong to no entry, both damage, then tag rows whose entry is gone. Redis: every tag set under the tag prefix \
                for members whose entry is gone (orphans) and for sets left by an invalidation that \
                did not finish (<tag>:invalidating:<uuid>). With --pattern, also the entries under \
                the glob that are in no tag set. Nothing is changed. Exit 0 when healthy, 65 when \
                the snapshot file is damaged, 1 when the tag index has problems (each is listed \
                with what to run).

                Examples:
                  cachectl check
                  cachectl check --url redis://cache-1:6379 --pattern 'article:*' --format json
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Also report entries matching this glob that are in no tag set.", valueName: "glob"))
        var pattern: String?

        func validate() throws {
            if pattern?.isEmpty == true { throw ValidationError("--pattern must not be empty.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(CheckResult.self, command: "check")
            let backend = try context.openBackend()
            guard let checking = backend as? any HealthChecking else {
                throw CacheError(.usage, "The \(backend.kind) backend has nothing to check")
            }
            let report = try checking.checkHealth(pattern: pattern)
            context.renderer.render(CheckResult(report: report))
            guard report.isHealthy else {
                let code = report.isDamaged ? ExitStatus.badInput : ExitStatus.failure
                throw CommandFailure(code: code, message: report.problems.map { "check: \($0.detail)" }.joined(separator: "\n"), plain: true)
            }
        }
    }
}
