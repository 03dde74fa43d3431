import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Whether `usage` scans every key or estimates from a sample.
public enum UsageSampling: Sendable, Equatable {
    /// Sample `defaultSampleSize` keys when the store holds more than `automaticThreshold`, else exact.
    case automatic
    /// Every key.
    case exact
    /// This many random draws.
    case sample(Int)

    /// Draws when sampling is chosen automatically.
    public static let defaultSampleSize = 20_000
    /// Above this many keys, `automatic` samples.
    public static let automaticThreshold: Int64 = 100_000
    /// The confidence of the stated margins.
    public static let confidence = 0.95
    /// The normal quantile for `confidence`.
    static let z = 1.959964
}

extension KeyScanning {
    /// Memory, keys and TTLs per group (namespace, tag or type) of the keys under the key prefix.
    ///
    /// Sampled: `count` RANDOMKEY draws over the whole database, each key described like in a
    /// scan; figures are scaled to the database size, shares are ratio estimates with a 95%
    /// interval (delta method). The snapshot file is always exact. `progress` is told keys looked
    /// at and the store's size; once `shouldStop` returns true the scan ends and the report covers
    /// what was scanned, with `interrupted` set. A server lost mid-scan (`.unreachable`) ends it
    /// too: the report covers what was scanned before, with `failure` set (throw it after showing it).
    public func usage(grouping: UsageGrouping, sampling: UsageSampling = .automatic, shouldStop: () -> Bool = { false },
                      progress: (OperationProgress) -> Void = { _ in }) throws -> UsageReport {
        let start = ContinuousClock.now
        let population = try keyCount()
        var draws: Int?
        switch sampling {
        case .exact: draws = nil
        case .sample(let count):
            guard count >= 1 else { throw CacheError(.usage, "--sample must be at least 1, not \(count)") }
            draws = samplesKeys ? count : nil
        case .automatic: draws = samplesKeys && population > UsageSampling.automaticThreshold ? UsageSampling.defaultSampleSize : nil
        }
        var tally = UsageTally(grouping: grouping)
        var looked = 0
        // Types cost Redis a command per key: read them only to group by them.
        let details: KeyDetails = grouping.dimension == .tag ? .tags : grouping.dimension == .type ? .types : []
        // A server lost mid-scan ends the scan; the report covers what was scanned before.
        let failure = try KeyScanFailure.catching {
            if let draws {
                try sampleKeys(count: draws, details: details, shouldStop: shouldStop) { page in
                    for info in page { tally.add(info) }
                    looked += page.count
                    progress(OperationProgress(done: looked, total: draws))
                }
            } else {
                let total = Int(clamping: population)
                try scanKeys(KeyFilter(), details: details, shouldStop: shouldStop, scanned: { count in
                    looked += count
                    progress(OperationProgress(done: looked, total: total))
                }) { page in
                    for info in page { tally.add(info) }
                }
            }
        }
        let mode: UsageMode = draws.map { _ in .sampled(sampled: looked, population: population) } ?? .exact
        let interrupted = shouldStop()
        var report = tally.report(backend: kind, endpoint: endpointDescription, mode: mode, seconds: 0, interrupted: interrupted)
        report.failure = failure
        // The biggest keys' types, when the scan did not read types: one TYPE per group.
        let untyped = report.groups.indices.filter { report.groups[$0].biggestKey?.type.isEmpty == true }
        if !untyped.isEmpty, !interrupted, failure == nil {
            for (index, type) in zip(untyped, try keyTypes(untyped.map { report.groups[$0].biggestKey! })) {
                report.groups[index].biggestKey?.type = type ?? "none"
            }
        }
        report.seconds = (ContinuousClock.now - start).seconds
        return report
    }
}

/// Running sums per group while keys stream past; TTLs are kept (8 bytes per key with one) for
/// exact percentiles.
struct UsageTally {
    struct Group {
        var keys: Int64 = 0
        var memory: Int64 = 0
        var squares: Double = 0
        var noTTL: Int64 = 0
        var ttls: [Int64] = []
        var biggest: KeyInfo?

        mutating func add(_ info: KeyInfo) {
            keys += 1
            memory += info.size
            squares += Double(info.size) * Double(info.size)
            if let ttl = info.ttlMilliseconds {
                ttls.append(ttl)
            } else if info.role != .counters {
                noTTL += 1
            }
            if biggest.map({ info.size > $0.size }) ?? true {
                var kept = info
                kept.tags = nil
                biggest = kept
            }
        }
    }

    let grouping: UsageGrouping
    var groups: [String: Group] = [:]
    var total = Group()
    /// Draws or keys seen, in scope or not (a sample's denominator).
    var draws: Int64 = 0

    init(grouping: UsageGrouping) { self.grouping = grouping }

