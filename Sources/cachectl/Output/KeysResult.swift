import CacheClient

/// One key as `keys` prints it: a table row, or a JSON object (`--format jsonl` streams these).
struct KeyRecord: Renderable, LineRenderable {
    let info: KeyInfo

    func text(style: TextStyle) -> String { line() }
    func line() -> String { row.joined(separator: "  ") + "\n" }

    private enum Keys: String, CodingKey { case key, type, ttl, size, role }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(info.key, forKey: .key)
        try container.encode(info.type, forKey: .type)
        try container.encode(Nullable(info.ttlMilliseconds.map { Double($0) / 1000 }), forKey: .ttl)
        try container.encode(info.size, forKey: .size)
        try container.encode(info.role.rawValue, forKey: .role)
    }

    var row: [String] {
        [info.key.displayEscaped, info.type, info.ttlMilliseconds.map { Human.ttl(max(1, ($0 + 999) / 1000)) } ?? "none",
         Human.bytes(info.size), Human.role(info.role)]
    }
}

/// What `keys` prints when it collects (tables, JSON, or any sorted listing).
struct KeysResult: Renderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl] }
    let keys: [KeyInfo]
    let interrupted: Bool

    private enum Keys: String, CodingKey { case keys, count, interrupted }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(keys.map(KeyRecord.init), forKey: .keys)
        try container.encode(keys.count, forKey: .count)
        try container.encode(interrupted, forKey: .interrupted)
    }

    func jsonLines() -> [String] { keys.map { JSONText.compact(Versioned(value: KeyRecord(info: $0))) } }

    func text(style: TextStyle) -> String {
        guard !keys.isEmpty else { return style.dim("no keys") + "\n" }
        return Table(headers: ["KEY", "TYPE", "TTL", "SIZE", "ROLE"], rows: keys.map { KeyRecord(info: $0).row },
                     numericColumns: [2, 3]).render(style: style)
    }
}

extension Human {
    /// `entry`, `tag set`, `counters`.
    static func role(_ role: KeyRole) -> String {
        switch role {
        case .entry: return "entry"
        case .tagSet: return "tag set"
        case .counters: return "counters"
        }
    }
}
