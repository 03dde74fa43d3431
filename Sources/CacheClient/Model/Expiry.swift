/// How long an entry lives: forever, or a number of milliseconds from now.
public enum Expiry: Sendable, Hashable {
    /// The entry never expires.
    case never
    /// The entry expires this many milliseconds from now.
    case milliseconds(Int64)

    /// An expiry of whole seconds.
    public static func seconds(_ seconds: Int64) -> Expiry { .milliseconds(seconds * 1000) }
    /// An expiry of whole minutes.
    public static func minutes(_ minutes: Int64) -> Expiry { .seconds(minutes * 60) }
    /// An expiry of whole hours.
    public static func hours(_ hours: Int64) -> Expiry { .seconds(hours * 3600) }

    /// The remaining lifetime in seconds (rounded up, as Redis's TTL rounds), or nil for `never`.
    public var seconds: Int64? {
        switch self {
        case .never: return nil
        case .milliseconds(let ms): return (ms + 999) / 1000
        }
    }

    /// Milliseconds, or nil for `never`.
    public var milliseconds: Int64? {
        if case .milliseconds(let ms) = self { return ms }
        return nil
    }

    /// Parses `300`, `300s`, `5m`, `1h`, `2d`, `1500ms` or `none`/`never`.
    ///
    /// Returns nil when the text is none of these or longer than 100 years
    /// (`Duration.maximumMilliseconds`); zero and negative lifetimes are refused too,
    /// since an entry that is already expired is never what the caller meant.
    public init?(parsing text: String) {
        let lowered = text.lowercased()
        if lowered == "none" || lowered == "never" {
            self = .never
            return
        }
        guard let ms = Duration.milliseconds(parsing: lowered), ms > 0 else { return nil }
        self = .milliseconds(ms)
    }
}

extension Duration {
    /// The longest duration cachectl takes from outside: 100 years (36500d), in milliseconds.
    ///
    /// Every TTL, `--max-duration`, `--window` and manifest `ttl` is checked against it, so no
    /// later arithmetic (expiry timestamps, `timeval`, Redis `PX`) can overflow.
    public static let maximumMilliseconds: Int64 = 36_500 * 86_400_000

    /// Parses `30`, `30s`, `1.5s`, `5m`, `1h`, `2d` or `250ms` into milliseconds; nil when malformed
    /// or longer than `maximumMilliseconds`.
    ///
    /// The grammar is strict: decimal digits, an optional fraction of decimal digits, an optional
    /// unit. No sign, exponent, hex or spaces (`+5m`, `1e3s`, `0x10s` are refused). A fraction is
    /// rounded down to whole milliseconds.
    public static func milliseconds(parsing text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        var number = Substring(text)
        var factor: Int64 = 1000
        for (suffix, unitFactor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            factor = unitFactor
            break
        }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        func isDigits(_ part: Substring) -> Bool { !part.isEmpty && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard let wholePart = parts.first, isDigits(wholePart), parts.count == 1 || isDigits(parts[1]) else { return nil }
        // More digits than any duration within range: refused before any arithmetic.
        let significant = wholePart.drop { $0 == "0" }
        guard significant.count <= 13 else { return nil }
        let whole = Int64(significant.isEmpty ? "0" : significant)!
        let (milliseconds, overflow) = whole.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        var total = milliseconds
        if parts.count == 2 {
            // factor ≤ 86,400,000, so at most 9 fraction digits matter; each step stays small.
            var scale = factor
            for digit in parts[1].utf8.prefix(9) {
                total += Int64(digit - 0x30) * scale / 10
                scale /= 10
                if scale == 0 { break }
            }
        }
        return total <= maximumMilliseconds ? total : nil
    }
}
