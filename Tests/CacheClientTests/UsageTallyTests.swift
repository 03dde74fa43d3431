@testable import CacheClient
import Testing

@Suite("usage: namespaces, tallies, sampled estimates, assertions with labels and sizes")
struct UsageTallyTests {
    @Test("namespaces are the key up to the N-th separator", arguments: [
        ("user:42:profile", 1, ":", "user"), ("user:42:profile", 2, ":", "user:42"), ("user:42:profile", 5, ":", "user:42"),
        ("session", 1, ":", "(no prefix)"), (":leading", 1, ":", ""), ("a::b", 2, ":", "a:"), ("a/b/c", 2, "/", "a/b"),
        ("x--y--z", 1, "--", "x"), ("ключ:значение", 1, ":", "ключ"),
    ])
    func namespace(key: String, depth: Int, separator: String, expected: String) throws {
        #expect(try UsageGrouping(depth: depth, separator: separator).namespace(of: key) == expected)
    }

    @Test("a depth below 1 or an empty separator is refused")
    func badGrouping() {
        #expect(throws: CacheError.self) { try UsageGrouping(depth: 0) }
        #expect(throws: CacheError.self) { try UsageGrouping(separator: "") }
    }

    static func key(_ name: String, _ size: Int64, ttl: Int64? = nil, role: KeyRole = .entry, tags: [String]? = nil) -> KeyInfo {
        KeyInfo(key: name, type: role == .counters ? "hash" : "string", ttlMilliseconds: ttl, size: size, role: role, tags: tags)
    }

    @Test("exact tallies: keys, bytes, shares, keys without TTL (not the counters hash), nearest-rank percentiles, biggest key")
    func exact() throws {
        var tally = UsageTally(grouping: try UsageGrouping())
        for i in 1...10 { tally.add(Self.key("s:\(i)", 100, ttl: Int64(i) * 1000)) }
        tally.add(Self.key("u:1", 600))
        tally.add(Self.key("cache:stats", 300, role: .counters))
        let report = tally.report(backend: "redis", endpoint: "x", mode: .exact, seconds: 0, interrupted: false)
        #expect(report.keys == 12 && report.memory == 1900 && report.noTTLKeys == 1)
        let s = try #require(report.groups.first { $0.name == "s" })
        #expect(s.keys == 10 && s.memory == 1000 && s.noTTLKeys == 0 && s.shareMargin == nil)
        #expect(abs(s.share - 100 * 1000 / 1900) < 1e-9)
        #expect(s.ttlP50 == 5 && s.ttlP90 == 9 && s.ttlMax == 10)
        #expect(report.groups.map(\.name) == ["s", "u", "cache"])
        #expect(report.groups.first { $0.name == "cache" }?.noTTLKeys == 0)
        #expect(report.groups.first { $0.name == "u" }?.biggestKey?.key == "u:1")
    }

