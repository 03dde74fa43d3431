import FoundationEssentials

extension CacheValue {
    /// Compact JSON for a decoded value, as `get --format json` shows it.
    ///
    /// Values JSON has no form for are spelled as one-key objects: `{"$opaque":"App\\User"}`
    /// for an object that was not decoded, `{"$bytes_base64":"…"}` for bytes that are not
    /// UTF-8, `{"$float":"INF"}` for a non-finite float. A map key that is not a string is
    /// written as its JSON text (`1`, `true`).
    public var json: String {
        var out = ""
        appendJSON(to: &out)
        return out
    }

    /// Appends the compact JSON of this value to `out`.
    public func appendJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .bigInt(let digits): out += digits
        case .double(let number):
            if number.isFinite {
                // Whole numbers keep their ".0" so they read back as floats, as Python's json writes them.
                out += "\(number)"
            } else {
                out += "{\"$float\":\"\(number.isNaN ? "NAN" : number < 0 ? "-INF" : "INF")\"}"
            }
        case .string(let text): EntryJSON.appendString(text, to: &out)
        case .bytes(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) {
                EntryJSON.appendString(text, to: &out)
            } else {
                out += "{\"$bytes_base64\":\"" + Data(bytes).base64EncodedString() + "\"}"
            }
        case .list(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.appendJSON(to: &out)
            }
            out += "]"
        case .map(let items):
            out += "{"
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                switch item.key {
                case .string(let text): EntryJSON.appendString(text, to: &out)
                default: EntryJSON.appendString(item.key.json, to: &out)
                }
                out += ":"
                item.value.appendJSON(to: &out)
            }
            out += "}"
        case .opaque(let name):
            out += "{\"$opaque\":"
            EntryJSON.appendString(name, to: &out)
            out += "}"
        }
    }

    /// The value as an operator reads it in a table: strings as they are, everything else as JSON.
    public var displayText: String {
        switch self {
        case .string(let text): return text
        case .opaque(let name): return "<object \(name), not decoded>"
        default: return json
        }
    }

    /// Reads JSON text (a manifest's non-string `value`) into a value tree: integers that fit in
    /// 64 bits become `.int`, larger ones `.bigInt`, numbers with a fraction or exponent `.double`.
    public static func parseJSON(_ bytes: [UInt8], limits: DecodingLimits = .standard) throws(ValueDecodingError) -> CacheValue {
        var parser = JSONValueParser(reader: ByteReader(bytes, format: "JSON"), budget: limits.maximumValues)
        parser.skipWhitespace()
        let value = try parser.value(depth: limits.maximumDepth)
        parser.skipWhitespace()
        guard parser.reader.atEnd else { throw parser.reader.failure("trailing text after the value") }
        return value
    }
}

private struct JSONValueParser {
    var reader: ByteReader
    var budget: Int

    mutating func skipWhitespace() {
        while let byte = reader.peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { reader.offset += 1 }
    }

    mutating func literal(_ word: String, _ value: CacheValue) throws(ValueDecodingError) -> CacheValue {
        for expected in word.utf8 {
            guard try reader.byte() == expected else { throw reader.failure("unexpected text") }
        }
        return value
    }

