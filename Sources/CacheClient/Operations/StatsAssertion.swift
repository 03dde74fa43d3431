/// A numeric figure of a stats report, named by its JSON field path (`hit_rate`, `app.hits`,
/// `server.evicted_keys`): the names `--assert` accepts.
public struct StatsField: Sendable {
    /// The JSON path: top-level `hit_rate`, or `app.hits`, `server.evicted_keys`, ….
    public let path: String
    /// Reads the figure; nil when the report has no value for it (no reads yet, no server).
    public let value: @Sendable (StatsReport) -> Double?

    /// Every numeric field, in the order of the JSON output.
    public static let all: [StatsField] = [
        StatsField(path: "hit_rate") { $0.hitRate },
        StatsField(path: "entries") { Double($0.statistics.entries) },
        StatsField(path: "tags") { Double($0.statistics.tags) },
        StatsField(path: "memory") { $0.statistics.memoryBytes.map(Double.init) },
        StatsField(path: "ping_latency") { $0.statistics.pingLatency },
        StatsField(path: "window") { $0.window },
        StatsField(path: "app.hits") { Double($0.statistics.app.hits) },
        StatsField(path: "app.misses") { Double($0.statistics.app.misses) },
        StatsField(path: "app.hit_rate") { $0.appHitRate },
        StatsField(path: "app.sets") { Double($0.statistics.app.sets) },
        StatsField(path: "app.deletes") { Double($0.statistics.app.deletes) },
        StatsField(path: "app.tag_invalidations") { Double($0.statistics.app.tagInvalidations) },
        StatsField(path: "app.reads_per_second") { $0.appReadsPerSecond },
        StatsField(path: "server.hits") { $0.statistics.server?.hits.map(Double.init) },
        StatsField(path: "server.misses") { $0.statistics.server?.misses.map(Double.init) },
        StatsField(path: "server.hit_rate") { $0.serverHitRate },
        StatsField(path: "server.expired_keys") { $0.statistics.server?.expiredKeys.map(Double.init) },
        StatsField(path: "server.evicted_keys") { $0.statistics.server?.evictedKeys.map(Double.init) },
        StatsField(path: "server.used_memory") { $0.statistics.server?.usedMemory.map(Double.init) },
        StatsField(path: "server.connected_clients") { $0.statistics.server?.connectedClients.map(Double.init) },
        StatsField(path: "server.uptime") { $0.statistics.server?.uptimeSeconds.map(Double.init) },
        StatsField(path: "server.ops_per_second") { $0.serverOpsPerSecond },
    ]

    /// The field a name means: a full path, or a short name (`evicted_keys`) that is the last
    /// part of exactly one path. Throws `.usage` naming the valid fields otherwise.
    public static func named(_ name: String) throws -> StatsField {
        if let field = all.first(where: { $0.path == name }) { return field }
        let matches = all.filter { $0.path.hasSuffix("." + name) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw CacheError(.usage, "Ambiguous stats field \(name.displayQuoted): it could be " + matches.map(\.path).joined(separator: " or "),
                             hint: "name it in full")
        }
        throw CacheError(.usage, "Unknown stats field \(name.displayQuoted)",
                         hint: "valid fields: " + all.map(\.path).joined(separator: ", "))
    }
}

/// A condition on one stats field, such as `hit_rate>=90` or `server.evicted_keys==0`.
public struct StatsAssertion: Sendable, Equatable {
    /// The comparisons an assertion can make.
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", less = "<", greater = ">"

        /// Whether `actual` compares to `expected` this way.
        public func holds(_ actual: Double, _ expected: Double) -> Bool {
            switch self {
            case .less: return actual < expected
            case .lessOrEqual: return actual <= expected
            case .greater: return actual > expected
            case .greaterOrEqual: return actual >= expected
            case .equal: return actual == expected
            }
        }
    }

    /// The expression as written.
    public let expression: String
    /// The field's full path (an alias is resolved).
    public let field: String
    /// The comparison.
    public let comparison: Comparison
    /// The number on the right.
    public let expected: Double

    /// Parses `FIELD OP NUMBER` (spaces allowed; OP is one of `< <= > >= ==`).
    ///
    /// Throws `.usage` for a malformed expression or an unknown field, naming the valid fields.
    public init(parsing text: String) throws {
        expression = text
        let operators = Comparison.allCases  // two-character operators first
        var found: (Range<String.Index>, Comparison)?
        for candidate in operators {
            if let range = text.firstRange(of: candidate.rawValue), found == nil || range.lowerBound < found!.0.lowerBound {
                found = (range, candidate)
            }
        }
        guard let (range, comparison) = found else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): expected FIELD OP NUMBER with OP one of < <= > >= ==",
                             hint: "e.g. --assert 'hit_rate>=90'")
        }
        let name = text[..<range.lowerBound].trimmingCharacters(in: " ")
        let number = text[range.upperBound...].trimmingCharacters(in: " ").replacingPercent()
        guard !name.isEmpty else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): the field name is missing",
                             hint: "valid fields: " + StatsField.all.map(\.path).joined(separator: ", "))
        }
        guard let expected = Double(number), expected.isFinite else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): \(number.displayQuoted) is not a number", hint: "e.g. --assert 'hit_rate>=90'")
        }
        field = try StatsField.named(name).path
        self.comparison = comparison
        self.expected = expected
    }

    /// Checks the assertion against a report; a field without a value fails.
    public func evaluate(_ report: StatsReport) -> StatsAssertionResult {
        let actual = try? StatsField.named(field).value(report)
        let passed = actual.map { comparison.holds($0, expected) } ?? false
        return StatsAssertionResult(assertion: self, actual: actual, passed: passed)
    }
}

/// The outcome of one assertion.
public struct StatsAssertionResult: Sendable, Equatable {
    /// The assertion.
    public let assertion: StatsAssertion
    /// The field's value; nil when the report has none (e.g. a hit rate with no reads).
    public let actual: Double?
    /// Whether it held.
    public let passed: Bool

    /// One line for stderr: `assertion failed: hit_rate 72.50 >= 90`.
    public var failureMessage: String {
        let shown = actual.map { formatNumber($0, decimals: 2) } ?? "(no value)"
        return "assertion failed: \(assertion.field) \(shown) \(assertion.comparison.rawValue) \(formatNumber(assertion.expected))"
    }
}

/// `90` for whole numbers, else as given with `decimals` digits (or the shortest form).
func formatNumber(_ value: Double, decimals: Int? = nil) -> String {
    if let decimals { return NumberText.fixed(value, decimals) }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}

private extension String {
    /// `90%` reads as 90: hit rates are percents already.
    func replacingPercent() -> String { hasSuffix("%") ? String(dropLast()) : self }
}
