/// A value as an application framework stores it, decoded into a tree that is safe to show:
/// what a pickle or a PHP `serialize()`/igbinary string describes, without constructing any of
/// its objects or running any of its code.
///
/// Maps keep their order and may have non-string keys (a Python dict, a PHP array with integer
/// keys); `opaque` stands for anything that would construct an object or call code (a Python
/// class instance, a PHP object), with the class name it names.
public indirect enum CacheValue: Sendable, Equatable {
    /// Python `None`, PHP `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int64)
    /// An integer beyond 64 bits, as decimal digits (Python ints are unbounded).
    case bigInt(String)
    /// A floating-point number.
    case double(Double)
    /// Text.
    case string(String)
    /// Bytes that are not (or need not be) text: Python `bytes`, a PHP string that is not UTF-8.
    case bytes([UInt8])
    /// A list, tuple or set (Python), or a PHP array whose keys are 0, 1, 2, … in order.
    case list([CacheValue])
    /// A dict (Python) or any other PHP array, in order.
    case map([MapItem])
    /// An object or callable that is not decoded: the class (or function) it names.
    case opaque(String)

    /// One key and its value in a `map`.
    public struct MapItem: Sendable, Equatable {
        /// The key: usually `.string` or `.int`.
        public var key: CacheValue
        /// The value.
        public var value: CacheValue

        /// Creates a map item.
        public init(_ key: CacheValue, _ value: CacheValue) {
            self.key = key
            self.value = value
        }
    }

    /// The class names of every opaque value in this tree, outermost first.
    public var opaqueClassNames: [String] {
        var names: [String] = []
        func walk(_ value: CacheValue) {
            switch value {
            case .opaque(let name): names.append(name)
            case .list(let items): items.forEach(walk)
            case .map(let items): items.forEach { walk($0.key); walk($0.value) }
            default: break
            }
        }
        walk(self)
        return names
    }
}

/// Limits that every decoder of a foreign format applies: the input is untrusted.
public struct DecodingLimits: Sendable, Equatable {
    /// Nesting depth of lists and maps.
    public var maximumDepth: Int
    /// Values in the decoded tree, counting every list item and map key and value; a pickle's
    /// memo or a PHP reference can make a small input describe a huge tree.
    public var maximumValues: Int

    /// Creates limits; the defaults are far beyond what a cache entry holds.
    public init(maximumDepth: Int = 200, maximumValues: Int = 2_000_000) {
        self.maximumDepth = maximumDepth
        self.maximumValues = maximumValues
    }

    /// The limits used when none are given.
    public static let standard = DecodingLimits()
}

/// Why bytes could not be decoded in a foreign format: a full sentence naming the offset.
public struct ValueDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `pickle: truncated at byte 12 (BINUNICODE needs 40 more bytes)`.
    public var reason: String

    /// Creates an error with a reason.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Reads bytes from an untrusted buffer: every read is bounds-checked and throws with the offset.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let format: String

    init(_ bytes: [UInt8], offset: Int = 0, format: String) {
        self.bytes = bytes
        self.offset = offset
        self.format = format
    }

    var atEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    func failure(_ what: String) -> ValueDecodingError {
        ValueDecodingError("\(format): \(what) at byte \(offset)")
    }

    mutating func byte() throws(ValueDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw failure("truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func take(_ count: Int) throws(ValueDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw failure("truncated (\(count) bytes needed, \(remaining) left)")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// An unsigned integer of `width` bytes, little-endian.
    mutating func littleEndian(_ width: Int) throws(ValueDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(width).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    /// An unsigned integer of `width` bytes, big-endian.
    mutating func bigEndian(_ width: Int) throws(ValueDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for byte in try take(width) { value = value << 8 | UInt64(byte) }
        return value
    }

    /// A length that must fit in what is left of the input.
    mutating func length(_ raw: UInt64) throws(ValueDecodingError) -> Int {
        guard raw <= UInt64(remaining) else { throw failure("length \(raw) exceeds the \(remaining) bytes left") }
        return Int(raw)
    }

    /// Bytes up to (not including) `terminator`, which is consumed.
    mutating func until(_ terminator: UInt8) throws(ValueDecodingError) -> ArraySlice<UInt8> {
        guard let end = bytes[offset...].firstIndex(of: terminator) else { throw failure("unterminated field") }
        defer { offset = end + 1 }
        return bytes[offset..<end]
    }
}

extension CacheValue {
    /// Text for bytes that are valid UTF-8, else the bytes.
    static func text(_ bytes: some Collection<UInt8>) -> CacheValue {
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .bytes(Array(bytes))
    }
}
