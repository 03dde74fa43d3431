import ArgumentParser
import CacheClient

extension Cachectl.Tags {
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove tag members whose entries no longer exist; finish interrupted invalidations.",
            discussion: """
                On Redis each batch of members is checked and removed in one server-side script, so a \
                key written while prune runs keeps its membership. Tag sets left by an interrupted \
                invalidate-tag are finished: their remaining entries are deleted (counted in deletes).

                Examples:
                  cachectl tags prune --dry-run
                  cachectl tags prune --pattern 'user:*' --format json
                """)

        @OptionGroup var global: GlobalOptions

        /// `tags` takes `--pattern` too, and the parser hands the value to the parent wherever it
        /// stands: read it from there when this command's own option is empty.
        @ParentCommand var tags: Cachectl.Tags

        @Option(help: ArgumentHelp("Only tags whose name matches this glob.", valueName: "glob"))
        var pattern: String?

        @Flag(help: "Count what would be removed; change nothing.")
        var dryRun = false

        func validate() throws {
            if pattern?.isEmpty == true { throw ValidationError("--pattern must not be empty; leave it out to prune every tag.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(PruneResult.self, command: "tags prune")
            let start = ContinuousClock.now
            let reports = try context.openTagIndex().pruneTags(pattern: pattern ?? tags.pattern, dryRun: dryRun)
            context.renderer.render(PruneResult(tags: reports, seconds: (ContinuousClock.now - start).seconds, dryRun: dryRun))
        }
    }
}

/// What `tags prune` prints: the tags that had stale members.
struct PruneResult: Renderable {
    let tags: [TagPrune]
    let seconds: Double
    let dryRun: Bool

    private enum Keys: String, CodingKey { case tags, removed, deleted, seconds, dryRun = "dry_run" }
    private enum TagKeys: String, CodingKey { case tag, members, removed, deleted, interrupted }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var list = container.nestedUnkeyedContainer(forKey: .tags)
        for report in tags {
            var item = list.nestedContainer(keyedBy: TagKeys.self)
            try item.encode(report.tag, forKey: .tag)
            try item.encode(report.members, forKey: .members)
            try item.encode(report.removed, forKey: .removed)
            try item.encode(report.deleted, forKey: .deleted)
            try item.encode(report.interrupted, forKey: .interrupted)
        }
        try container.encode(tags.reduce(0) { $0 + $1.removed }, forKey: .removed)
        try container.encode(tags.reduce(0) { $0 + $1.deleted }, forKey: .deleted)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(dryRun, forKey: .dryRun)
    }

    func text(style: TextStyle) -> String {
        let verb = dryRun ? "would remove" : "removed"
        guard !tags.isEmpty else { return "\(verb) nothing: no stale members\n" }
        let rows = tags.map { [$0.interrupted ? $0.tag.displayEscaped + " (interrupted)" : $0.tag.displayEscaped, Human.count(Int64($0.members)),
                               Human.count(Int64($0.removed)), Human.count(Int64($0.deleted))] }
        var out = Table(headers: ["TAG", "MEMBERS", dryRun ? "WOULD REMOVE" : "REMOVED", "ENTRIES DELETED"], rows: rows,
                        numericColumns: [1, 2, 3]).render(style: style)
        if dryRun { out += style.dim("dry run: nothing was changed") + "\n" }
        return out
    }
}
