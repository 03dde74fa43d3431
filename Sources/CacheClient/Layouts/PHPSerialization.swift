/// PHP's `serialize()` format: read without constructing objects, written for JSON-like values.
///
/// Objects (`O:`, `C:`) and enum cases (`E:`) are read as `.opaque(class)`, their contents
/// parsed only to be skipped; references (`r:`, `R:`) are resolved to copies of the value they
/// name, counted against the size limit.
public enum PHPSerialization {
    /// Decodes one serialized PHP value; throws a full sentence on anything malformed or trailing.
    public static func decode(_ bytes: [UInt8], limits: DecodingLimits = .standard) throws(ValueDecodingError) -> CacheValue {
        var parser = PHPParser(bytes: bytes, limits: limits)
        let value = try parser.value(depth: limits.maximumDepth)
        guard parser.reader.atEnd else { throw parser.reader.failure("trailing bytes after the value") }
        return value
    }

    /// Whether `bytes` starts like a PHP serialized value (`X:` or `N;`), the test Symfony's
    /// marshaller uses to tell `serialize()` output from igbinary.
    public static func looksSerialized(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && (bytes[1] == UInt8(ascii: ":") || bytes == Array("N;".utf8))
    }

    /// Encodes a JSON-like value as `serialize()` writes it: lists and maps as arrays, strings and
    /// bytes as strings; an opaque value cannot be written and throws `.badInput`.
    public static func encode(_ value: CacheValue) throws -> [UInt8] {
        var out: [UInt8] = []
        try encode(value, into: &out, depth: 0)
        return out
    }

    static func encode(_ value: CacheValue, into out: inout [UInt8], depth: Int) throws {
        guard depth < 1000 else { throw CacheError(.badInput, "Cannot serialize the value: nested more than 1000 levels") }
        switch value {
        case .null: out += Array("N;".utf8)
        case .bool(let flag): out += Array((flag ? "b:1;" : "b:0;").utf8)
        case .int(let number): appendToken(UInt8(ascii: "i"), number, UInt8(ascii: ";"), to: &out)
        case .bigInt(let digits):
            // PHP integers are 64-bit: a larger one is a float there, as json_decode makes it.
            guard let number = Double(digits) else { throw CacheError(.badInput, "Cannot serialize the integer \(digits.prefix(40))") }
            out += Array("d:\(phpFloat(number));".utf8)
        case .double(let number): out += Array("d:\(phpFloat(number));".utf8)
        case .string(let text): appendString(Array(text.utf8), to: &out)
        case .bytes(let bytes): appendString(bytes, to: &out)
        case .list(let items):
            appendToken(UInt8(ascii: "a"), Int64(items.count), UInt8(ascii: ":"), to: &out)
            out.append(UInt8(ascii: "{"))
            for (index, item) in items.enumerated() {
                appendToken(UInt8(ascii: "i"), Int64(index), UInt8(ascii: ";"), to: &out)
                try encode(item, into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "}"))
        case .map(let items):
            appendToken(UInt8(ascii: "a"), Int64(items.count), UInt8(ascii: ":"), to: &out)
            out.append(UInt8(ascii: "{"))
            for item in items {
                switch item.key {
                case .int(let number): appendToken(UInt8(ascii: "i"), number, UInt8(ascii: ";"), to: &out)
                case .string(let text): appendString(Array(text.utf8), to: &out)
                case .bytes(let bytes): appendString(bytes, to: &out)
                default: throw CacheError(.badInput, "Cannot serialize a PHP array key that is not a string or an integer")
                }
                try encode(item.value, into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "}"))
        case .opaque(let name):
            throw CacheError(.badInput, "Cannot serialize an opaque \(name) value: only JSON-like values can be written")
        }
    }