    mutating func value(depth: Int) throws(ValueDecodingError) -> CacheValue {
        budget -= 1
        guard budget >= 0 else { throw ValueDecodingError("JSON: the value is too large") }
        guard let byte = reader.peek() else { throw reader.failure("expected a value") }
        switch byte {
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "["):
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            reader.offset += 1
            var items: [CacheValue] = []
            skipWhitespace()
            if reader.peek() == UInt8(ascii: "]") { reader.offset += 1; return .list(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth - 1))
                skipWhitespace()
                let next = try reader.byte()
                if next == UInt8(ascii: "]") { return .list(items) }
                guard next == UInt8(ascii: ",") else { reader.offset -= 1; throw reader.failure("expected ',' or ']'") }
            }
        case UInt8(ascii: "{"):
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            reader.offset += 1
            var items: [CacheValue.MapItem] = []
            skipWhitespace()
            if reader.peek() == UInt8(ascii: "}") { reader.offset += 1; return .map(items) }
            while true {
                skipWhitespace()
                guard reader.peek() == UInt8(ascii: "\"") else { throw reader.failure("expected a key in quotes") }
                let key = try string()
                skipWhitespace()
                guard try reader.byte() == UInt8(ascii: ":") else { reader.offset -= 1; throw reader.failure("expected ':'") }
                skipWhitespace()
                items.append(CacheValue.MapItem(.string(key), try value(depth: depth - 1)))
                skipWhitespace()
                let next = try reader.byte()
                if next == UInt8(ascii: "}") { return .map(items) }
                guard next == UInt8(ascii: ",") else { reader.offset -= 1; throw reader.failure("expected ',' or '}'") }
            }
        default: return try number()
        }
    }

    mutating func number() throws(ValueDecodingError) -> CacheValue {
        let start = reader.offset
        var isInteger = true
        if reader.peek() == UInt8(ascii: "-") { reader.offset += 1 }
        while let byte = reader.peek() {
            if (0x30...0x39).contains(byte) { reader.offset += 1; continue }
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                isInteger = false
                reader.offset += 1
                continue
            }
            break
        }
        let text = String(decoding: reader.bytes[start..<reader.offset], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { reader.offset = start; throw reader.failure("expected a value") }
        if isInteger {
            if let number = Int64(text) { return .int(number) }
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 4300 else {
                reader.offset = start
                throw reader.failure("bad number")
            }
            return .bigInt(text)
        }
        // 1e999 reads as infinity, as Python's json and PHP's json_decode read it.
        guard let number = Double(text) else { reader.offset = start; throw reader.failure("bad number \"\(text.prefix(40))\"") }
        return .double(number)
    }

    mutating func string() throws(ValueDecodingError) -> String {
        reader.offset += 1  // opening quote
        var out: [UInt8] = []
        while true {
            let byte = try reader.byte()
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw reader.failure("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                let escape = try reader.byte()
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard try reader.byte() == UInt8(ascii: "\\"), try reader.byte() == UInt8(ascii: "u") else { throw reader.failure("lone surrogate") }
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw reader.failure("lone surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw reader.failure("lone surrogate") }
                    out += Array(String(Character(unicode)).utf8)
                default: throw reader.failure("bad escape")
                }
            case 0..<0x20: throw reader.failure("control character in a string")
            default: out.append(byte)
            }
        }
    }

    mutating func hex4() throws(ValueDecodingError) -> UInt32 {
        let digits = try reader.take(4)
        guard let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16) else { throw reader.failure("bad \\u escape") }
        return value
    }
}

extension CacheValue: Encodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ text: String) { stringValue = text }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes the value as JSON with the same spellings as `json`.
    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .int(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .bigInt(let digits):
            // JSON numbers have no size limit, but decoders do: digits beyond 64 bits travel as text.
            var container = encoder.singleValueContainer()
            try container.encode(digits)
        case .double(let number) where number.isFinite:
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .bytes(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) {
                var container = encoder.singleValueContainer()
                try container.encode(text)
            } else {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(Data(bytes).base64EncodedString(), forKey: Key("$bytes_base64"))
            }
        case .double(let number):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(number.isNaN ? "NAN" : number < 0 ? "-INF" : "INF", forKey: Key("$float"))
        case .list(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .map(let items):
            var container = encoder.container(keyedBy: Key.self)
            for item in items {
                let key: String
                if case .string(let text) = item.key { key = text } else { key = item.key.json }
                try container.encode(item.value, forKey: Key(key))
            }
        case .opaque(let name):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(name, forKey: Key("$opaque"))
        }
    }
}
