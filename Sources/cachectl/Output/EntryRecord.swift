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
        var validation = UTF8Validation()
        try forEachPiece { validation.feed($0) }
        return validation.isComplete
    }

    /// Writes the value to standard output as it is.
    func writeRaw() throws {
        try forEachPiece { Terminal.write(raw: $0) }
    }
}

/// UTF-8 well-formedness (Unicode Table 3-7: no overlong forms, surrogates or code points past
/// U+10FFFF) checked piece by piece, a sequence may span two pieces.
struct UTF8Validation {
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var failed = false

    /// Whether everything fed so far is UTF-8 and no sequence is left open.
    var isComplete: Bool { !failed && needed == 0 }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !failed else { return }
        for byte in bytes {
            if needed > 0 {
                guard byte >= lower, byte <= upper else { failed = true; return }
                (lower, upper) = (0x80, 0xBF)
                needed -= 1
                continue
            }
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: needed = 1
            case 0xE0: (needed, lower) = (2, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: needed = 2
            case 0xED: (needed, upper) = (2, 0x9F)
            case 0xF0: (needed, lower) = (3, 0x90)
            case 0xF1...0xF3: needed = 3
            case 0xF4: (needed, upper) = (3, 0x8F)
            default:
                failed = true
                return
            }
        }
    }
}

/// JSON output with large values written in pieces straight from their bytes (escaped text or
/// base64), so that printing a value costs no more memory than holding it, and nothing at all
/// for a value read from its store in pieces.
enum LargeValueJSON {
    /// Values at least this long are written in pieces.
    static let threshold = 64 * 1024

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

    /// The bytes as JSON string content, escaped as JSONEncoder escapes them, 64 KB at a time.
    private static func writeEscaped(_ value: LargeValue) throws {
        let hex = Array("0123456789abcdef".utf8)
        var piece: [UInt8] = []
        piece.reserveCapacity(1 << 16 + 8)
        try value.forEachPiece { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): piece += [UInt8(ascii: "\\"), byte]
                case UInt8(ascii: "\\"): piece += [UInt8(ascii: "\\"), byte]
                case 0x08: piece += Array("\\b".utf8)
                case 0x0C: piece += Array("\\f".utf8)
                case 0x0A: piece += Array("\\n".utf8)
                case 0x0D: piece += Array("\\r".utf8)
                case 0x09: piece += Array("\\t".utf8)
                case 0..<0x20: piece += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                default: piece.append(byte)
                }
                if piece.count >= 1 << 16 {
                    Terminal.write(bytes: piece)
                    piece.removeAll(keepingCapacity: true)
                }
            }
        }
        Terminal.write(bytes: piece)
    }

    /// The bytes as base64, 48 KB of input at a time (a multiple of 3, so the pieces join without
    /// padding); up to two bytes carry over from one piece of the value to the next.
    private static func writeBase64(_ value: LargeValue) throws {
        let step = 3 << 14
        var pending: [UInt8] = []
        pending.reserveCapacity(step)
        try value.forEachPiece { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(start + step - pending.count, bytes.count)
                pending.append(contentsOf: bytes[start..<end])
                start = end
                if pending.count == step {
                    Terminal.write(Data(pending).base64EncodedString())
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        if !pending.isEmpty { Terminal.write(Data(pending).base64EncodedString()) }
    }
}
