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
    /// Returns nil when the text is none of these; zero and negative lifetimes are refused too,
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
    /// Parses `30`, `30s`, `5m`, `1h`, `2d` or `250ms` into milliseconds; nil when malformed.
    public static func milliseconds(parsing text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let whole = Int64(number) { return whole.multipliedReportingOverflow(by: factor).overflow ? nil : whole * factor }
            if let fraction = Double(number), fraction.isFinite, fraction >= 0 { return Int64(fraction * Double(factor)) }
            return nil
        }
        if let whole = Int64(text) { return whole.multipliedReportingOverflow(by: 1000).overflow ? nil : whole * 1000 }
        return nil
    }
}
