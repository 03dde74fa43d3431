/// How a layout turns entry values into the bytes its framework stores, and back.
///
/// | codec | stored bytes |
/// | --- | --- |
/// | `bytes` | the value bytes as given (the seeds' layout) |
/// | `django` | an integer as its digits (Django's `RedisSerializer`), anything else a protocol-5 pickle |
/// | `symfony` | Symfony's tag-aware envelope (`0x9D`, 8 meta bytes, `0x5F`, tag-list length, tags, value) around `serialize()`; igbinary and envelope-less `RedisAdapter` values are read too |
/// | `laravel` | a number (PHP `is_numeric`) as its text, anything else `serialize()` |
public enum ValueCodec: String, Sendable, Equatable {
    /// Bytes as given.
    case bytes
    /// Django's `RedisSerializer`: integers as digits, everything else pickled.
    case django
    /// Symfony's `TagAwareMarshaller` over `DefaultMarshaller`.
    case symfony
    /// Laravel's `RedisStore::serialize`.
    case laravel

    /// A value as read from the store: the decoded tree, and the tags the stored bytes name
    /// (Symfony's envelope carries them; nil where the format does not).
    public struct Decoded: Sendable, Equatable {
        /// The decoded value.
        public var value: CacheValue
        /// Tags stored with the value, when the format stores them.
        public var tags: [String]?
    }

    /// Decodes stored bytes; the `bytes` codec shows them as text (or bytes) unchanged.
    public func decode(_ stored: [UInt8], limits: DecodingLimits = .standard) throws(ValueDecodingError) -> Decoded {
        switch self {
        case .bytes:
            return Decoded(value: .text(stored), tags: nil)
        case .django:
            if let integer = Self.pythonInteger(stored) { return Decoded(value: integer, tags: nil) }
            return Decoded(value: try Pickle.decode(stored, limits: limits), tags: nil)
        case .laravel:
            if PHPSerialization.isNumeric(stored) { return Decoded(value: Self.number(stored), tags: nil) }
            return Decoded(value: try PHPSerialization.decode(stored, limits: limits), tags: nil)
        case .symfony:
            guard let envelope = SymfonyEnvelope(stored) else {
                return Decoded(value: try Self.phpValue(stored[...], limits: limits), tags: nil)
            }
            let value = try Self.phpValue(envelope.value, limits: limits)
            var tags: [String] = []
            if !envelope.tags.isEmpty {
                // 6.x stores a list of tags; 5.4 a map of tag => tag.
                let items: [CacheValue]
                switch try Self.phpValue(envelope.tags, limits: limits) {
                case .list(let list): items = list
                case .map(let map): items = map.map(\.value)
                default: throw ValueDecodingError("Symfony envelope: the tag list is not an array")
                }
                for item in items {
                    switch item {
                    case .string(let tag): tags.append(tag)
                    case .int(let number): tags.append(String(number))
                    default: throw ValueDecodingError("Symfony envelope: a tag is not a string")
                    }
                }
            }
            return Decoded(value: value, tags: tags)
        }
    }

    /// Encodes a value (and, for Symfony, its tags) into the bytes the framework reads back equal.
    ///
    /// Throws `.badInput` for a value the format cannot hold (an opaque object).
    public func encode(_ value: CacheValue, tags: [String] = []) throws -> [UInt8] {
        switch self {
        case .bytes:
            switch value {
            case .string(let text): return Array(text.utf8)
            case .bytes(let bytes): return bytes
            default: return Array(value.json.utf8)
            }
        case .django:
            // RedisSerializer.dumps: `type(obj) is int` is stored as digits; bool is pickled.
            switch value {
            case .int(let number): return Array(String(number).utf8)
            case .bigInt(let digits): return Array(digits.utf8)
            default: return try Pickle.encode(value)
            }
        case .laravel:
            switch value {
            case .int(let number): return Array(String(number).utf8)
            case .double(let number) where number.isFinite: return Array(PHPSerialization.phpFloat(number).utf8)
            case .string(let text) where PHPSerialization.isNumeric(text.utf8):
                return Array(text.utf8)  // Laravel stores a numeric string raw too, and reads it back as that string
            default: return try PHPSerialization.encode(value)
            }
        case .symfony:
            let serializedTags = tags.isEmpty ? [] : try PHPSerialization.encode(.list(tags.map { .string($0) }))
            return SymfonyEnvelope.wrap(value: try PHPSerialization.encode(value), tags: serializedTags)
        }
    }

