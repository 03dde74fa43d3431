import FoundationEssentials

/// A large value as JSON string content written in pieces straight from its bytes (escaped text,
/// or base64), so that writing a value costs no more memory than holding it: used by `get
/// --format json/jsonl` and by migrate's JSON Lines target.
public enum JSONStringPieces {
    /// Values at least this long are written in pieces.
    public static let threshold = 64 * 1024

    /// A value handed over in pieces, in order (bytes in memory give one piece).
    public typealias Pieces = ((UnsafeRawBufferPointer) throws -> Void) throws -> Void

    /// The bytes of a UTF-8 value as JSON string content (without the quotes), escaped as
    /// JSONEncoder escapes them, handed to `emit` about 64 KB at a time.
    public static func escaped(_ pieces: Pieces, emit: ([UInt8]) throws -> Void) throws {
        try withoutActuallyEscaping(emit) { try escaped(pieces, escapingEmit: $0) }
    }

    private static func escaped(_ pieces: Pieces, escapingEmit emit: @escaping ([UInt8]) throws -> Void) throws {
        let hex = Array("0123456789abcdef".utf8)
        var piece: [UInt8] = []
        piece.reserveCapacity(1 << 16 + 8)
        try pieces { bytes in
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
                    try emit(piece)
                    piece.removeAll(keepingCapacity: true)
                }
            }
        }
        if !piece.isEmpty { try emit(piece) }
    }

    /// The bytes as base64, 48 KB of input at a time (a multiple of 3, so the pieces join without
    /// padding); up to two bytes carry over from one piece of the value to the next.
    public static func base64(_ pieces: Pieces, emit: ([UInt8]) throws -> Void) throws {
        try withoutActuallyEscaping(emit) { try base64(pieces, escapingEmit: $0) }
    }

    private static func base64(_ pieces: Pieces, escapingEmit emit: @escaping ([UInt8]) throws -> Void) throws {
        let step = 3 << 14
        var pending: [UInt8] = []
        pending.reserveCapacity(step)
        try pieces { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(start + step - pending.count, bytes.count)
                pending.append(contentsOf: bytes[start..<end])
                start = end
                if pending.count == step {
                    try emit(Array(Data(pending).base64EncodedString().utf8))
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        if !pending.isEmpty { try emit(Array(Data(pending).base64EncodedString().utf8)) }
    }

    /// Whether the pieces are UTF-8 (a pass over them; nothing is built).
    public static func isText(_ pieces: Pieces) throws -> Bool {
        var validation = UTF8Validation()
        try pieces { validation.feed($0) }
        return validation.isComplete
    }
}

/// UTF-8 well-formedness (Unicode Table 3-7: no overlong forms, surrogates or code points past
/// U+10FFFF) checked piece by piece, a sequence may span two pieces.
public struct UTF8Validation {
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var failed = false

    public init() {}

    /// Whether everything fed so far is UTF-8 and no sequence is left open.
    public var isComplete: Bool { !failed && needed == 0 }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
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
