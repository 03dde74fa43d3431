import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The one entry format as JSON text:
/// `{"key":"article:1","value":"…","ttl":300,"tags":["articles"]}`, with `value_base64`
/// instead of `value` for bytes that are not UTF-8 and `"ttl":null` for no expiry.
public enum EntryJSON {
    /// One compact JSON object for an entry (no newline). `size` adds the value's byte count.
    public static func line(_ entry: Entry, includeSize: Bool = false) -> String {
        var out = head(entry)
        if let decoded = entry.decoded {
            // A framework layout: the decoded value, which a manifest writes back the same way.
            out += ",\"value\":"
            decoded.appendJSON(to: &out)
        } else if let text = entry.text {
            out += ",\"value\":"
            appendString(text, to: &out)
        } else {
            out += ",\"value_base64\":\""
            out += Data(entry.value).base64EncodedString()
            out += "\""
        }
        return out + tail(entry, includeSize: includeSize)
    }

    /// The same line as `line(entry)`, handed to `emit` in pieces: a value of
    /// `JSONStringPieces.threshold` bytes or more is written straight from its bytes (escaped
    /// text or base64), so its JSON text never exists whole beside it.
    public static func writeLine(_ entry: Entry, emit: ([UInt8]) throws -> Void) throws {
        guard entry.decoded == nil, entry.value.count >= JSONStringPieces.threshold else {
            return try emit(Array(line(entry).utf8))
        }
        let pieces: JSONStringPieces.Pieces = { body in try entry.value.withUnsafeBytes(body) }
        let isText = try JSONStringPieces.isText(pieces)
        try emit(Array((head(entry) + (isText ? ",\"value\":\"" : ",\"value_base64\":\"")).utf8))
        if isText { try JSONStringPieces.escaped(pieces, emit: emit) } else { try JSONStringPieces.base64(pieces, emit: emit) }
        try emit(Array(("\"" + tail(entry, includeSize: false)).utf8))
    }

    /// `{"key":…` — the line up to its value.
    private static func head(_ entry: Entry) -> String {
        var out = "{\"key\":"
        appendString(entry.key, to: &out)
        return out
    }

    /// `,"ttl":…,"tags":[…]}` — the line after its value.
    private static func tail(_ entry: Entry, includeSize: Bool) -> String {
        var out = ",\"ttl\":"
        out += entry.expiry.seconds.map { String($0) } ?? "null"
        if let tags = entry.tags {
            out += ",\"tags\":["
            for (index, tag) in tags.enumerated() {
                if index > 0 { out += "," }
                appendString(tag, to: &out)
            }
            out += "]"
        }
        if includeSize { out += ",\"size\":\(entry.value.count)" }
        out += "}"
        return out
    }

    /// One compact JSON object for a migrate record: the entry format for a string, or the
    /// type with its elements (`members`, `items`, `fields`) or its `dump_base64`.
    public static func line(_ record: MigrationRecord) -> String? {
        if let entry = record.entry { return line(entry) }
        var out = "{\"key\":"
        appendString(record.key, to: &out)
        out += ",\"type\":"
        appendString(record.type, to: &out)
        if let collection = record.collection, collection.isText {
            let texts = collection.elements.map { String(decoding: $0, as: UTF8.self) }
            switch collection.type {
            case "hash":
                out += ",\"fields\":{"
                for index in stride(from: 0, to: texts.count - 1, by: 2) {
                    if index > 0 { out += "," }
                    appendString(texts[index], to: &out)
                    out += ":"
                    appendString(texts[index + 1], to: &out)
                }
                out += "}"
            case "zset":
                out += ",\"members\":["
                for index in stride(from: 0, to: texts.count - 1, by: 2) {
                    if index > 0 { out += "," }
                    out += "["
                    appendString(texts[index], to: &out)
                    out += ","
                    // Redis's score text is a JSON number except for inf/-inf, kept as strings.
                    let score = texts[index + 1]
                    if score.allSatisfy({ "0123456789.-+eE".contains($0) }), !score.hasPrefix("+"), !score.hasPrefix(".") {
                        out += score
                    } else {
                        appendString(score, to: &out)
                    }
                    out += "]"
                }
                out += "]"
            default:
                out += collection.type == "list" ? ",\"items\":[" : ",\"members\":["
                for (index, text) in texts.enumerated() {
                    if index > 0 { out += "," }
                    appendString(text, to: &out)
                }
                out += "]"
            }
        } else if let dump = record.serialized {
            out += ",\"dump_base64\":\"" + Data(dump).base64EncodedString() + "\""
        } else {
            return nil
        }
        out += ",\"ttl\":"
        out += record.expiry.seconds.map { String($0) } ?? "null"
        if let tags = record.tags {
            out += ",\"tags\":["
            for (index, tag) in tags.enumerated() {
                if index > 0 { out += "," }
                appendString(tag, to: &out)
            }
            out += "]"
        }
        out += "}"
        return out
    }

    /// Appends `text` as a JSON string literal, escaping what JSON requires.
    public static func appendString(_ text: String, to out: inout String) {
        out.append("\"")
        var plainStart = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case _ where scalar.value < 0x20:
                escape = "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: escape = nil
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out.append("\"")
    }
}
