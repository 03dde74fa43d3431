/// The igbinary format (version 1 and 2), which Symfony's marshaller writes instead of
/// `serialize()` when the PHP extension is loaded: read without constructing objects.
///
/// Objects, `Serializable` payloads and enum cases are read as `.opaque(class)`; the string
/// table and back-references are resolved with the same size limit as everything else.
public enum Igbinary {
    /// Whether `bytes` starts with igbinary's header (`00 00 00 01` or `00 00 00 02`).
    public static func looksLikeIgbinary(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 5 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && (bytes[3] == 1 || bytes[3] == 2)
    }

    /// Decodes one igbinary value; throws a full sentence on anything malformed or trailing.
    public static func decode(_ bytes: [UInt8], limits: DecodingLimits = .standard) throws(ValueDecodingError) -> CacheValue {
        var parser = IgbinaryParser(reader: ByteReader(bytes, format: "igbinary"), budget: limits.maximumValues)
        let version = try parser.reader.bigEndian(4)
        guard version == 1 || version == 2 else { throw ValueDecodingError("igbinary: unknown format version \(version)") }
        let value = try parser.value(depth: limits.maximumDepth)
        guard parser.reader.atEnd else { throw parser.reader.failure("trailing bytes after the value") }
        return value
    }
}

private struct IgbinaryParser {
    var reader: ByteReader
    var budget: Int
    var strings: [[UInt8]] = []
    /// Arrays, objects and referenced values in the order igbinary numbers them, with sizes.
    var references: [(CacheValue, Int)] = []

    mutating func spend(_ count: Int) throws(ValueDecodingError) {
        budget -= count
        guard budget >= 0 else { throw ValueDecodingError("igbinary: the value is too large (more than the limit of values)") }
    }

    mutating func unsigned(_ width: Int) throws(ValueDecodingError) -> UInt64 { try reader.bigEndian(width) }

    mutating func newString(_ width: Int) throws(ValueDecodingError) -> [UInt8] {
        let length = try reader.length(try unsigned(width))
        let bytes = Array(try reader.take(length))
        strings.append(bytes)
        return bytes
    }

    mutating func stringByID(_ width: Int) throws(ValueDecodingError) -> [UInt8] {
        let id = try unsigned(width)
        guard id < UInt64(strings.count) else { throw reader.failure("string id \(id) is not in the table") }
        return strings[Int(id)]
    }

    mutating func reference(_ width: Int) throws(ValueDecodingError) -> CacheValue {
        let index = try unsigned(width)
        guard index < UInt64(references.count) else { throw reader.failure("reference \(index) names no earlier value") }
        let (value, size) = references[Int(index)]
        try spend(size)
        return value
    }

    /// Reserves the next reference number for a compound value and fills it once read.
    mutating func numbered(_ read: (inout IgbinaryParser) throws(ValueDecodingError) -> CacheValue) throws(ValueDecodingError) -> CacheValue {
        let slot = references.count
        references.append((.opaque("recursive reference"), 1))
        let before = budget
        let value = try read(&self)
        references[slot] = (value, max(1, before - budget))
        return value
    }

