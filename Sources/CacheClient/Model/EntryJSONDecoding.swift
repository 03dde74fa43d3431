import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Why one line of the entry format could not be read; the caller adds `FILE:LINE:`.
public struct EntryFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `"ttl" must be a positive number of seconds or null`.
    public var reason: String

    /// Creates an error with a reason.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

extension EntryJSON {
    /// The fields of the entry format and of migrate's other Redis types (plus `size`, which
    /// `get --format jsonl` adds).
    public static let fieldNames = ["key", "value", "value_base64", "ttl", "tags", "type", "members", "items", "fields",
                                    "dump_base64", "size"]

    /// Reads one line of the entry format into an entry.
    ///
    /// A string `value` becomes its UTF-8 bytes; any other JSON value becomes its compact JSON
    /// text (whitespace outside strings removed, key order kept); `value_base64` carries bytes
    /// that are not UTF-8. A missing `ttl` means `defaultExpiry`, `null` means no expiry.
    /// Unknown fields are ignored, so `get --format jsonl` output reads back as a manifest; one
    /// that is a near miss of a known field (`"tll"`) is refused, naming the field it resembles.
    public static func decode(line: [UInt8], defaultExpiry: Expiry) throws(EntryFormatError) -> Entry {
        try line.withUnsafeBufferPointer { (buffer) throws(EntryFormatError) -> Entry in try decode(line: buffer, defaultExpiry: defaultExpiry) }
    }

    /// `decode(line:defaultExpiry:)` of bytes read in place (a line reader's buffer).
    static func decode(line: UnsafeBufferPointer<UInt8>, defaultExpiry: Expiry) throws(EntryFormatError) -> Entry {
        let record = try decodeRecord(line: line, defaultExpiry: defaultExpiry)
        guard let entry = record.entry else {
            throw EntryFormatError("\"\(record.key)\" is a \(record.type), not a string entry (migrate copies it to Redis; warmup writes strings)")
        }
        return entry
    }

    /// Reads one line of the entry format, including the other Redis types migrate carries:
    /// `"type": "set"` with `"members": [...]`, `"list"` with `"items"`, `"hash"` with
    /// `"fields": {...}`, `"zset"` with `"members": [[member, score], ...]`, and any type with
    /// `"dump_base64"` (a Redis DUMP payload, for streams and elements that are not UTF-8).
    public static func decodeRecord(line: [UInt8], defaultExpiry: Expiry) throws(EntryFormatError) -> MigrationRecord {
        try line.withUnsafeBufferPointer { (buffer) throws(EntryFormatError) -> MigrationRecord in
            try decodeRecord(line: buffer, defaultExpiry: defaultExpiry)
        }
    }

    /// `decodeRecord(line:defaultExpiry:)` of bytes read in place (a line reader's buffer).
    static func decodeRecord(line: UnsafeBufferPointer<UInt8>, defaultExpiry: Expiry) throws(EntryFormatError) -> MigrationRecord {
        // Most manifests are ASCII: checking that (8 bytes at a time) is much cheaper than building a String to validate.
        guard isASCII(line) || String(validating: line, as: UTF8.self) != nil else {
            throw EntryFormatError("not valid UTF-8")
        }
        var scanner = JSONScanner(bytes: line)
        return try scanner.record(defaultExpiry: defaultExpiry)
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Reads one line of the entry format given as text.
    public static func decode(line: String, defaultExpiry: Expiry) throws(EntryFormatError) -> Entry {
        try decode(line: Array(line.utf8), defaultExpiry: defaultExpiry)
    }
}

/// The fields of the entry format that mean something (`EntryJSON.fieldNames` but `size`).
private enum EntryField: String {
    case key, value, ttl, tags, type, members, items, fields
    case valueBase64 = "value_base64", dumpBase64 = "dump_base64"

