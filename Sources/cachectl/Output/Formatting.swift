import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Human forms of numbers for tables; JSON keeps raw seconds and bytes.
enum Human {
    /// `value` with exactly `digits` decimals (like `%.2f`).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        NumberText.fixed(value, digits)
    }

    static func bytes(_ count: Int64?) -> String {
        guard let count else { return "-" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : "\(fixed(value, 1)) \(units[unit])"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 0.001 { return "\(fixed(seconds * 1_000_000, 0)) µs" }
        if seconds < 1 { return "\(fixed(seconds * 1000, 2)) ms" }
        if seconds < 60 { return "\(fixed(seconds, 2)) s" }
        return ttl(Int64(seconds.rounded()))
    }

    static func ttl(_ expiry: Expiry) -> String {
        guard let seconds = expiry.seconds else { return "none" }
        return ttl(seconds)
    }

    static func ttl(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        var parts: [String] = []
        var rest = seconds
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size || (unit == "s" && rest > 0) {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }

    static func count(_ value: Int64?) -> String {
        guard let value else { return "-" }
        // Grouped by hand: Foundation's number formatting loads ICU data, milliseconds per run.
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// "1 key", "2,000 keys".
    static func count(_ value: Int, _ noun: String) -> String {
        "\(count(Int64(value))) \(noun)\(value == 1 ? "" : "s")"
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "-" }
        return "\(fixed(value, 2)) %"
    }

    /// The value for a table cell: text when printable, else a note of its size.
    static func value(_ bytes: [UInt8], limit: Int? = nil) -> String {
        guard let text = String(validating: bytes, as: UTF8.self),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) else {
            return "<binary, \(bytes.count) bytes>"
        }
        return Self.text(text, limit: limit)
    }

    /// Text shortened to `limit` characters for a table cell, newlines shown as ⏎.
    static func text(_ text: String, limit: Int? = nil) -> String {
        if let limit, text.count > limit { return String(text.prefix(limit - 1)).replacingScalar("\n", with: "⏎") + "…" }
        return limit == nil ? text : text.replacingScalar("\n", with: "⏎")
    }
}