    static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendToken(UInt8(ascii: "s"), Int64(bytes.count), UInt8(ascii: ":"), to: &out)
        out.append(UInt8(ascii: "\""))
        out += bytes
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ";"))
    }

    /// `T:NUMBER` and a terminator, written digit by digit (warmup encodes millions of these).
    static func appendToken(_ type: UInt8, _ number: Int64, _ terminator: UInt8, to out: inout [UInt8]) {
        out.append(type)
        out.append(UInt8(ascii: ":"))
        appendDecimal(number, to: &out)
        out.append(terminator)
    }

    /// A float as PHP writes it with `serialize_precision = -1`: the shortest digits that read
    /// back exactly, in exponent form (`1.0E+25`) when the decimal exponent is below -4 or above 16.
    public static func phpFloat(_ number: Double) -> String {
        if number.isNaN { return "NAN" }
        if number.isInfinite { return number < 0 ? "-INF" : "INF" }
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        // Swift's shortest form without an exponent is PHP's, but for a whole number's ".0".
        let plain = number.description
        if !plain.utf8.contains(UInt8(ascii: "e")) { return plain.hasSuffix(".0") ? String(plain.dropLast(2)) : plain }
        // Swift's description is the shortest round-trip form too: take its digits and exponent.
        let (negative, digits, pointPosition) = shortestDigits(number)
        var text = negative ? "-" : ""
        if pointPosition < -3 || pointPosition > 17 {
            text += String(digits.first!)
            text += "." + (digits.count > 1 ? String(digits.dropFirst()) : "0")
            let exponent = pointPosition - 1
            text += "E" + (exponent < 0 ? "-" : "+") + String(abs(exponent))
        } else if pointPosition <= 0 {
            text += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            text += digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            text += digits[..<split] + "." + digits[split...]
        }
        return text
    }

    /// The significant digits of `number` (no leading or trailing zeros) and where the decimal
    /// point goes: value = 0.DIGITS × 10^pointPosition.
    static func shortestDigits(_ number: Double) -> (Bool, String, Int) {
        var text = "\(abs(number))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fraction
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (number < 0, digits.isEmpty ? "0" : digits, point)
    }

    /// PHP's `is_numeric()` for a string (PHP 8): optional surrounding whitespace, a sign,
    /// decimal digits with an optional fraction and exponent. Laravel stores such values raw.
    public static func isNumeric(_ bytes: some Collection<UInt8>) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C]
        var index = bytes.startIndex
        func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }
        while let byte = peek(), whitespace.contains(byte) { index = bytes.index(after: index) }
        if let byte = peek(), byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { index = bytes.index(after: index) }
        var digits = 0
        while let byte = peek(), (0x30...0x39).contains(byte) { digits += 1; index = bytes.index(after: index) }
        if peek() == UInt8(ascii: ".") {
            index = bytes.index(after: index)
            while let byte = peek(), (0x30...0x39).contains(byte) { digits += 1; index = bytes.index(after: index) }
        }
        guard digits > 0 else { return false }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            var look = bytes.index(after: index)
            if look < bytes.endIndex, bytes[look] == UInt8(ascii: "+") || bytes[look] == UInt8(ascii: "-") { look = bytes.index(after: look) }
            var exponentDigits = 0
            while look < bytes.endIndex, (0x30...0x39).contains(bytes[look]) { exponentDigits += 1; look = bytes.index(after: look) }
            if exponentDigits > 0 { index = look }
        }
        while let byte = peek(), whitespace.contains(byte) { index = bytes.index(after: index) }
        return index == bytes.endIndex
    }
}

/// A recursive-descent reader of `serialize()` output with bounded depth and size.
private struct PHPParser {
    var reader: ByteReader
    var budget: Int
    /// Values in the order PHP numbers them for `r:`/`R:` (1-based), with their sizes.
    var numbered: [(CacheValue, Int)] = []

    init(bytes: [UInt8], limits: DecodingLimits) {
        reader = ByteReader(bytes, format: "PHP serialize")
        budget = limits.maximumValues
    }

    mutating func spend(_ count: Int) throws(ValueDecodingError) {
        budget -= count
        guard budget >= 0 else { throw ValueDecodingError("PHP serialize: the value is too large (more than the limit of values)") }
    }

