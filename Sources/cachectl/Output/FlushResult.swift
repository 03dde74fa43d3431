import CacheClient

/// What `flush` prints.
struct FlushResult: Renderable {
    let report: FlushReport

    private enum Keys: String, CodingKey { case scope, pattern, prefix, deleted, keys, keyTypes = "key_types", seconds, dryRun = "dry_run", interrupted }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch report.scope {
        case .pattern(let glob):
            try container.encode("pattern", forKey: .scope)
            try container.encode(glob, forKey: .pattern)
        case .prefix(let prefix):
            try container.encode("prefix", forKey: .scope)
            try container.encode(prefix, forKey: .prefix)
        case .all:
            try container.encode("all", forKey: .scope)
        }
        try container.encode(report.deleted, forKey: .deleted)
        if report.dryRun {
            try container.encode(report.keys, forKey: .keys)
            try container.encode(Dictionary(zip(report.keys, report.types), uniquingKeysWith: { first, _ in first }), forKey: .keyTypes)
        }
        try container.encode(report.seconds, forKey: .seconds)
        try container.encode(report.dryRun, forKey: .dryRun)
        try container.encode(report.interrupted, forKey: .interrupted)
    }

    func text(style: TextStyle) -> String {
        let count = Human.count(report.deleted, "key")
        guard report.dryRun else { return "deleted \(count) \(report.scope) in \(Human.duration(report.seconds))\n" }
        return "would delete \(count) \(report.scope):\n" + KeyList.text(report.keys, types: report.types, total: report.deleted)
            + style.dim("dry run: nothing was deleted") + "\n"
    }
}
