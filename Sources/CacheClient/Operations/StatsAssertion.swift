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
        let path = try catalog.resolve(name)
        return all.first { $0.path == path }!
    }

    /// The names `stats --assert` accepts (no labels).
    public static let catalog = AssertionCatalog(command: "stats", paths: all.map(\.path))
}

/// The fields one command's assertions may name: plain paths, and fields that take one label
/// naming a group, such as `memory{prefix=session}`.
public struct AssertionCatalog: Sendable {
    /// The command, for messages (`stats`, `usage`).
    public let command: String
    /// Every field path, in the order of the JSON output.
    public let paths: [String]
    /// The fields that take a `{label=value}`.
    public let labelledPaths: [String]
    /// The label names accepted, e.g. `prefix`.
    public let labels: [String]

    /// A catalog; `labelledPaths` and `labels` empty for a command without groups.
    public init(command: String, paths: [String], labelledPaths: [String] = [], labels: [String] = []) {
        self.command = command
        self.paths = paths
        self.labelledPaths = labelledPaths
        self.labels = labels
    }

    /// The valid names, for hints: `hit_rate, …` and `memory{prefix=…}, …`.
    var validNames: String {
        (paths + labelledPaths.flatMap { path in labels.map { "\(path){\($0)=…}" } }).joined(separator: ", ")
    }

    /// The full path a name means: itself, or the one path it is the last part of.
    func resolve(_ name: String, labelled: Bool = false) throws -> String {
        let candidates = labelled ? labelledPaths : paths
        if candidates.contains(name) { return name }
        let matches = candidates.filter { $0.hasSuffix("." + name) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw CacheError(.usage, "Ambiguous \(command) field \(name.displayQuoted): it could be " + matches.joined(separator: " or "),
                             hint: "name it in full")
        }
        if labelled, paths.contains(name) {
            throw CacheError(.usage, "The \(command) field \(name.displayQuoted) takes no label", hint: "valid fields: " + validNames)
        }
        throw CacheError(.usage, "Unknown \(command) field \(name.displayQuoted)", hint: "valid fields: " + validNames)
    }
}

/// The group an assertion names: `prefix=session` in `memory{prefix=session}`.
public struct AssertionLabel: Sendable, Equatable {
    /// The label's name: what the report groups by (`prefix`, `tag`, `type`).
    public let name: String
    /// The group.
    public let value: String

    /// Creates a label.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
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
    public let path: String
    /// The group, for a labelled field such as `memory{prefix=session}`.
    public let label: AssertionLabel?
    /// The field as reports show it: the path with its label, `memory{prefix=session}`.
    public var field: String { label.map { "\(path){\($0.name)=\($0.value)}" } ?? path }
    /// The comparison.
    public let comparison: Comparison
    /// The number on the right, in plain units (a size such as `512MiB` in bytes).
    public let expected: Double
    /// The size unit the number was written with (`MiB`), used to show the actual value alike.
    public let unit: String?

    /// Parses a stats assertion, `FIELD OP NUMBER` (spaces allowed; OP is one of `< <= > >= ==`).
    ///
    /// Throws `.usage` for a malformed expression or an unknown field, naming the valid fields.
    public init(parsing text: String) throws {
        try self.init(parsing: text, catalog: StatsField.catalog)
    }

