import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An entry in the one entry format, plus its size: the element of `get --format json`.
///
/// With a `large` placeholder, the value is encoded as its token instead (under `value` or
/// `value_base64` as its bytes decide) and `LargeValueJSON` writes the value in its place
/// afterwards, in pieces: the JSON text of a 50 MB value never exists whole.
struct EntryRecord: Encodable {
    let entry: Entry
    var large: LargeValueJSON.Placeholder? = nil

    private enum Keys: String, CodingKey { case key, value, valueBase64 = "value_base64", ttl, tags, size, decodingError = "decoding_error" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(entry.key, forKey: .key)
        if let decoded = entry.decoded {
            // A framework layout: the value the application reads, as JSON.
            try container.encode(decoded, forKey: .value)
        } else if let large {
            try container.encode(large.token, forKey: large.isText ? .value : .valueBase64)
        } else if let text = entry.text {
            try container.encode(text, forKey: .value)
        } else {
            try container.encode(Data(entry.value).base64EncodedString(), forKey: .valueBase64)
        }
        try container.encode(Nullable(entry.expiry.seconds), forKey: .ttl)
        try container.encodeIfPresent(entry.tags, forKey: .tags)
        try container.encode(large?.count ?? entry.value.count, forKey: .size)
        try container.encodeIfPresent(entry.decodingFailure, forKey: .decodingError)
    }
}

/// A value to print in pieces: bytes in memory, or a value left in its store.
enum LargeValue {
    case bytes([UInt8])
    case stored(StoredValue)

    /// The value's length in bytes.
    var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .stored(let stored): stored.count
        }
    }

    /// Hands the value to `body` in pieces, in order.
    func forEachPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch self {
        case .bytes(let bytes): try bytes.withUnsafeBytes(body)
        case .stored(let stored): try stored.read(into: body)
        }
    }

    /// Whether the value is valid UTF-8 (a pass over its pieces; nothing is built).
    func isText() throws -> Bool {
        try JSONStringPieces.isText(forEachPiece)
    }

    /// Writes the value to standard output as it is.
    func writeRaw() throws {
        try forEachPiece { Terminal.write(raw: $0) }
    }
}

/// JSON output with large values written in pieces straight from their bytes (escaped text or
/// base64), so that printing a value costs no more memory than holding it, and nothing at all
/// for a value read from its store in pieces.
enum LargeValueJSON {
    /// Values at least this long are written in pieces.
    static let threshold = JSONStringPieces.threshold

    /// What a record writes in place of a large value.
    struct Placeholder {
        /// A token no key or value can contain by chance: it carries this process's random nonce.
        let token: String
        /// Whether the value is UTF-8 (`value`) or not (`value_base64`).
        let isText: Bool
        /// The value's length in bytes.
        let count: Int
    }

    /// The placeholder of the value at `index` of one output.
    static func placeholder(_ index: Int, nonce: UInt64, for value: LargeValue) throws -> Placeholder {
        Placeholder(token: "cachectl-large-value-\(nonce)-\(index)", isText: try value.isText(), count: value.count)
    }

    /// Writes `json`, replacing each quoted placeholder `"token"` with the JSON string of `values[token]`.
    static func write(_ json: String, values: [String: (LargeValue, Placeholder)]) throws {
        var rest = Substring(json)
        while let open = rest.firstRange(of: "\"cachectl-large-value-") {
            guard let close = rest[open.upperBound...].firstIndex(of: "\""),
                  let (value, placeholder) = values[String(rest[rest.index(after: open.lowerBound)..<close])] else { break }
            Terminal.write(String(rest[..<open.lowerBound]))
            Terminal.write("\"")
            if placeholder.isText { try writeEscaped(value) } else { try writeBase64(value) }
            Terminal.write("\"")
            rest = rest[rest.index(after: close)...]
        }
        Terminal.write(String(rest))
    }

    private static func writeEscaped(_ value: LargeValue) throws {
        try JSONStringPieces.escaped(value.forEachPiece) { Terminal.write(bytes: $0) }
    }

    private static func writeBase64(_ value: LargeValue) throws {
        try JSONStringPieces.base64(value.forEachPiece) { Terminal.write(bytes: $0) }
    }
}
