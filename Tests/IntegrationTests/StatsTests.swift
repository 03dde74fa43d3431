import CacheClient
import Foundation
import Testing
import cachectlTests

/// `stats` against the real test server, each test with its own counters hash and key prefix.
@Suite("stats", .serialized)
struct StatsTests {
    let url: String
    let namespace = "stats-test-\(UInt32.random(in: 0...UInt32.max)):"

    init() throws { url = try TestEnvironment.redisURL + "/4" }

    /// Outside the key prefix, so the counters hash is not counted as an entry.
    var statsKey: String { "counters-" + namespace }
    var options: [String] { ["--url", url, "--stats-key", statsKey, "--key-prefix", namespace] }

    func withCache(_ body: (Cache) throws -> Void) throws {
        let configuration = CacheConfiguration(keyPrefix: namespace, statsKey: statsKey)
        let cache = try Cache(url: url, configuration: configuration)
        defer {
            let keys = (try? RedisEntrySource(cache.backend as! RedisBackend).allKeys(prefix: namespace)) ?? []
            _ = try? cache.backend.delete(keys)
            _ = try? ProcessRunner.run("redis-cli", ["-u", url, "DEL", statsKey])
        }
        try body(cache)
    }

    func json(_ args: [String]) throws -> (Int32, [String: Any], String) {
        let result = try CLI.run(["stats"] + options + ["--format", "json"] + args)
        let object = (try? JSONSerialization.jsonObject(with: result.stdout)) as? [String: Any] ?? [:]
        return (result.status, object, result.stderr.text)
    }

    @Test("reads through the library count hits and misses; the CLI's own get does not")
    func hitRate() throws {
        try withCache { cache in
            try cache.set("a", "1")
            for _ in 0..<3 { _ = try cache.get("a") }
            _ = try cache.get("missing")
            _ = try cache.value(for: "b") { Array("computed".utf8) }  // a miss, then a set
            _ = try cache.value(for: "b") { Array("unused".utf8) }  // a hit
            _ = try CLI.run(["get", "a", "missing"] + options)
            let (status, object, stderr) = try json([])
            #expect(status == 0, "\(stderr)")
            let app = object["app"] as? [String: Any]
            #expect(app?["hits"] as? Int == 4)
            #expect(app?["misses"] as? Int == 2)
            #expect(object["hit_rate"] as? Double == 66.67)
            #expect(object["hit_rate_source"] as? String == "app")
            #expect(object["entries"] as? Int == 2)
        }
    }

    @Test("--window measures the window, not the history")
    func window() throws {
        try withCache { cache in
            try cache.set("a", "1")
            for _ in 0..<10 { _ = try cache.get("nope") }  // history: all misses
            let configuration = cache.backend.configuration
            let url = url
            let reader = Thread {
                Thread.sleep(forTimeInterval: 0.3)
                if let cache = try? Cache(url: url, configuration: configuration) {
                    for _ in 0..<9 { _ = try? cache.get("a") }
                    _ = try? cache.get("nope")
                }
            }
            reader.start()
            let (status, object, stderr) = try json(["--window", "1500ms"])
            #expect(status == 0, "\(stderr)")
            #expect(object["hit_rate"] as? Double == 90)
            #expect((object["window"] as? Double ?? 0) >= 1.4)
            #expect((object["app"] as? [String: Any])?["misses"] as? Int == 1)
        }
    }

    @Test("assertions: exit 0 when all hold, 1 with one stderr line per failure, 64 for an unknown field")
    func assertions() throws {
        try withCache { cache in
            try cache.set("a", "1")
            for _ in 0..<29 { _ = try cache.get("a") }
            for _ in 0..<11 { _ = try cache.get("zz") }
            let passing = try CLI.run(["stats"] + options + ["--assert", "hit_rate>=70", "--assert", "evicted_keys==0"])
            #expect(passing.status == 0, "\(passing.stderr.text)")
            let failing = try CLI.run(["stats"] + options + ["--assert", "hit_rate>=90"])
            #expect(failing.status == 1)
            #expect(failing.stderr.text == "assertion failed: hit_rate 72.50 >= 90\n")
            let (status, object, _) = try json(["--assert", "hit_rate>=90", "--assert", "app.hits==29"])
            #expect(status == 1)
            let results = object["assertions"] as? [[String: Any]] ?? []
            #expect(results.count == 2)
            #expect(results.first?["expression"] as? String == "hit_rate>=90")
            #expect(results.first?["actual"] as? Double == 72.5)
            #expect(results.first?["passed"] as? Bool == false)
            #expect(results.last?["passed"] as? Bool == true)
            let unknown = try CLI.run(["stats"] + options + ["--assert", "bogus>1"])
            #expect(unknown.status == 64)
            #expect(unknown.stderr.text.contains("bogus") && unknown.stderr.text.contains("server.evicted_keys"))
        }
    }

    @Test("--reset zeroes the app counters; --reset --server refuses without a terminal or --yes")
    func reset() throws {
        try withCache { cache in
            _ = try cache.get("zz")
            let result = try CLI.run(["stats"] + options + ["--reset", "-q"])
            #expect(result.status == 0, "\(result.stderr.text)")
            let (_, object, _) = try json([])
            #expect((object["app"] as? [String: Any])?["misses"] as? Int == 0)
            let refused = try CLI.run(["stats"] + options + ["--reset", "--server"])
            #expect(refused.status == 64)
        }
    }

    @Test("--watch --count prints one JSON object per sample off a terminal")
    func watch() throws {
        let result = try CLI.run(["stats"] + options + ["--watch", "100ms", "--count", "3", "--format", "jsonl"])
        #expect(result.status == 0, "\(result.stderr.text)")
        let lines = result.stdout.text.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil) }
    }

    @Test("--format prometheus parses with the Prometheus client's text parser")
    func prometheus() throws {
        let result = try CLI.run(["stats"] + options + ["--format", "prometheus"])
        #expect(result.status == 0, "\(result.stderr.text)")
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
            hits = families.get('cachectl_hits') or families['cachectl_hits_total']
            assert hits.type == 'counter', hits.type
            assert families['cachectl_entries'].type == 'gauge'
            print(len(families))
            """
        let parsed = try ProcessRunner.run("python3", ["-c", script], stdin: result.stdout)
        #expect(parsed.status == 0, "python3: \(parsed.stderr.text)")
        #expect((Int(parsed.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 10)
    }
}

extension RedisEntrySource {
    /// Every entry key under `prefix` (for test cleanup).
    func allKeys(prefix: String) throws -> [String] {
        var keys: [String] = []
        try scan(pattern: nil, batchSize: 1000, serialized: false, keysOnly: true) { keys += $0.records.map(\.key) }
        return keys
    }
}
