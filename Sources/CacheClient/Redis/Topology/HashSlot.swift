/// The cluster hash slot of a key: CRC16 (XMODEM) of the key, or of its `{hash tag}`, modulo 16384.
///
/// Keys that share a hash tag (`{user:1}:name`, `{user:1}:mail`) share a slot, so one node
/// holds them all and multi-key commands (RENAME, scripts) work on them.
public struct HashSlot: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Slots in a Redis Cluster.
    public static let count = 16384

    /// 0 ..< 16384.
    public let value: Int

    /// A slot by number; nil outside 0 ..< 16384.
    public init?(_ value: Int) {
        guard (0..<Self.count).contains(value) else { return nil }
        self.value = value
    }

    /// The slot of a key given as bytes.
    public init<Bytes: Collection>(key: Bytes) where Bytes.Element == UInt8 {
        value = Int(HashSlot.crc16(HashSlot.hashedPart(of: key)) & 0x3FFF)
    }

    /// The slot of a key given as text (its UTF-8 bytes).
    public init(key: String) { self.init(key: key.utf8) }

    /// The slot of `prefix + key`, without building the joined string.
    public init(prefix: String, key: String) {
        if prefix.isEmpty { self.init(key: key.utf8) } else { self.init(key: [prefix.utf8, key.utf8].joined()) }
    }

    public static func < (lhs: HashSlot, rhs: HashSlot) -> Bool { lhs.value < rhs.value }
    public var description: String { String(value) }

    /// The part of a key that is hashed: the text between the first `{` and the next `}` when
    /// that is not empty, else the whole key (the rule of the Redis Cluster specification).
    static func hashedPart<Bytes: Collection>(of key: Bytes) -> Bytes.SubSequence where Bytes.Element == UInt8 {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else { return key[...] }
        return key[afterOpen..<close]
    }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection. "123456789" → 0x31C3.
    static func crc16<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