    @Test("by tag: an entry counts in each of its tags; untagged entries and the index have groups of their own")
    func byTag() throws {
        var tally = UsageTally(grouping: try UsageGrouping(dimension: .tag))
        tally.add(Self.key("a", 100, tags: ["x", "y"]))
        tally.add(Self.key("b", 50, tags: []))
        tally.add(Self.key("cache:tag:x", 10, role: .tagSet))
        let report = tally.report(backend: "redis", endpoint: "x", mode: .exact, seconds: 0, interrupted: false)
        let names = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.name, $0.memory) })
        #expect(names == ["x": 100, "y": 100, UsageGrouping.untagged: 50, UsageGrouping.tagSets: 10])
        #expect(report.memory == 160)
    }

    /// Draws with replacement from a known population; the 95% intervals must cover the true
    /// shares about 95% of the time (checked over 200 seeded repetitions). With a heavy tail (0.2%
    /// of the keys holding a third of a namespace's bytes) the delta-method interval is known to
    /// be optimistic: it covers about 90%, which the README says (use --exact for such caches).
    @Test("sampled shares: the stated 95% interval covers the truth about 95% of the time (90% with a heavy tail)",
          arguments: [(false, 0.93), (true, 0.86)])
    func coverage(heavyTail: Bool, atLeast: Double) throws {
        var population: [KeyInfo] = []
        for i in 0..<3000 { population.append(Self.key("a:\(i)", 100)) }
        for i in 0..<1500 { population.append(Self.key("b:\(i)", 400 + Int64(i % 7) * 50)) }
        for i in 0..<500 { population.append(Self.key("c:\(i)", heavyTail && i % 50 == 0 ? 20_000 : 800)) }
        let total = Double(population.reduce(0) { $0 + $1.size })
        let truth = ["a": Double(population[..<3000].reduce(0) { $0 + $1.size }) / total * 100,
                     "b": Double(population[3000..<4500].reduce(0) { $0 + $1.size }) / total * 100,
                     "c": Double(population[4500...].reduce(0) { $0 + $1.size }) / total * 100]
        var generator = SplitMix64(seed: 13)
        var covered = 0, checks = 0
        var byGroup: [String: Int] = [:]
        for _ in 0..<200 {
            var tally = UsageTally(grouping: try UsageGrouping())
            for _ in 0..<1000 { tally.add(population[Int.random(in: 0..<population.count, using: &generator)]) }
            let report = tally.report(backend: "redis", endpoint: "x", mode: .sampled(sampled: 1000, population: 5000), seconds: 0,
                                      interrupted: false)
            for group in report.groups {
                checks += 1
                if abs(group.share - truth[group.name]!) <= group.shareMargin! {
                    covered += 1
                    byGroup[group.name, default: 0] += 1
                }
            }
            #expect(abs(Double(report.keys) - 5000) < 1)
        }
        let rate = Double(covered) / Double(checks)
        #expect(rate >= atLeast && rate < 0.99, "coverage \(rate) \(byGroup)")
    }

    @Test("labelled fields and size units parse; the failure line shows the unit written", arguments: [
        ("memory{prefix=session}<=512MiB", "memory", "session", 536_870_912.0, "MiB"),
        ("keys{tag=a b}>=10", "keys", "a b", 10, nil),
        ("share{type=hash} < 2.5%", "share", "hash", 2.5, nil),
        ("memory{prefix=x<y}==1KB", "memory", "x<y", 1000, "KB"),
    ])
    func labels(text: String, path: String, group: String, expected: Double, unit: String?) throws {
        let assertion = try StatsAssertion(parsing: text, catalog: UsageReport.assertionCatalog)
        #expect(assertion.path == path && assertion.label?.value == group && assertion.expected == expected && assertion.unit == unit)
    }

    @Test("bad usage assertions are usage errors", arguments: ["memory{size=x}<1", "share>1", "memory{prefix=x}", "memory{prefix=x<1",
                                                                "memory{prefix}<1", "memory{prefix=x} junk <1", "memory<1XB", "keys<-"])
    func badLabels(text: String) {
        #expect { try StatsAssertion(parsing: text, catalog: UsageReport.assertionCatalog) } throws: { ($0 as? CacheError)?.kind == .usage }
    }

    @Test("stats fields take no labels, and keep their messages")
    func statsUnchanged() throws {
        #expect { try StatsAssertion(parsing: "hit_rate{prefix=x}>1") } throws: { ($0 as? CacheError)?.kind == .usage }
        #expect(try StatsAssertion(parsing: "memory<=1GiB").expected == 1_073_741_824)
        let result = try StatsAssertion(parsing: "memory<=1KiB").evaluate(actual: 2048)
        #expect(result.failureMessage == "assertion failed: memory 2.00KiB <= 1KiB")
    }

    @Test("byte counts", arguments: [("4096", Int64(4096)), ("10KB", 10_000), ("1.5MiB", 1_572_864), ("2 gb", 2_000_000_000), ("0", 0)])
    func bytes(text: String, value: Int64) { #expect(ByteCount.parse(text) == value) }

    @Test("bad byte counts", arguments: ["", "-1", "lots", "5%", "1e30", "nan", "inf KB"])
    func badBytes(text: String) { #expect(ByteCount.parse(text) == nil) }
}

@Suite("sampling over several primaries")
struct SampleAllocationTests {
    @Test("draws are split in proportion to each primary's DBSIZE and add up to the sample", arguments: [
        (3000, [100, 200, 300] as [Int64], [500, 1000, 1500]), (10, [1, 1, 1], [4, 3, 3]), (7, [0, 5, 0], [0, 7, 0]),
        (5, [0, 0], [0, 0]), (20_000, [333_333, 333_333, 333_334], [6667, 6666, 6667]), (1, [10, 1_000_000], [0, 1]),
    ])
    func allocation(count: Int, sizes: [Int64], expected: [Int]) {
        let shares = RedisBackend.allocate(count, over: sizes)
        #expect(shares == expected)
        if sizes.contains(where: { $0 > 0 }) { #expect(shares.reduce(0, +) == count) }
    }
}