    /// Parses `FIELD OP NUMBER` or `FIELD{LABEL=GROUP} OP NUMBER` against a command's fields.
    ///
    /// NUMBER may carry a size unit (`B`, `KB`, `MB`, `GB`, `TB` in powers of 1000; `KiB`, `MiB`,
    /// `GiB`, `TiB` in powers of 1024) or `%`. Throws `.usage` for anything else, naming the valid fields.
    public init(parsing text: String, catalog: AssertionCatalog) throws {
        expression = text
        let example = catalog.command == "stats" ? "e.g. --assert 'hit_rate>=90'" : "e.g. --assert 'no_ttl_keys==0'"
        // A label's group may hold any character but `}`, operators included: look for the operator after it.
        var searchFrom = text.startIndex
        var label: AssertionLabel?
        var nameEnd: String.Index?
        if let open = text.firstIndex(of: "{") {
            guard let close = text[open...].firstIndex(of: "}") else {
                throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): the label has no closing }", hint: example)
            }
            let inside = text[text.index(after: open)..<close]
            guard let equals = inside.firstIndex(of: "=") else {
                throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): a label is written {NAME=GROUP}, e.g. memory{prefix=session}")
            }
            let labelName = inside[..<equals].trimmingCharacters(in: " ")
            guard catalog.labels.contains(labelName) else {
                let accepted = catalog.labels.isEmpty ? "\(catalog.command) fields take no labels" : "labels here: " + catalog.labels.joined(separator: ", ")
                throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): unknown label \(labelName.displayQuoted)", hint: accepted)
            }
            label = AssertionLabel(name: labelName, value: String(inside[inside.index(after: equals)...]))
            nameEnd = open
            searchFrom = text.index(after: close)
        }
        var found: (Range<String.Index>, Comparison)?
        for candidate in Comparison.allCases {  // two-character operators first
            if let range = text[searchFrom...].firstRange(of: candidate.rawValue), found == nil || range.lowerBound < found!.0.lowerBound {
                found = (range, candidate)
            }
        }
        guard let (range, comparison) = found else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): expected FIELD OP NUMBER with OP one of < <= > >= ==", hint: example)
        }
        if label != nil, !text[searchFrom..<range.lowerBound].allSatisfy({ $0 == " " }) {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): nothing may stand between the label and the operator", hint: example)
        }
        let name = text[..<(nameEnd ?? range.lowerBound)].trimmingCharacters(in: " ")
        let number = text[range.upperBound...].trimmingCharacters(in: " ")
        guard !name.isEmpty else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): the field name is missing", hint: "valid fields: " + catalog.validNames)
        }
        guard let (expected, unit) = Self.quantity(number) else {
            throw CacheError(.usage, "Invalid assertion \(text.displayQuoted): \(number.displayQuoted) is not a number (or a size such as 512MiB)",
                             hint: example)
        }
        path = try catalog.resolve(name, labelled: label != nil)
        self.label = label
        self.comparison = comparison
        self.expected = expected
        self.unit = unit
    }

    /// Bytes per size unit; `%` and no unit are plain numbers.
    static let units: [(name: String, scale: Double)] = [
        ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
        ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1), ("%", 1),
    ]

    /// A number with an optional unit: `90`, `90%`, `0.5`, `512MiB`, `1.5 GB`; the unit is nil
    /// for plain numbers and percents.
    static func quantity(_ text: String) -> (Double, String?)? {
        let unit = units.first { text.lowercased().hasSuffix($0.name.lowercased()) }
        let digits = text.dropLast(unit?.name.count ?? 0).trimmingCharacters(in: " ")
        guard let value = Double(digits), value.isFinite else { return nil }
        guard let unit, unit.name != "%" else { return (value, nil) }
        let bytes = value * unit.scale
        return bytes.isFinite ? (bytes, unit.name) : nil
    }

    /// Checks the assertion against a value; no value (nil) fails.
    public func evaluate(actual: Double?) -> StatsAssertionResult {
        StatsAssertionResult(assertion: self, actual: actual, passed: actual.map { comparison.holds($0, expected) } ?? false)
    }

    /// Checks the assertion against a report; a field without a value fails.
    public func evaluate(_ report: StatsReport) -> StatsAssertionResult {
        evaluate(actual: (try? StatsField.named(path))?.value(report))
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
        let scale = assertion.unit.flatMap { unit in StatsAssertion.units.first { $0.name == unit }?.scale } ?? 1
        let suffix = assertion.unit ?? ""
        let shown = actual.map { formatNumber($0 / scale, decimals: 2) + suffix } ?? "(no value)"
        let expected = formatNumber(assertion.expected / scale) + suffix
        return "assertion failed: \(assertion.field) \(shown) \(assertion.comparison.rawValue) \(expected)"
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

/// Byte counts as people write them: `4096`, `10KB`, `1.5MiB`, `2 GB`.
public enum ByteCount {
    /// The number of bytes, or nil for text that is not a non-negative size below 2⁶³.
    public static func parse(_ text: String) -> Int64? {
        guard let (value, _) = StatsAssertion.quantity(text[...].trimmingCharacters(in: " ")), value >= 0, value < 9.2e18,
              !text.hasSuffix("%") else { return nil }
        return Int64(value.rounded(.up))
    }
}
