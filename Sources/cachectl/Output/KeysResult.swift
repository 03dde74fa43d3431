import CacheClient
import FoundationEssentials

/// One key as `keys` prints it: a table row, or a JSON object (`--format jsonl` streams these).
struct KeyRecord: Renderable, LineRenderable {
    let info: KeyInfo

    func text(style: TextStyle) -> String { line() }
    func line() -> String { row.joined(separator: "  ") + "\n" }

    private enum Keys: String, CodingKey { case key, keyBase64 = "key_base64", type, ttl, size, role }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(info.key, forKey: .key)
        // Only for a key that is not valid UTF-8: `key` then cannot carry its bytes.
        if let bytes = info.keyBytes { try container.encode(Data(bytes).base64EncodedString(), forKey: .keyBase64) }
        try container.encode(info.type, forKey: .type)
        try container.encode(Nullable(info.ttlMilliseconds.map { Double($0) / 1000 }), forKey: .ttl)
        try container.encode(info.size, forKey: .size)
        try container.encode(info.role.rawValue, forKey: .role)
    }

    /// Bytes for a person: valid UTF-8 escaped as `DisplayText` does, every other byte as `\xFF`.
    static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                out += DisplayText.escaped(String(Unicode.UTF8.decode(encoded)))
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<position + length] { out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
                position += length
            case .emptyInput:
                break loop
            }
        }
        return out
    }

    /// The key for a person (escaped).
    var displayKey: String { info.keyBytes.map(Self.escaped) ?? info.key.displayEscaped }

    var row: [String] {
        [displayKey, info.type, info.ttlMilliseconds.map { Human.ttl(max(1, ($0 + 999) / 1000)) } ?? "none",
         Human.bytes(info.size), Human.role(info.role)]
    }
}

/// What `keys` prints when it collects (tables, JSON, or any sorted listing).
struct KeysResult: Renderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl] }
    let keys: [KeyInfo]
    let interrupted: Bool
    /// The server lost mid-scan, when one was: the listing covers what was scanned before.
    var failure: CacheError? = nil

    private enum Keys: String, CodingKey { case keys, count, interrupted, incomplete, error }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(keys.map(KeyRecord.init), forKey: .keys)
        try container.encode(keys.count, forKey: .count)
        try container.encode(interrupted, forKey: .interrupted)
        try container.encode(failure != nil, forKey: .incomplete)
        try container.encode(Nullable(failure?.message), forKey: .error)
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

extension CacheError {
    /// The failure that ended a scan, saying what was shown before it.
    func partial(_ shown: String) -> CacheError {
        CacheError(kind, "\(message); \(shown), the output is incomplete", hint: hint)
    }

    /// Runs `body`; a server lost mid-scan (`.unreachable`) is rethrown saying what was shown before it.
    static func reportingPartial(_ shown: () -> String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CacheError where error.kind == .unreachable {
            throw error.partial(shown())
        }
    }
}
