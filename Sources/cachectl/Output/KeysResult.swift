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
        [Human.key(info.key), info.type, info.ttlMilliseconds.map { Human.ttl(max(1, ($0 + 999) / 1000)) } ?? "none",
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
    /// A key for a terminal: control characters (and DEL, C1 controls) as `\xHH` so a key can
    /// neither break the table nor send escape sequences to the terminal; a backslash is doubled
    /// only when escapes were needed, so ordinary keys read as they are.
    static func key(_ key: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
        guard key.unicodeScalars.contains(where: isControl) else { return key }
        var text = ""
        for scalar in key.unicodeScalars {
            if scalar == "\\" {
                text += "\\\\"
            } else if isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                text += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// `entry`, `tag set`, `counters`.
    static func role(_ role: KeyRole) -> String {
        switch role {
        case .entry: return "entry"
        case .tagSet: return "tag set"
        case .counters: return "counters"
        }
    }
}
