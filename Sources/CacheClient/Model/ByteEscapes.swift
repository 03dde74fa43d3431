/// Escapes in prefixes and tag names given on the command line, so a layout's control bytes
/// can be typed: `\0` (NUL), `\xHH` (a byte below 0x80), `\n`, `\t`, `\r`, `\\`.
///
/// Symfony's tag sets are named `NS:\0tags\0<tag>` (5.4) or `NS:\x01tags\x01<tag>` (6.3+): with
/// these, any layout can also be described by hand with `--key-prefix` and `--tag-prefix`.
public enum ByteEscapes {
    /// The text with its escapes replaced; throws `.usage` naming `option` for an unknown or
    /// incomplete escape, or a `\x` byte of 0x80 and above (keys are UTF-8 text).
    public static func decode(_ text: String, option: String) throws -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        func failure(_ why: String) -> CacheError {
            CacheError(.usage, "\(option) \"\(text)\": \(why)", hint: "escapes are \\0, \\xHH (below \\x80), \\n, \\t, \\r and \\\\")
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard index < bytes.count else { throw failure("ends with a lone backslash") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "0"): out.append(0)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "x"):
                guard index + 2 <= bytes.count, let value = UInt8(String(decoding: bytes[index..<index + 2], as: UTF8.self), radix: 16) else {
                    throw failure("\\x needs two hex digits")
                }
                guard value < 0x80 else { throw failure("\\x\(String(decoding: bytes[index..<index + 2], as: UTF8.self)) is not a byte of UTF-8 text on its own") }
                out.append(value)
                index += 2
            default:
                throw failure("unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