    mutating func add(_ info: KeyInfo?) {
        draws += 1
        guard let info else { return }
        total.keys += 1
        total.memory += info.size
        total.squares += Double(info.size) * Double(info.size)
        if info.ttlMilliseconds == nil, info.role != .counters { total.noTTL += 1 }
        for name in grouping.groups(of: info) { groups[name, default: Group()].add(info) }
    }

    func report(backend: String, endpoint: String, mode: UsageMode, seconds: Double, interrupted: Bool) -> UsageReport {
        let n = Double(max(draws, 1))
        var scale = 1.0
        var sampled = false
        if case .sampled(_, let population) = mode {
            scale = Double(population) / n
            sampled = true
        }
        let totalMemory = Double(total.memory)
        let mean = totalMemory / n
        var result: [UsageGroup] = groups.map { name, group in
            let share = totalMemory > 0 ? Double(group.memory) / totalMemory : 0
            var shareMargin: Double?
            var keysMargin: Int64?
            if sampled {
                // Ratio estimator R = Σx·1[g] / Σx; Var ≈ Σ(x(1[g] − R))² / (n(n−1)·x̄²).
                let residual = (1 - share) * (1 - share) * group.squares + share * share * (total.squares - group.squares)
                let variance = n > 1 && mean > 0 ? residual / (n - 1) / n / (mean * mean) : 0
                shareMargin = UsageSampling.z * variance.squareRoot() * 100
                let p = Double(group.keys) / n
                keysMargin = Int64((UsageSampling.z * (p * (1 - p) / n).squareRoot() * n * scale).rounded())
            }
            let ttls = group.ttls.sorted()
            func percentile(_ q: Double) -> Double? {
                guard !ttls.isEmpty else { return nil }
                let rank = max(1, Int((q * Double(ttls.count)).rounded(.up)))
                return Double(ttls[rank - 1]) / 1000
            }
            return UsageGroup(name: name, keys: Int64((Double(group.keys) * scale).rounded()),
                              memory: Int64((Double(group.memory) * scale).rounded()), share: share * 100,
                              shareMargin: shareMargin, keysMargin: keysMargin,
                              noTTLKeys: Int64((Double(group.noTTL) * scale).rounded()),
                              ttlP50: percentile(0.5), ttlP90: percentile(0.9), ttlMax: ttls.last.map { Double($0) / 1000 },
                              biggestKey: group.biggest)
        }
        result.sort { $0.memory != $1.memory ? $0.memory > $1.memory : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return UsageReport(backend: backend, endpoint: endpoint, grouping: grouping, mode: mode, scannedKeys: total.keys,
                           keys: Int64((Double(total.keys) * scale).rounded()), memory: Int64((totalMemory * scale).rounded()),
                           noTTLKeys: Int64((Double(total.noTTL) * scale).rounded()), groups: result, seconds: seconds,
                           interrupted: interrupted)
    }
}

extension UsageReport {
    /// What `usage --assert` may name: totals, and per group `FIELD{prefix|tag|type=GROUP}`.
    public static let assertionCatalog = AssertionCatalog(
        command: "usage", paths: ["keys", "memory", "no_ttl_keys", "scanned_keys"],
        labelledPaths: ["keys", "memory", "share", "no_ttl_keys", "ttl_p50", "ttl_p90", "ttl_max"],
        labels: UsageDimension.allCases.map(\.rawValue))

    /// Parses `usage` assertions; throws `.usage` for a malformed one, an unknown field, or a
    /// label that is not what the report groups by (`memory{tag=x}` needs `--by tag`).
    public static func assertions(parsing texts: [String], grouping: UsageGrouping) throws -> [StatsAssertion] {
        try texts.map { text in
            let assertion = try StatsAssertion(parsing: text, catalog: assertionCatalog)
            if let label = assertion.label, label.name != grouping.dimension.rawValue {
                throw CacheError(.usage, "Assertion \"\(text)\" names a \(label.name) but usage groups by \(grouping.dimension.rawValue)",
                                 hint: "add --by \(label.name)")
            }
            return assertion
        }
    }

    /// The value an assertion checks; a group that holds no key counts as zero keys, bytes and
    /// share, and has no TTL figures.
    public func value(for assertion: StatsAssertion) -> Double? {
        guard let label = assertion.label else {
            switch assertion.path {
            case "keys": return Double(keys)
            case "memory": return Double(memory)
            case "no_ttl_keys": return Double(noTTLKeys)
            case "scanned_keys": return Double(scannedKeys)
            default: return nil
            }
        }
        let group = groups.first { $0.name == label.value }
        switch assertion.path {
        case "keys": return Double(group?.keys ?? 0)
        case "memory": return Double(group?.memory ?? 0)
        case "share": return group?.share ?? 0
        case "no_ttl_keys": return Double(group?.noTTLKeys ?? 0)
        case "ttl_p50": return group?.ttlP50
        case "ttl_p90": return group?.ttlP90
        case "ttl_max": return group?.ttlMax
        default: return nil
        }
    }
}
