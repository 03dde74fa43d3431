import CacheClient

/// What `usage` prints: the top groups (the rest folded into one "other" line), totals, the
/// sampling margin, assertion results, and in tables a bar chart of the shares.
struct UsageResult: Renderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl] }
    let report: UsageReport
    let top: Int
    let assertions: [StatsAssertionResult]
    /// Unicode blocks for the chart (a UTF-8 terminal with color), else ASCII.
    let unicode: Bool

    var shown: ArraySlice<UsageGroup> { report.groups.prefix(top) }
    var rest: ArraySlice<UsageGroup> { report.groups.dropFirst(top) }

    private enum Keys: String, CodingKey {
        case backend, endpoint, by, depth, separator, mode, population, sampled, confidence, scannedKeys = "scanned_keys"
        case keys, memory, noTTLKeys = "no_ttl_keys", seconds, interrupted, incomplete, error, groups, other, assertions
    }
    private enum GroupKeys: String, CodingKey {
        case group, keys, keysMargin = "keys_margin", memory, share, shareMargin = "share_margin", noTTLKeys = "no_ttl_keys"
        case ttlP50 = "ttl_p50", ttlP90 = "ttl_p90", ttlMax = "ttl_max", biggestKey = "biggest_key"
    }
    private enum OtherKeys: String, CodingKey { case groups, keys, memory, share, noTTLKeys = "no_ttl_keys" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.backend, forKey: .backend)
        try container.encode(report.endpoint, forKey: .endpoint)
        try container.encode(report.grouping.dimension.rawValue, forKey: .by)
        let byPrefix = report.grouping.dimension == .prefix
        try container.encode(Nullable(byPrefix ? report.grouping.depth : nil), forKey: .depth)
        try container.encode(Nullable(byPrefix ? report.grouping.separator : nil), forKey: .separator)
        switch report.mode {
        case .exact:
            try container.encode("exact", forKey: .mode)
            try container.encodeNil(forKey: .population)
            try container.encodeNil(forKey: .sampled)
            try container.encodeNil(forKey: .confidence)
        case .sampled(let sampled, let population):
            try container.encode("sampled", forKey: .mode)
            try container.encode(population, forKey: .population)
            try container.encode(sampled, forKey: .sampled)
            try container.encode(UsageSampling.confidence, forKey: .confidence)
        }
        try container.encode(report.scannedKeys, forKey: .scannedKeys)
        try container.encode(report.keys, forKey: .keys)
        try container.encode(report.memory, forKey: .memory)
        try container.encode(report.noTTLKeys, forKey: .noTTLKeys)
        try container.encode(report.seconds, forKey: .seconds)
        try container.encode(report.interrupted, forKey: .interrupted)
        try container.encode(report.failure != nil, forKey: .incomplete)
        try container.encode(Nullable(report.failure?.message), forKey: .error)
        var list = container.nestedUnkeyedContainer(forKey: .groups)
        for group in shown {
            var item = list.nestedContainer(keyedBy: GroupKeys.self)
            try item.encode(group.name, forKey: .group)
            try item.encode(group.keys, forKey: .keys)
            try item.encode(Nullable(group.keysMargin), forKey: .keysMargin)
            try item.encode(group.memory, forKey: .memory)
            try item.encode(group.share, forKey: .share)
            try item.encode(Nullable(group.shareMargin), forKey: .shareMargin)
            try item.encode(group.noTTLKeys, forKey: .noTTLKeys)
            try item.encode(Nullable(group.ttlP50), forKey: .ttlP50)
            try item.encode(Nullable(group.ttlP90), forKey: .ttlP90)
            try item.encode(Nullable(group.ttlMax), forKey: .ttlMax)
            try item.encode(Nullable(group.biggestKey.map(KeyRecord.init)), forKey: .biggestKey)
        }
        if rest.isEmpty {
            try container.encodeNil(forKey: .other)
        } else {
            var other = container.nestedContainer(keyedBy: OtherKeys.self, forKey: .other)
            try other.encode(rest.count, forKey: .groups)
            try other.encode(rest.reduce(0) { $0 + $1.keys }, forKey: .keys)
            try other.encode(rest.reduce(0) { $0 + $1.memory }, forKey: .memory)
            try other.encode(rest.reduce(0) { $0 + $1.share }, forKey: .share)
            try other.encode(rest.reduce(0) { $0 + $1.noTTLKeys }, forKey: .noTTLKeys)
        }
        try container.encode(assertions.map(AssertionRecord.init), forKey: .assertions)
    }

    func text(style: TextStyle) -> String {
        var out = style.bold(headline) + "\n"
        guard !report.groups.isEmpty else { return out + style.dim("no keys") + "\n" }
        let sampled = report.largestShareMargin != nil
        func ttl(_ seconds: Double?) -> String { seconds.map { Human.ttl(Int64($0.rounded(.up))) } ?? "-" }
        var rows = shown.map { group -> [String] in
            var share = Human.fixed(group.share, 1) + " %"
            if let margin = group.shareMargin { share += " ±" + Human.fixed(margin, 1) }
            let biggest = group.biggestKey.map { "\(KeyRecord(info: $0).displayKey) (\(Human.bytes($0.size)))" } ?? "-"
            return [group.name.displayEscaped, Human.count(group.keys), Human.bytes(group.memory), share, Human.count(group.noTTLKeys),
                    ttl(group.ttlP50), ttl(group.ttlP90), ttl(group.ttlMax), biggest]
        }
        if !rest.isEmpty {
            rows.append(["(\(Human.count(rest.count, "other group")))", Human.count(rest.reduce(0) { $0 + $1.keys }),
                         Human.bytes(rest.reduce(0) { $0 + $1.memory }), Human.fixed(rest.reduce(0) { $0 + $1.share }, 1) + " %",
                         Human.count(rest.reduce(0) { $0 + $1.noTTLKeys }), "", "", "", ""])
        }
        rows.append(["total", Human.count(report.keys), Human.bytes(report.memory), "", Human.count(report.noTTLKeys), "", "", "", ""])
        let share = sampled ? "SHARE (95%)" : "SHARE"
        out += Table(headers: [report.grouping.dimension.rawValue.uppercased(), "KEYS", "MEMORY", share, "NO TTL", "TTL P50",
                               "TTL P90", "TTL MAX", "BIGGEST KEY"],
                     rows: rows, numericColumns: [1, 2, 3, 4, 5, 6, 7]).render(style: style)
        out += "\n"
        let bars = shown.map { (label: ($0.name).displayEscaped, percent: $0.share, note: Human.fixed($0.share, 1) + " %") }
        out += BarChart(bars: bars).render(style: style, unicode: unicode)
        for result in assertions {
            out += "assert " + AssertionRecord(result).text(style: style) + "\n"
        }
        return out
    }

    /// `usage by prefix (depth 1, ":") of redis://…: exact, 1,234 keys in 0.12 s`.
    var headline: String {
        let grouping = report.grouping
        var line = "usage by \(grouping.dimension.rawValue)"
        if grouping.dimension == .prefix { line += " (depth \(grouping.depth), \"\(grouping.separator.displayEscaped)\")" }
        line += " of \(report.endpoint.displayEscaped): "
        switch report.mode {
        case .exact:
            line += "exact, \(Human.count(Int(report.scannedKeys), "key")) scanned"
        case .sampled(let sampled, let population):
            line += "sampled \(Human.count(Int64(sampled))) random keys of \(Human.count(population)), estimates"
            if let margin = report.largestShareMargin { line += "; shares within ±\(Human.fixed(margin, 1)) points (95%)" }
        }
        line += " in \(Human.duration(report.seconds))"
        if report.interrupted { line += " — INTERRUPTED, partial" }
        if report.failure != nil { line += " — INCOMPLETE, a server was lost" }
        return line
    }
}