    /// A PHP value in either of the formats Symfony's `DefaultMarshaller` reads.
    static func phpValue(_ bytes: ArraySlice<UInt8>, limits: DecodingLimits) throws(ValueDecodingError) -> CacheValue {
        let bytes = Array(bytes)
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":") || bytes == Array("N;".utf8) {
            return try PHPSerialization.decode(bytes, limits: limits)
        }
        if Igbinary.looksLikeIgbinary(bytes) { return try Igbinary.decode(bytes, limits: limits) }
        throw ValueDecodingError("neither PHP serialize() nor igbinary data")
    }

    /// What Python's `int(data)` accepts: surrounding whitespace, a sign, digits with single
    /// underscores between them.
    static func pythonInteger(_ bytes: [UInt8]) -> CacheValue? {
        guard bytes.count <= 4300 else { return nil }
        var digits: [UInt8] = []
        var index = 0
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var previousUnderscore = true  // no leading underscore
        while index < bytes.count, !isSpace(bytes[index]) {
            let byte = bytes[index]
            if (0x30...0x39).contains(byte) { digits.append(byte); previousUnderscore = false } else if byte == UInt8(ascii: "_"), !previousUnderscore {
                previousUnderscore = true
            } else { return nil }
            index += 1
        }
        guard !digits.isEmpty, !previousUnderscore else { return nil }
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        guard index == bytes.count else { return nil }
        let text = String(decoding: digits, as: UTF8.self)
        if let number = Int64((negative ? "-" : "") + text) { return .int(number) }
        let trimmed = String(text.drop(while: { $0 == "0" }))
        return .bigInt((negative ? "-" : "") + (trimmed.isEmpty ? "0" : trimmed))
    }

    /// A numeric string as the number it spells, when JSON can hold it exactly; else the text.
    static func number(_ bytes: [UInt8]) -> CacheValue {
        let text = String(decoding: bytes, as: UTF8.self)
        if let number = Int64(text) { return .int(number) }
        if let number = Double(text), number.isFinite, PHPSerialization.phpFloat(number) == text || "\(number)" == text {
            return .double(number)
        }
        return .string(text)
    }
}

/// Symfony's compact tag-aware envelope (`TagAwareMarshaller`): `0x9D`, 8 bytes of metadata
/// (expiry and creation time, zeros when absent), then a 4-byte big-endian length of the tag
/// list whose first byte is overwritten with `0x5F`, the serialized tag list, the serialized value.
public struct SymfonyEnvelope: Sendable, Equatable {
    /// The 8 metadata bytes (`pack('VN', expiry - offset, ctime)`), zeros when there is none.
    public var meta: [UInt8]
    /// The serialized tag list (empty when the entry has no tags).
    public var tags: ArraySlice<UInt8>
    /// The serialized value.
    public var value: ArraySlice<UInt8>

    /// Parses the envelope exactly as `TagAwareMarshaller::unmarshall` recognises it; nil when
    /// the bytes are a plain marshalled value.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count > 13, bytes[0] == 0x9D, bytes[5] == 0, bytes[9] == 0x5F else { return nil }
        let tagLength = Int(bytes[10]) << 16 | Int(bytes[11]) << 8 | Int(bytes[12])
        guard 13 + tagLength <= bytes.count else { return nil }
        meta = Array(bytes[1...8])
        tags = bytes[13..<13 + tagLength]
        value = bytes[(13 + tagLength)...]
    }

    /// The envelope around a serialized value and tag list, with no metadata (as Symfony writes
    /// an item saved without an expiry callback).
    public static func wrap(value: [UInt8], tags: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x9D, 0, 0, 0, 0, 0, 0, 0, 0, 0x5F]
        out += [UInt8(truncatingIfNeeded: tags.count >> 16), UInt8(truncatingIfNeeded: tags.count >> 8), UInt8(truncatingIfNeeded: tags.count)]
        out += tags
        out += value
        return out
    }
}