    mutating func value(depth: Int) throws(ValueDecodingError) -> CacheValue {
        try spend(1)
        let typeOffset = reader.offset
        let type = try reader.byte()
        switch type {
        case 0x00: return .null
        case 0x04: return .bool(false)
        case 0x05: return .bool(true)
        case 0x06: return .int(Int64(try unsigned(1)))
        case 0x07: return .int(-Int64(try unsigned(1)))
        case 0x08: return .int(Int64(try unsigned(2)))
        case 0x09: return .int(-Int64(try unsigned(2)))
        case 0x0A: return .int(Int64(try unsigned(4)))
        case 0x0B: return .int(-Int64(try unsigned(4)))
        case 0x20, 0x21:
            let magnitude = try unsigned(8)
            if type == 0x20 {
                guard magnitude <= UInt64(Int64.max) else { throw reader.failure("integer out of range") }
                return .int(Int64(magnitude))
            }
            guard magnitude <= UInt64(Int64.max) + 1 else { throw reader.failure("integer out of range") }
            return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
        case 0x0C: return .double(Double(bitPattern: try unsigned(8)))
        case 0x0D: return .string("")
        case 0x0E: return .text(try stringByID(1))
        case 0x0F: return .text(try stringByID(2))
        case 0x10: return .text(try stringByID(4))
        case 0x11: return .text(try newString(1))
        case 0x12: return .text(try newString(2))
        case 0x13: return .text(try newString(4))
        case 0x14, 0x15, 0x16:
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            let count = try unsigned(type == 0x14 ? 1 : type == 0x15 ? 2 : 4)
            return try numbered { (parser) throws(ValueDecodingError) -> CacheValue in try parser.array(count: count, depth: depth) }
        case 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C:
            guard depth > 0 else { throw reader.failure("nested too deeply") }
            let width = [1, 2, 4][Int((type - 0x17) % 3)]
            let name = type <= 0x19 ? try newString(width) : try stringByID(width)
            return try numbered { (parser) throws(ValueDecodingError) -> CacheValue in try parser.objectBody(named: name, depth: depth) }
        case 0x01: return try reference(1)
        case 0x02: return try reference(2)
        case 0x03: return try reference(4)
        case 0x22: return try reference(1)
        case 0x23: return try reference(2)
        case 0x24: return try reference(4)
        case 0x25:  // a PHP reference (&$x) wrapping the value that follows
            let wrapped = reader.peek()
            if let wrapped, (0x14...0x1C).contains(wrapped) { return try value(depth: depth) }
            return try numbered { (parser) throws(ValueDecodingError) -> CacheValue in try parser.value(depth: depth) }
        default:
            reader.offset = typeOffset
            throw reader.failure("unknown type 0x\(String(type, radix: 16))")
        }
    }

    mutating func array(count: UInt64, depth: Int) throws(ValueDecodingError) -> CacheValue {
        guard count <= UInt64(reader.remaining) else { throw reader.failure("array of \(count) items exceeds the input") }
        var items: [CacheValue.MapItem] = []
        items.reserveCapacity(Int(count))
        var sequential = true
        for index in 0..<Int(count) {
            let key = try self.key()
            if sequential, key != .int(Int64(index)) { sequential = false }
            items.append(CacheValue.MapItem(key, try value(depth: depth - 1)))
        }
        return sequential ? .list(items.map(\.value)) : .map(items)
    }

    mutating func key() throws(ValueDecodingError) -> CacheValue {
        let type = reader.peek()
        guard let type, [0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x20, 0x21, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x00].contains(type) else {
            throw reader.failure("array key must be an integer or a string")
        }
        return try value(depth: 0)
    }

    mutating func objectBody(named name: [UInt8], depth: Int) throws(ValueDecodingError) -> CacheValue {
        let className = String(decoding: name, as: UTF8.self)
        let type = try reader.byte()
        switch type {
        case 0x14, 0x15, 0x16:  // properties (or __serialize's array): read to skip them
            let count = try unsigned(type == 0x14 ? 1 : type == 0x15 ? 2 : 4)
            _ = try array(count: count, depth: depth)
        case 0x1D, 0x1E, 0x1F:  // Serializable::serialize() payload
            let length = try reader.length(try unsigned(type == 0x1D ? 1 : type == 0x1E ? 2 : 4))
            _ = try reader.take(length)
        case 0x27:  // an enum case: its name follows
            let caseName = try value(depth: 0)
            if case .string(let text) = caseName { return .opaque(className + "::" + text) }
        default:
            reader.offset -= 1
            throw reader.failure("unknown object body type 0x\(String(type, radix: 16))")
        }
        return .opaque(className)
    }
}
