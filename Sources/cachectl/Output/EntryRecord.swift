import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// An entry in the one entry format, plus its size: the element of `get --format json`.
///
/// With a `placeholder`, a large value is encoded as that token instead (under `value` or
/// `value_base64` as its bytes decide) and `LargeValueJSON` writes the value in its place
/// afterwards, in pieces: the JSON text of a 50 MB value never exists whole.
struct EntryRecord: Encodable {
    let entry: Entry
    var placeholder: String? = nil

    private enum Keys: String, CodingKey { case key, value, valueBase64 = "value_base64", ttl, tags, size, decodingError = "decoding_error" }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(entry.key, forKey: .key)
        if let decoded = entry.decoded {
            // A framework layout: the value the application reads, as JSON.
            try container.encode(decoded, forKey: .value)
        } else if let placeholder, entry.value.count >= LargeValueJSON.threshold {
            try container.encode(placeholder, forKey: LargeValueJSON.isText(entry.value) ? .value : .valueBase64)
        } else if let text = entry.text {
            try container.encode(text, forKey: .value)
        } else {
            try container.encode(Data(entry.value).base64EncodedString(), forKey: .valueBase64)
        }
        try container.encode(Nullable(entry.expiry.seconds), forKey: .ttl)
        try container.encodeIfPresent(entry.tags, forKey: .tags)
        try container.encode(entry.value.count, forKey: .size)
        try container.encodeIfPresent(entry.decodingFailure, forKey: .decodingError)
    }
}

/// JSON output with large values written in pieces straight from their bytes (escaped text or
/// base64), so that printing a value costs no more memory than holding it.
enum LargeValueJSON {
    /// Values at least this long are written in pieces.
    static let threshold = 64 * 1024

    /// A token no key or value can contain by chance: it carries this process's random nonce.
    static func placeholder(_ index: Int, nonce: UInt64) -> String { "cachectl-large-value-\(nonce)-\(index)" }

    /// Whether the bytes are valid UTF-8, without building a string of them.
    static func isText(_ bytes: [UInt8]) -> Bool {
        !transcode(bytes.makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true) { _ in }
    }

    /// Writes `json`, replacing each quoted placeholder `"token"` with the JSON string of `values[token]`.
    static func write(_ json: String, values: [String: [UInt8]]) {
        var rest = Substring(json)
        while let open = rest.firstRange(of: "\"cachectl-large-value-") {
            guard let close = rest[open.upperBound...].firstIndex(of: "\""),
                  let value = values[String(rest[rest.index(after: open.lowerBound)..<close])] else { break }
            Terminal.write(String(rest[..<open.lowerBound]))
            Terminal.write("\"")
            if isText(value) { writeEscaped(value) } else { writeBase64(value) }
            Terminal.write("\"")
            rest = rest[rest.index(after: close)...]
        }
        Terminal.write(String(rest))
    }

    /// The bytes as JSON string content, escaped as JSONEncoder escapes them, 64 KB at a time.
    private static func writeEscaped(_ bytes: [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var piece: [UInt8] = []
        piece.reserveCapacity(1 << 16 + 8)
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
        Terminal.write(bytes: piece)
    }

    /// The bytes as base64, 48 KB of input at a time (a multiple of 3, so the pieces join without padding).
    private static func writeBase64(_ bytes: [UInt8]) {
        let step = 3 << 14
        var start = 0
        while start < bytes.count {
            let end = min(start + step, bytes.count)
            Terminal.write(Data(bytes[start..<end]).base64EncodedString())
            start = end
        }
    }
}
