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
                members runs in bounded memory. If a run is killed half-way, `cachectl tags` shows the \
                leftover as an interrupted invalidation and `cachectl tags prune` finishes it. A tag \
                that does not exist is not an error: nothing is deleted. Counts deletes and \
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
            let backend = try context.openTagIndex()
            let start = ContinuousClock.now
            let reports = try backend.invalidate(tags: tags, dryRun: dryRun, listLimit: limit)
            context.renderer.render(InvalidationResult(tags: reports, seconds: (ContinuousClock.now - start).seconds, dryRun: dryRun))
        }
    }
}

/// What `invalidate-tag` prints: one row per tag and the totals.
struct InvalidationResult: Renderable {
    let tags: [TagInvalidation]
    let seconds: Double
    let dryRun: Bool

    private enum Keys: String, CodingKey { case tags, deleted, seconds, dryRun = "dry_run" }
    private enum TagKeys: String, CodingKey { case tag, deleted, members, existed, seconds, keys }

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
            if dryRun { try item.encode(report.keys, forKey: .keys) }
        }
        try container.encode(tags.reduce(0) { $0 + $1.deleted }, forKey: .deleted)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(dryRun, forKey: .dryRun)
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
