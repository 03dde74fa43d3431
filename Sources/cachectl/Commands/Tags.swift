import ArgumentParser
import CacheClient

extension Cachectl {
    struct Tags: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tags",
            abstract: "List tags with their member counts; `tags prune` removes stale members.",
            discussion: """
                Counts are SCARD: members whose entry has expired or was deleted are included; \
                --orphans also counts those (one EXISTS per member, pipelined in batches). Tags are \
                found by SCAN over the tag prefix, never KEYS. A row marked "interrupted" is the \
                temporary set of an invalidate-tag run that was killed half-way; \
                `cachectl tags prune` finishes it.

                Examples:
                  cachectl tags
                  cachectl tags --pattern 'user:*' --orphans
                  cachectl tags prune --dry-run
                """,
            subcommands: [Prune.self])

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only tags whose name matches this glob (*, ?, [abc]).", valueName: "glob"))
        var pattern: String?

        @Flag(help: "Also count members whose entry no longer exists.")
        var orphans = false

        func validate() throws {
            if pattern?.isEmpty == true { throw ValidationError("--pattern must not be empty; leave it out to list every tag.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(TagsResult.self, command: "tags")
            let summaries = try context.openTagIndex().tagSummaries(pattern: pattern, orphans: orphans)
            if summaries.contains(where: \.interrupted) {
                context.note("note: some invalidations were interrupted; run `cachectl tags prune` to finish them")
            }
            context.renderer.render(TagsResult(tags: summaries, orphans: orphans))
        }
    }
}

/// What `tags` prints.
struct TagsResult: Renderable {
    let tags: [TagSummary]
    let orphans: Bool

    private enum Keys: String, CodingKey { case tags, count }
    private enum TagKeys: String, CodingKey { case tag, members, orphans, ttl, interrupted }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        var list = container.nestedUnkeyedContainer(forKey: .tags)
        for summary in tags {
            var item = list.nestedContainer(keyedBy: TagKeys.self)
            try item.encode(summary.tag, forKey: .tag)
            try item.encode(summary.members, forKey: .members)
            if orphans { try item.encode(summary.orphans ?? 0, forKey: .orphans) }
            try item.encode(Nullable(summary.ttlMilliseconds.map { Double($0) / 1000 }), forKey: .ttl)
            try item.encode(summary.interrupted, forKey: .interrupted)
        }
        try container.encode(tags.count, forKey: .count)
    }

    func text(style: TextStyle) -> String {
        guard !tags.isEmpty else { return style.dim("no tags") + "\n" }
        let rows = tags.map { summary -> [String] in
            var row = [summary.interrupted ? summary.tag.displayEscaped + " " + style.red("(interrupted invalidation)") : summary.tag.displayEscaped,
                       Human.count(Int64(summary.members))]
            if orphans { row.append(Human.count(summary.orphans.map(Int64.init))) }
            row.append(summary.ttlMilliseconds.map { Human.ttl($0 / 1000) } ?? "none")
            return row
        }
        let headers = ["TAG", "MEMBERS"] + (orphans ? ["ORPHANS"] : []) + ["TTL"]
        return Table(headers: headers, rows: rows, numericColumns: orphans ? [1, 2] : [1]).render(style: style)
    }
}
