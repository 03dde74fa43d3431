import ArgumentParser
import CacheClient

extension Cachectl {
    struct InvalidateTag: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invalidate-tag",
            abstract: "Delete every entry of each tag, and the tag's index.",
            discussion: """
                On Redis the tag set is first renamed to <tag-set>:invalidating:<uuid> in one atomic \
                step, then drained in batches (SSCAN, pipelined UNLINK), so a key tagged by another \
                client meanwhile lands in a fresh tag set and stays indexed, and a tag of a million \
                members runs in bounded memory. The key's type is checked in the same atomic step \
                (WATCH, TYPE, MULTI/RENAME/EXEC): a key of another type (a string, a sorted set) is \
                refused with exit 65 and left as it is. If a run is interrupted (a signal, a lost \
                connection after 3 retries, SIGKILL), running the same command again finishes what it \
                left and says so; `cachectl tags` shows the leftover and `cachectl tags prune` finishes \
                it too. SIGINT or SIGTERM stops at the next batch boundary, prints the report (what \
                was deleted, what is left) and exits 130 or 143. A tag that has no index is not an \
                error (exit 0, nothing is deleted), but a line on stderr names the tag prefix in use, \
                so a mistyped --tag-prefix does not pass for success. Counts deletes and \
                tag_invalidations in the app counters; --dry-run changes and counts nothing.

                Examples:
                  cachectl invalidate-tag articles
                  cachectl invalidate-tag articles authors --format json
                  cachectl invalidate-tag user:42 --dry-run
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The tags to invalidate (names without the tag prefix).")
        var tags: [String]

        @Flag(help: "Count and list what would be deleted; delete nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("With --dry-run, list at most this many keys per tag.", valueName: "n"))
        var limit = 100

        func validate() throws {
            guard !tags.isEmpty else { throw ValidationError("Name at least one tag, e.g. cachectl invalidate-tag articles.") }
            guard !tags.contains("") else { throw ValidationError("TAG must not be empty: name the tag to invalidate.") }
            guard limit >= 0 else { throw ValidationError("--limit must be zero or more.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(InvalidationResult.self, command: "invalidate-tag")
            Interruption.install()
            let backend = try context.openTagIndex()
            let start = ContinuousClock.now
            let reports = try backend.invalidate(tags: try tags.map(context.tag), dryRun: dryRun, listLimit: limit)
            let prefix = try context.configuration().tagPrefix
            for report in reports {
                if !report.existed, report.finishedInterrupted == 0, !report.interrupted {
                    context.note("note: no tag index \"\(prefix)\(report.tag)\" (tag prefix \"\(prefix)\"): nothing to delete; check --tag-prefix if the tag should exist")
                }
                if report.finishedInterrupted > 0 {
                    context.note("note: finished \(report.finishedInterrupted) interrupted invalidation\(report.finishedInterrupted == 1 ? "" : "s") of \"\(report.tag)\"")
                }
            }
            context.renderer.render(InvalidationResult(tags: reports, seconds: (ContinuousClock.now - start).seconds, dryRun: dryRun,
                                                       interrupted: reports.count < tags.count || reports.contains(where: \.interrupted)))
            let remaining = reports.reduce(0) { $0 + $1.remaining }
            let skipped = tags.count - reports.count
            try Interruption.exitIfInterrupted("stopped at a batch boundary; deleted \(reports.reduce(0) { $0 + $1.deleted }), \(remaining) members left"
                + (skipped > 0 ? ", \(skipped) tag\(skipped == 1 ? "" : "s") not attempted" : "") + " (run the same command again to finish)",
                stopped: skipped > 0 || reports.contains(where: \.interrupted))
        }
    }
}

/// What `invalidate-tag` prints: one row per tag and the totals.
struct InvalidationResult: Renderable {
    let tags: [TagInvalidation]
    let seconds: Double
    let dryRun: Bool
    var interrupted = false

    private enum Keys: String, CodingKey { case tags, deleted, seconds, dryRun = "dry_run", interrupted }
    private enum TagKeys: String, CodingKey {
        case tag, deleted, members, existed, seconds, keys, interrupted, remaining
        case finishedInterrupted = "finished_interrupted"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var list = container.nestedUnkeyedContainer(forKey: .tags)
        for report in tags {
            var item = list.nestedContainer(keyedBy: TagKeys.self)
            try item.encode(report.tag, forKey: .tag)
            try item.encode(report.deleted, forKey: .deleted)
            try item.encode(report.members, forKey: .members)
            try item.encode(report.existed, forKey: .existed)
            try item.encode(report.seconds, forKey: .seconds)
            try item.encode(report.finishedInterrupted, forKey: .finishedInterrupted)
            try item.encode(report.interrupted, forKey: .interrupted)
            try item.encode(report.remaining, forKey: .remaining)
            if dryRun { try item.encode(report.keys, forKey: .keys) }
        }
        try container.encode(tags.reduce(0) { $0 + $1.deleted }, forKey: .deleted)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(interrupted, forKey: .interrupted)
    }

    func text(style: TextStyle) -> String {
        let rows = tags.map { [$0.tag.displayEscaped, Human.count(Int64($0.deleted)), Human.count(Int64($0.members)), Human.duration($0.seconds)] }
        var out = Table(headers: ["TAG", dryRun ? "WOULD DELETE" : "DELETED", "MEMBERS", "TIME"], rows: rows,
                        numericColumns: [1, 2, 3]).render(style: style)
        if dryRun {
            for report in tags where report.deleted > 0 {
                out += "\n" + style.bold(report.tag.displayEscaped) + ":\n" + KeyList.text(report.keys, total: report.deleted)
            }
            out += "\n" + style.dim("dry run: nothing was deleted") + "\n"
        }
        return out
    }
}
