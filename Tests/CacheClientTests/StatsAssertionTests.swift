import CacheClient
import Testing

@Suite("stats assertions, rates and Prometheus text")
struct StatsAssertionTests {
    static func statistics(hits: Int64, misses: Int64, serverHits: Int64 = 0, serverMisses: Int64 = 0,
                           evicted: Int64 = 0, commands: Int64 = 0) -> BackendStatistics {
        var server = ServerStatistics()
        server.hits = serverHits
        server.misses = serverMisses
        server.evictedKeys = evicted
        server.expiredKeys = 0
        server.totalCommands = commands
        server.version = "7.0.15"
        return BackendStatistics(backend: "redis", endpoint: "redis://127.0.0.1:6379", app: AppCounters(hits: hits, misses: misses),
                                 server: server, entries: 10, tags: 2, memoryBytes: 1024, pingLatency: 0.001)
    }

    @Test("parses FIELD OP NUMBER with every operator", arguments: [
        ("hit_rate>=90", "hit_rate", StatsAssertion.Comparison.greaterOrEqual, 90.0),
        ("app.hit_rate > 80", "app.hit_rate", .greater, 80),
        ("server.evicted_keys==0", "server.evicted_keys", .equal, 0),
        ("evicted_keys<=3", "server.evicted_keys", .lessOrEqual, 3),
        ("ping_latency<0.5", "ping_latency", .less, 0.5),
    ])
    func parses(text: String, field: String, comparison: StatsAssertion.Comparison, expected: Double) throws {
        let assertion = try StatsAssertion(parsing: text)
        #expect(assertion.field == field)
        #expect(assertion.comparison == comparison)
        #expect(assertion.expected == expected)
    }

    @Test("an unknown field is a usage error naming the valid fields")
    func unknownField() {
        #expect(throws: CacheError.self) { try StatsAssertion(parsing: "bogus>1") }
        do {
            _ = try StatsAssertion(parsing: "bogus>1")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
            #expect(error.description.contains("\"bogus\""))
            #expect(error.description.contains("server.evicted_keys"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("ambiguous short names and malformed expressions are usage errors", arguments: ["hits>1", "hit_rate=90", "hit_rate>=abc", ">=3"])
    func malformed(text: String) {
        #expect { try StatsAssertion(parsing: text) } throws: { ($0 as? CacheError)?.kind == .usage }
    }

    @Test("a failed assertion says field, actual, operator and threshold")
    func failureMessage() throws {
        let report = StatsReport(Self.statistics(hits: 29, misses: 11))
        let result = try StatsAssertion(parsing: "hit_rate>=90").evaluate(report)
        #expect(!result.passed)
        #expect(result.actual == 72.5)
        #expect(result.failureMessage == "assertion failed: hit_rate 72.50 >= 90")
        #expect(try StatsAssertion(parsing: "server.evicted_keys==0").evaluate(report).passed)
    }

    @Test("a window uses the difference of two samples, not the history")
    func window() {
        let earlier = Self.statistics(hits: 1000, misses: 9000, serverHits: 50, serverMisses: 50, commands: 1000)
        let later = Self.statistics(hits: 1090, misses: 9010, serverHits: 150, serverMisses: 50, commands: 3000)
        let report = StatsReport(from: earlier, to: later, elapsed: 2)
        #expect(report.appHitRate == 90)
        #expect(report.hitRate == 90)
        #expect(report.serverHitRate == 100)
        #expect(report.appReadsPerSecond == 50)
        #expect(report.serverOpsPerSecond == 1000)
        #expect(report.cumulative.app.hits == 1090)
        #expect(StatsReport(later).appHitRate == 10.79)
    }

    @Test("the hit rate falls back to the server's when the app has no reads")
    func source() {
        let report = StatsReport(Self.statistics(hits: 0, misses: 0, serverHits: 3, serverMisses: 1))
        #expect(report.hitRateSource == "server")
        #expect(report.hitRate == 75)
    }

    @Test("Prometheus text has HELP and TYPE lines, _total counters and source labels")
    func prometheus() {
        let text = StatsExposition.text(StatsReport(Self.statistics(hits: 29, misses: 11, serverHits: 3, serverMisses: 1)))
        #expect(text.contains("# TYPE cachectl_hits_total counter\n"))
        #expect(text.contains("cachectl_hits_total{source=\"app\"} 29\n"))
        #expect(text.contains("cachectl_hits_total{source=\"server\"} 3\n"))
        #expect(text.contains("cachectl_hit_rate_percent{source=\"app\"} 72.5\n"))
        #expect(text.contains("# TYPE cachectl_entries gauge\ncachectl_entries 10\n"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.hasPrefix("cachectl_"), "\(line)")
        }
    }

    @Test("Redis globs match as SCAN MATCH does", arguments: [
        ("article:*", "article:1", true), ("article:*", "user:1", false), ("a?c", "abc", true),
        ("[ab]x", "bx", true), ("[^ab]x", "bx", false), ("k[0-9]", "k7", true), ("a\\*", "a*", true), ("a\\*", "ab", false),
        ("*:*:end", "x:y:end", true), ("*", "", true),
    ])
    func glob(pattern: String, key: String, matches: Bool) {
        #expect(RedisGlob.matches(pattern, key) == matches)
    }
}