    /// The field whose name is exactly these bytes (no escapes), without building a String.
    init?(_ name: UnsafeBufferPointer<UInt8>) {
        func matches(_ candidate: StaticString) -> Bool {
            memcmp(name.baseAddress!, candidate.utf8Start, name.count) == 0
        }
        switch name.count {
        case 3: self.init(matches("key") ? .key : matches("ttl") ? .ttl : nil)
        case 4: self.init(matches("tags") ? .tags : matches("type") ? .type : nil)
        case 5: self.init(matches("value") ? .value : matches("items") ? .items : nil)
        case 6: self.init(matches("fields") ? .fields : nil)
        case 7: self.init(matches("members") ? .members : nil)
        case 11: self.init(matches("dump_base64") ? .dumpBase64 : nil)
        case 12: self.init(matches("value_base64") ? .valueBase64 : nil)
        default: return nil
        }
    }

    private init?(_ field: EntryField?) {
        guard let field else { return nil }
        self = field
    }
}

/// A small JSON reader for one entry object: fast, and precise about what is wrong.
private struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func record(defaultExpiry: Expiry) throws(EntryFormatError) -> MigrationRecord {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw EntryFormatError("expected a JSON object such as {\"key\": \"k\", \"value\": \"v\"}") }
        index += 1
        var key: String?
        var value: [UInt8]?
        var base64: [UInt8]?
        var expiry: Expiry?
        var tags: [String]?
        var type: String?
        var elements: [[UInt8]]?
        var pairs = false
        var dump: [UInt8]?
        var valueIsJSON = false
        var seen: UInt16 = 0  // bits of the known fields read so far
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1 } else {
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw EntryFormatError("expected a field name in quotes at column \(index + 1)") }
                // A known field is recognised from its bytes: no String is built for it.
                let (nameStart, nameEnd, nameEscaped) = try stringBounds()
                let nameBytes = UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd])
                let known = nameEscaped ? nil : EntryField(nameBytes)
                var field: String {
                    if let known { return known.rawValue }
                    guard nameEscaped else { return String(decoding: nameBytes, as: UTF8.self) }
                    var out: [UInt8] = []
                    try? unescape(nameBytes, into: &out)
                    return String(decoding: out, as: UTF8.self)
                }
                let bit: UInt16 = switch known ?? EntryField(rawValue: field) {
                case .key: 1
                case .value: 2
                case .valueBase64: 4
                case .ttl: 8
                case .tags: 16
                case .type: 32
                case .members, .items, .fields: 64
                case .dumpBase64: 128
                case nil: 0
                }
                guard seen & bit == 0 else { throw EntryFormatError("field \(field.displayQuoted) appears twice") }
                seen |= bit
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw EntryFormatError("expected ':' after \(field.displayQuoted) at column \(index + 1)") }
                index += 1
                skipWhitespace()
                switch known ?? EntryField(rawValue: field) {
                case .key:
                    guard peek() == UInt8(ascii: "\"") else { throw EntryFormatError("\"key\" must be a string") }
                    let text = try string()
                    guard !text.isEmpty else { throw EntryFormatError("\"key\" is empty") }
                    key = text
                case .value:
                    if peek() == UInt8(ascii: "\"") {
                        value = try stringBytes()
                    } else {
                        var compact: [UInt8] = []
                        try skipValue(into: &compact)
                        value = compact
                        valueIsJSON = true
                    }
                case .valueBase64:
                    guard peek() == UInt8(ascii: "\"") else { throw EntryFormatError("\"value_base64\" must be a string") }
                    guard let data = Data(base64Encoded: try string()) else {
                        throw EntryFormatError("\"value_base64\" is not valid base64")
                    }
                    base64 = Array(data)
                case .ttl:
                    expiry = try ttl()
                case .tags:
                    tags = try tagList()
                case .type:
                    guard peek() == UInt8(ascii: "\""), let name = Optional(try string()), !name.isEmpty else {
                        throw EntryFormatError("\"type\" must be a Redis type name such as \"set\"")
                    }
                    type = name
                case .members, .items:
                    (elements, pairs) = try elementList(field)
                case .fields:
                    elements = try fieldObject()
                    pairs = true
                case .dumpBase64:
                    guard peek() == UInt8(ascii: "\""), let data = Data(base64Encoded: try string()) else {
                        throw EntryFormatError("\"dump_base64\" must be base64 text")
                    }
                    dump = Array(data)
                case nil:
                    // Other fields are ignored (`size` from `get --format jsonl`), but a near miss of a
                    // known one is a typo whose value would silently not apply.
                    if let meant = NameSuggestion.closest(to: field, among: EntryJSON.fieldNames) {
                        throw EntryFormatError("unknown field \(field.displayQuoted) (did you mean \"\(meant)\"?)")
                    }
                    var ignored: [UInt8] = []
                    try skipValue(into: &ignored)
                }
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard peek() == UInt8(ascii: "}") else { throw EntryFormatError("expected ',' or '}' at column \(index + 1)") }
                index += 1
                break
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw EntryFormatError("unexpected text after the object at column \(index + 1)") }
        guard let key else { throw EntryFormatError("missing \"key\"") }
        let kind = type ?? "string"
        if kind != "string" {
            guard value == nil, base64 == nil else { throw EntryFormatError("a \(kind) has no \"value\"; give its elements or \"dump_base64\"") }
            let expected: (field: String, pairs: Bool)? = switch kind {
            case "set": ("members", false)
            case "list": ("items", false)
            case "hash": ("fields", true)
            case "zset": ("members", true)
            default: nil
            }
            if let dump {
                guard elements == nil else { throw EntryFormatError("give the elements or \"dump_base64\", not both") }
                return MigrationRecord(key: key, type: kind, value: nil, serialized: dump, expiry: expiry ?? defaultExpiry, tags: tags)
            }
            guard let expected else { throw EntryFormatError("a \(kind) travels as \"dump_base64\"") }
            guard let elements, pairs == expected.pairs, !elements.isEmpty else {
                throw EntryFormatError("a \(kind) needs \"\(expected.field)\"" + (kind == "zset" ? " as [[member, score], ...]" : "") + ", not empty")
            }
            return MigrationRecord(key: key, type: kind, value: nil, collection: RedisCollection(type: kind, elements: elements),
                                   expiry: expiry ?? defaultExpiry, tags: tags)
        }
        guard elements == nil, dump == nil else { throw EntryFormatError("a string entry has a \"value\", not elements") }
        if value != nil, base64 != nil { throw EntryFormatError("give \"value\" or \"value_base64\", not both") }
        guard let bytes = value ?? base64 else { throw EntryFormatError("missing \"value\" (or \"value_base64\") for key \(key.displayQuoted)") }
        var record = MigrationRecord(key: key, value: bytes, expiry: expiry ?? defaultExpiry, tags: tags)
        record.valueIsJSON = valueIsJSON && value != nil
        return record
    }

    /// `["a", "b"]`, or `[["member", 1.5], ...]` (pairs, flattened; a score may also be a string
    /// such as "inf").
    private mutating func elementList(_ field: String) throws(EntryFormatError) -> ([[UInt8]], Bool) {
        let problem = EntryFormatError("\"\(field)\" must be an array of strings, or of [member, score] pairs")
        guard peek() == UInt8(ascii: "[") else { throw problem }
        index += 1
        var elements: [[UInt8]] = []
        var pairs: Bool?
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return (elements, false)
        }
        while true {
            skipWhitespace()
            if peek() == UInt8(ascii: "\"") {
                guard pairs != true else { throw problem }
                pairs = false
                elements.append(try stringBytes())
            } else if peek() == UInt8(ascii: "[") {
                guard pairs != false else { throw problem }
                pairs = true
                index += 1
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw problem }
                elements.append(try stringBytes())
                skipWhitespace()
                guard peek() == UInt8(ascii: ",") else { throw problem }
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "\"") {
                    let score = try string()
                    guard ["inf", "+inf", "-inf"].contains(score.lowercased()) || Double(score) != nil else { throw problem }
                    elements.append(Array(score.utf8))
                } else {
                    var score: [UInt8] = []
                    try number(into: &score)
                    elements.append(score)
                }
                skipWhitespace()
                guard peek() == UInt8(ascii: "]") else { throw problem }
                index += 1
            } else {
                throw problem
            }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "]") else { throw problem }
            index += 1
            return (elements, pairs ?? false)
        }
    }

    /// `{"field": "value", ...}`, flattened into field, value, field, value.
    private mutating func fieldObject() throws(EntryFormatError) -> [[UInt8]] {
        let problem = EntryFormatError("\"fields\" must be an object of string values")
        guard peek() == UInt8(ascii: "{") else { throw problem }
        index += 1
        var elements: [[UInt8]] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw problem }
            elements.append(try stringBytes())
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw problem }
            index += 1
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw problem }
            elements.append(try stringBytes())
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "}") else { throw problem }
            index += 1
            return elements
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
    }

    private mutating func ttl() throws(EntryFormatError) -> Expiry {
        let problem = EntryFormatError("\"ttl\" must be a positive number of seconds (at most 100 years), a duration such as \"5m\", or null")
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return .never
        }
        if peek() == UInt8(ascii: "\"") {
            guard let expiry = Expiry(parsing: try string()) else { throw problem }
            return expiry
        }
        // The common case, a plain integer of seconds, without building a String.
        var whole: Int64 = 0
        var end = index
        while end < bytes.count, end - index < 15, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") {
            whole = whole * 10 + Int64(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        let maximumSeconds = Duration.maximumMilliseconds / 1000
        if end > index, end < bytes.count, bytes[end] == UInt8(ascii: ",") || bytes[end] == UInt8(ascii: "}")
            || bytes[end] == UInt8(ascii: " "), bytes[index] != UInt8(ascii: "0") {
            guard whole <= maximumSeconds else { throw problem }
            index = end
            return .seconds(whole)
        }
        var text: [UInt8] = []
        try number(into: &text)
        let string = String(decoding: text, as: UTF8.self)
        if let whole = Int64(string) {
            guard whole > 0, whole <= maximumSeconds else { throw problem }
            return .seconds(whole)
        }
        // Checked as a Double before any conversion: 1e300 must not reach Int64(_:).
        guard let seconds = Double(string), seconds > 0, seconds <= Double(maximumSeconds) else { throw problem }
        return .milliseconds(max(1, Int64((seconds * 1000).rounded(.up))))
    }

    private mutating func tagList() throws(EntryFormatError) -> [String] {
        let problem = EntryFormatError("\"tags\" must be an array of non-empty strings")
        guard peek() == UInt8(ascii: "[") else { throw problem }
        index += 1
        var tags: [String] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return tags
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw problem }
            let tag = try string()
            guard !tag.isEmpty else { throw problem }
            tags.append(tag)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard peek() == UInt8(ascii: "]") else { throw problem }
            index += 1
            return tags
        }
    }

    /// Reads a string literal, decoding escapes.
    private mutating func string() throws(EntryFormatError) -> String {
        let (start, end, hasEscape) = try stringBounds()
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard hasEscape else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        try unescape(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a string literal as its UTF-8 bytes, decoding escapes, without building a String.
    private mutating func stringBytes() throws(EntryFormatError) -> [UInt8] {
        let (start, end, hasEscape) = try stringBounds()
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard hasEscape else { return Array(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        try unescape(raw, into: &out)
        return out
    }

    /// Moves past a string literal; returns where its contents start and end and whether it has escapes.
    private mutating func stringBounds() throws(EntryFormatError) -> (Int, Int, Bool) {
        index += 1  // opening quote
        let start = index
        var hasEscape = false
        while index < bytes.count {
            // Eight bytes at a time while none is a quote, a backslash or a control character
            // (each test is exact: a byte's high bit in `(x - 0x01…) & ~x` is set only where
            // some byte of x is zero, and in `(w - 0x20…) & ~w` only where some byte is < 0x20).
            let base = UnsafeRawPointer(bytes.baseAddress!)
            while index + 8 <= bytes.count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = word ^ 0x2222_2222_2222_2222, backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                let ones: UInt64 = 0x0101_0101_0101_0101
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | ((word &- 0x2020_2020_2020_2020) & ~word)
                let found = special & 0x8080_8080_8080_8080
                if found != 0 {
                    // The lowest flagged byte is the first special one (a false flag can only
                    // follow a true one, through the borrow): go straight to it.
                    index += found.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start, index - 1, hasEscape)
            }
            if byte == UInt8(ascii: "\\") {
                hasEscape = true
                index += 2
                continue
            }
            if byte < 0x20 { throw EntryFormatError("control character inside a string at column \(index + 1)") }
            index += 1
        }
        throw EntryFormatError("unterminated string")
    }

    /// Decodes the escapes of a string literal's contents, appending UTF-8 bytes.
    private func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws(EntryFormatError) {
        func hex4(_ at: Int) throws(EntryFormatError) -> UInt32 {
            guard at + 4 <= raw.count else { throw EntryFormatError("invalid \\u escape in a string") }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[at + offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw EntryFormatError("invalid \\u escape in a string")
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        var i = 0
        var plain = 0
        while i < raw.count {
            // The next backslash; what comes before it is copied as it is.
            guard let hit = memchr(raw.baseAddress! + i, 0x5C, raw.count - i) else { break }
            i = UnsafeRawPointer(hit) - UnsafeRawPointer(raw.baseAddress!)
            if plain < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[plain..<i])) }
            guard i + 1 < raw.count else { throw EntryFormatError("invalid escape at the end of a string") }
            let code = raw[i + 1]
            i += 2
            switch code {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var value = try hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(value) {
                    guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") else {
                        throw EntryFormatError("unpaired surrogate in a \\u escape")
                    }
                    let low = try hex4(i + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw EntryFormatError("unpaired surrogate in a \\u escape") }
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                guard let scalar = Unicode.Scalar(value) else { throw EntryFormatError("invalid \\u escape in a string") }
                out.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw EntryFormatError("invalid escape \\\(Character(Unicode.Scalar(code))) in a string")
            }
            plain = i
        }
        if plain < raw.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[plain..<raw.count])) }
    }

    private mutating func literal(_ word: StaticString) throws(EntryFormatError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
              memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0 else {
            throw EntryFormatError("invalid JSON value at column \(index + 1)")
        }
        index += count
    }

    /// Reads a number exactly as RFC 8259 spells one:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; `01`, `1.e5`, `.5`, `+1` are refused.
    private mutating func number(into out: inout [UInt8]) throws(EntryFormatError) {
        let start = index
        let invalid = EntryFormatError("invalid JSON value at column \(start + 1)")
        func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9") }
        func digits() -> Bool {
            let first = index
            while isDigit(index) { index += 1 }
            return index > first
        }
        if peek() == UInt8(ascii: "-") { index += 1 }
        if peek() == UInt8(ascii: "0") {
            index += 1
        } else if !digits() {
            throw invalid
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() else { throw invalid }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() else { throw invalid }
        }
        // A number ends where the JSON around it continues: `01` or `1.5.5` are not two values.
        if let next = peek(), next != UInt8(ascii: ","), next != UInt8(ascii: "}"), next != UInt8(ascii: "]"),
           next != 0x20, next != 0x09, next != 0x0A, next != 0x0D {
            throw invalid
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
    }

    /// Validates one JSON value and appends its compact text.
    private mutating func skipValue(into out: inout [UInt8], depth: Int = 0) throws(EntryFormatError) {
        guard depth < 512 else { throw EntryFormatError("JSON nested too deeply") }
        skipWhitespace()
        guard let byte = peek() else { throw EntryFormatError("missing value at the end of the line") }
        switch byte {
        case UInt8(ascii: "\""):
            let start = index
            _ = try string()
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            out.append(byte)
            index += 1
            skipWhitespace()
            if peek() == close {
                out.append(close)
                index += 1
                return
            }
            while true {
                skipWhitespace()
                if byte == UInt8(ascii: "{") {
                    guard peek() == UInt8(ascii: "\"") else { throw EntryFormatError("expected a field name in quotes at column \(index + 1)") }
                    let start = index
                    _ = try string()
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw EntryFormatError("expected ':' at column \(index + 1)") }
                    out.append(UInt8(ascii: ":"))
                    index += 1
                }
                try skipValue(into: &out, depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    out.append(UInt8(ascii: ","))
                    index += 1
                    continue
                }
                guard peek() == close else { throw EntryFormatError("expected ',' or '\(Character(Unicode.Scalar(close)))' at column \(index + 1)") }
                out.append(close)
                index += 1
                return
            }
        case UInt8(ascii: "t"):
            try literal("true")
            out.append(contentsOf: "true".utf8)
        case UInt8(ascii: "f"):
            try literal("false")
            out.append(contentsOf: "false".utf8)
        case UInt8(ascii: "n"):
            try literal("null")
            out.append(contentsOf: "null".utf8)
        default:
            try number(into: &out)
        }
    }
}