    mutating func expect(_ byte: UInt8) throws(ValueDecodingError) {
        guard try reader.byte() == byte else {
            reader.offset -= 1
            throw reader.failure("expected '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    /// Decimal digits up to `terminator` (consumed).
    mutating func integer(until terminator: UInt8) throws(ValueDecodingError) -> Int64 {
        let start = reader.offset
        let field = try reader.until(terminator)
        guard field.count <= 20, let text = String(validating: field, as: UTF8.self), let number = Int64(text) else {
            reader.offset = start
            throw reader.failure("expected an integer")
        }
        return number
    }

    mutating func count(until terminator: UInt8, maximum: Int) throws(ValueDecodingError) -> Int {
        let start = reader.offset
        let number = try integer(until: terminator)
        guard number >= 0, number <= Int64(maximum) else {
            reader.offset = start
            throw reader.failure("count \(number) is out of range")
        }
        return Int(number)
    }

    /// `LEN:"bytes"` as used by s:, O: and C:.
    mutating func quoted() throws(ValueDecodingError) -> ArraySlice<UInt8> {
        let length = try count(until: UInt8(ascii: ":"), maximum: reader.remaining)
        try expect(UInt8(ascii: "\""))
        let bytes = try reader.take(length)
        try expect(UInt8(ascii: "\""))
        return bytes
    }

    mutating func value(depth: Int) throws(ValueDecodingError) -> CacheValue {
        let slot = numbered.count
        numbered.append((.opaque("recursive reference"), 1))
        let before = budget
        let result = try unnumberedValue(depth: depth, slot: slot)
        if slot < numbered.count { numbered[slot] = (result, max(1, before - budget)) }
        return result
    }

    mutating func unnumberedValue(depth: Int, slot: Int) throws(ValueDecodingError) -> CacheValue {
        try spend(1)
        let typeOffset = reader.offset
        let type = try reader.byte()
        if type == UInt8(ascii: "N") {
            try expect(UInt8(ascii: ";"))
            return .null
        }
        try expect(UInt8(ascii: ":"))
        switch type {
        case UInt8(ascii: "b"):
            let flag = try reader.byte()
            guard flag == UInt8(ascii: "0") || flag == UInt8(ascii: "1") else { throw reader.failure("boolean must be 0 or 1") }
            try expect(UInt8(ascii: ";"))
            return .bool(flag == UInt8(ascii: "1"))
        case UInt8(ascii: "i"):
            return .int(try integer(until: UInt8(ascii: ";")))
        case UInt8(ascii: "d"):
            let start = reader.offset
            let field = try reader.until(UInt8(ascii: ";"))
            let text = String(decoding: field, as: UTF8.self)
            switch text {
            case "INF": return .double(.infinity)
            case "-INF": return .double(-.infinity)
            case "NAN": return .double(.nan)
            default:
                guard field.count <= 400, field.allSatisfy({ $0 < 0x80 }), let number = Double(text) else {
                    reader.offset = start
                    throw reader.failure("expected a float")
                }
                return .double(number)
            }
        case UInt8(ascii: "s"):
            let bytes = try quoted()
            try expect(UInt8(ascii: ";"))
            return .text(bytes)
        case UInt8(ascii: "a"):
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            let count = try count(until: UInt8(ascii: ":"), maximum: reader.remaining / 4)
            try expect(UInt8(ascii: "{"))
            var items: [CacheValue.MapItem] = []
            items.reserveCapacity(count)
            var sequential = true
            for index in 0..<count {
                let key = try arrayKey()
                if sequential, key != .int(Int64(index)) { sequential = false }
                items.append(CacheValue.MapItem(key, try value(depth: depth - 1)))
            }
            try expect(UInt8(ascii: "}"))
            return sequential ? .list(items.map(\.value)) : .map(items)
        case UInt8(ascii: "O"):
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            let name = String(decoding: try quoted(), as: UTF8.self)
            try expect(UInt8(ascii: ":"))
            let count = try count(until: UInt8(ascii: ":"), maximum: reader.remaining / 4)
            try expect(UInt8(ascii: "{"))
            for _ in 0..<count {
                _ = try arrayKey()
                _ = try value(depth: depth - 1)
            }
            try expect(UInt8(ascii: "}"))
            return .opaque(name)
        case UInt8(ascii: "C"):
            let name = String(decoding: try quoted(), as: UTF8.self)
            try expect(UInt8(ascii: ":"))
            let length = try count(until: UInt8(ascii: ":"), maximum: reader.remaining)
            try expect(UInt8(ascii: "{"))
            _ = try reader.take(length)
            try expect(UInt8(ascii: "}"))
            return .opaque(name)
        case UInt8(ascii: "E"):
            let name = String(decoding: try quoted(), as: UTF8.self)
            try expect(UInt8(ascii: ";"))
            return .opaque(name)
        case UInt8(ascii: "r"), UInt8(ascii: "R"):
            let start = reader.offset
            let index = try integer(until: UInt8(ascii: ";"))
            // Index 0 is never valid; the value's own slot (just taken) is not yet filled.
            guard index >= 1, index < Int64(slot + 1), Int(index) - 1 < numbered.count else {
                reader.offset = start
                throw reader.failure("reference \(index) names no earlier value")
            }
            let (target, size) = numbered[Int(index) - 1]
            try spend(size)
            if type == UInt8(ascii: "R") { numbered.removeLast() }  // R: does not take a number of its own
            return target
        default:
            reader.offset = typeOffset
            throw reader.failure("unknown type '\(Character(Unicode.Scalar(type)))'")
        }
    }

    /// An array key: `i:N;` or `s:LEN:"…";`; keys are not numbered for references.
    mutating func arrayKey() throws(ValueDecodingError) -> CacheValue {
        let type = try reader.byte()
        try expect(UInt8(ascii: ":"))
        switch type {
        case UInt8(ascii: "i"): return .int(try integer(until: UInt8(ascii: ";")))
        case UInt8(ascii: "s"):
            let bytes = try quoted()
            try expect(UInt8(ascii: ";"))
            return .text(bytes)
        default:
            reader.offset -= 2
            throw reader.failure("array key must be an integer or a string")
        }
    }
}

/// Appends the decimal digits of `number`.
func appendDecimal(_ number: Int64, to out: inout [UInt8]) {
    if number < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = number.magnitude
    if magnitude == 0 {
        out.append(UInt8(ascii: "0"))
        return
    }
    var divisor: UInt64 = 1
    while magnitude / divisor >= 10 { divisor *= 10 }
    while divisor > 0 {
        out.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
        magnitude %= divisor
        divisor /= 10
    }
}
