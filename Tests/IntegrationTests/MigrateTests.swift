import CacheClient
import Foundation
import Testing
import cachectlTests

/// `migrate` between databases 1 and 2 of the test server, the snapshot file and JSON Lines,
/// each test in its own key namespace, cleaned up even when it fails.
@Suite("migrate", .serialized)
struct MigrateTests {
    let base: String
    let namespace = "mig-\(UInt32.random(in: 0...UInt32.max)):"
    let directory: URL

    init() throws {
        base = try TestEnvironment.redisURL
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var a: String { base + "/1" }
    var b: String { base + "/2" }
    var prefixOptions: [String] { ["--key-prefix", namespace, "--tag-prefix", namespace + "tag:", "--stats-key", namespace + "stats"] }
    var configuration: CacheConfiguration { CacheConfiguration(keyPrefix: namespace, tagPrefix: namespace + "tag:", statsKey: namespace + "stats") }

    func redis(_ url: String, _ args: String...) throws -> String {
        try ProcessRunner.run("redis-cli", ["-u", url] + args).stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `body`, then removes every key of the namespace from both databases and the temp dir.
    func cleaned(_ body: () throws -> Void) throws {
        defer {
            for url in [a, b] {
                let keys = (try? redis(url, "--scan", "--pattern", namespace + "*"))?.split(separator: "\n").map(String.init) ?? []
                if !keys.isEmpty { _ = try? ProcessRunner.run("redis-cli", ["-u", url, "DEL"] + keys) }
            }
            try? FileManager.default.removeItem(at: directory)
        }
        try body()
    }

    func migrate(_ args: [String], stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(["migrate"] + prefixOptions + args, stdin: stdin)
    }

    @Test("JSON Lines → Redis keeps TTLs, tags and binary values")
    func jsonLinesToRedis() throws {
        try cleaned {
            let lines = """
                {"key":"article:1","value":"héllo","ttl":300,"tags":["articles","article:1"]}
                {"key":"bin","value_base64":"AP8BAg==","ttl":null,"tags":["blobs"]}
                {"key":"obj","value":{"a":1},"ttl":60}
                """
            let result = try migrate(["--from", "jsonl:-", "--to", b, "--verify"], stdin: Data(lines.utf8))
            #expect(result.status == 0, "\(result.stderr.text)")
            #expect(result.stdout.text.contains("copied 3"))
            let entries = try Cache(url: b, configuration: configuration).backend.entries(["article:1", "bin", "obj"])
            #expect(entries[0]?.value == Array("héllo".utf8))
            #expect(entries[1]?.value == [0, 255, 1, 2])
            #expect(entries[1]?.expiry == .never)
            #expect(entries[2]?.value == Array("{\"a\":1}".utf8))
            let ttl = Int(try redis(b, "TTL", namespace + "article:1")) ?? 0
            #expect((295...300).contains(ttl))
            #expect(try redis(b, "SISMEMBER", namespace + "tag:articles", namespace + "article:1") == "1")
            #expect(try redis(b, "SISMEMBER", namespace + "tag:blobs", namespace + "bin") == "1")
        }
    }

    @Test("Redis → snapshot → Redis round trip is lossless")
    func snapshotRoundTrip() throws {
        try cleaned {
            let cache = try Cache(url: a, configuration: configuration)
            try cache.set("k1", [0, 1, 2, 255, 10], ttl: .seconds(1000), tags: ["t1", "t2"])
            try cache.set("k2", "plain", ttl: .never, tags: ["t1"])
            try cache.set("k3", "short", ttl: .seconds(50))
            let snapshot = "file:" + directory.appendingPathComponent("cache.snapshot").path
            let out = try migrate(["--from", a, "--to", snapshot, "--verify"])
            #expect(out.status == 0, "\(out.stderr.text)")
            let back = try migrate(["--from", snapshot, "--to", b, "--verify", "--format", "json"])
            #expect(back.status == 0, "\(back.stderr.text)")
            let report = try JSONSerialization.jsonObject(with: back.stdout) as? [String: Any]
            #expect(report?["copied"] as? Int == 3)
            #expect(report?["tag_memberships"] as? Int == 3)
            let original = try cache.backend.entries(["k1", "k2", "k3"])
            let copied = try Cache(url: b, configuration: configuration).backend.entries(["k1", "k2", "k3"])
            for (x, y) in zip(original, copied) {
                #expect(x?.value == y?.value)
                #expect(abs((x?.expiry.milliseconds ?? 0) - (y?.expiry.milliseconds ?? 0)) < 2000)
            }
            #expect(try redis(b, "SMEMBERS", namespace + "tag:t2") == namespace + "k1")
        }
    }

    @Test("a conflict under the default policy exits 65 and writes nothing; skip completes")
    func conflictDefault() throws {
        try cleaned {
            let source = try Cache(url: a, configuration: configuration)
            for index in 0..<5 { try source.set("c\(index)", "v\(index)") }
            try Cache(url: b, configuration: configuration).set("c3", "already")
            let refused = try migrate(["--from", a, "--to", b])
            #expect(refused.status == 65)
            #expect(refused.stderr.text.contains("\"c3\""))
            #expect(try redis(b, "EXISTS", namespace + "c0") == "0")
            #expect(try redis(b, "GET", namespace + "c3") == "already")
            let skipped = try migrate(["--from", a, "--to", b, "--on-conflict", "skip", "--format", "json"])
            #expect(skipped.status == 0, "\(skipped.stderr.text)")
            let report = try JSONSerialization.jsonObject(with: skipped.stdout) as? [String: Any]
            #expect(report?["copied"] as? Int == 4)
            #expect(report?["conflicts"] as? Int == 1)
            #expect(try redis(b, "GET", namespace + "c3") == "already")
        }
    }

    @Test("a hash with a TTL crosses Redis → Redis intact; into a snapshot it is not copied: exit 1 unless --strings-only")
    func hashWithTTL() throws {
        try cleaned {
            _ = try redis(a, "HSET", namespace + "h", "f1", "v1", "f2", "v2")
            _ = try redis(a, "PEXPIRE", namespace + "h", "600000")
            _ = try redis(a, "SET", namespace + "s", "v")
            let result = try migrate(["--from", a, "--to", b, "--verify"])
            #expect(result.status == 0, "\(result.stderr.text)")
            #expect(try redis(b, "HGET", namespace + "h", "f2") == "v2")
            let pttl = Int(try redis(b, "PTTL", namespace + "h")) ?? 0
            #expect((590_000...600_000).contains(pttl))
            let snapshot = "file:" + directory.appendingPathComponent("out.snapshot").path
            let json = try migrate(["--from", a, "--to", snapshot, "--format", "json"])
            #expect(json.status == 1, "a hash in scope was not copied: \(json.stderr.text)")
            #expect(json.stderr.text.contains("hash"))
            let report = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
            #expect((report?["skipped_types"] as? [String: Int])?["hash"] == 1)
            #expect(report?["copied"] as? Int == 1)
            let optedOut = try migrate(["--from", a, "--to", snapshot, "--on-conflict", "replace", "--strings-only"])
            #expect(optedOut.status == 0, "\(optedOut.stderr.text)")
        }
    }

    @Test("Redis → JSON Lines → Redis is lossless for sets, hashes, lists, sorted sets and streams, with TTLs and tags")
    func everyTypeThroughJSONLines() throws {
        try cleaned {
            let key = { (name: String) in self.namespace + name }
            _ = try redis(a, "SADD", key("set"), "a", "b", "c", "ünï")
            _ = try redis(a, "HSET", key("hash"), "f1", "v1", "f2", "")
            _ = try redis(a, "RPUSH", key("list"), "x", "y", "x")
            _ = try redis(a, "ZADD", key("zset"), "1.5", "m1", "-2", "m2", "+inf", "m3")
            _ = try redis(a, "XADD", key("stream"), "1-1", "field", "value")
            _ = try redis(a, "PEXPIRE", key("set"), "600000")
            _ = try redis(a, "SADD", key("tag:group"), key("set"), key("hash"))
            let path = directory.appendingPathComponent("all.jsonl").path
            let out = try migrate(["--from", a, "--to", "jsonl:" + path])
            #expect(out.status == 0, "\(out.stderr.text)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("\"type\":\"set\""), "\(text)")
            #expect(text.contains("\"type\":\"zset\""), "\(text)")
            let back = try migrate(["--from", "jsonl:" + path, "--to", b, "--verify"])
            #expect(back.status == 0, "\(back.stdout.text) \(back.stderr.text)")
            #expect(try redis(b, "SCARD", key("set")) == "4")
            #expect(try redis(b, "SISMEMBER", key("set"), "ünï") == "1")
            #expect(try redis(b, "HGET", key("hash"), "f1") == "v1")
            #expect(try redis(b, "HEXISTS", key("hash"), "f2") == "1")
            #expect(try redis(b, "LRANGE", key("list"), "0", "-1") == "x\ny\nx")
            #expect(try redis(b, "ZSCORE", key("zset"), "m1") == "1.5")
            #expect(try redis(b, "ZSCORE", key("zset"), "m3") == "inf")
            #expect(try redis(b, "XLEN", key("stream")) == "1")
            let pttl = Int(try redis(b, "PTTL", key("set"))) ?? 0
            #expect((590_000...600_000).contains(pttl))
            #expect(try redis(b, "SISMEMBER", key("tag:group"), key("hash")) == "1")
        }
    }

    @Test("JSON Lines → Redis over many batches in flight: exact counts, the sets counter, tags and existing keys left alone")
    func manyBatchesInFlight() throws {
        try cleaned {
            // 3,500 strings (four batches, each sent before the previous one's replies are read),
            // a set between them (written at once, after the replies still owed), existing keys in
            // three of the batches.
            var lines: [String] = []
            for index in 0..<3500 {
                lines.append(#"{"key":"item:\#(index)","value":"v\#(index)","ttl":600,"tags":["item:\#(index)","group:\#(index % 3)"]}"#)
                if index == 1200 { lines.append(#"{"key":"set:1","type":"set","members":["a","b"],"ttl":60,"tags":["group:0"]}"#) }
            }
            let existing = [5, 1500, 3001]
            let cache = try Cache(url: b, configuration: configuration)
            for index in existing { try cache.set("item:\(index)", "old", ttl: .seconds(600)) }
            let counterBefore = Int(try redis(b, "HGET", namespace + "stats", "sets")) ?? 0
            let result = try migrate(["--from", "jsonl:-", "--to", b, "--on-conflict", "skip", "--format", "json"],
                                     stdin: Data(lines.joined(separator: "\n").utf8))
            #expect(result.status == 0, "\(result.stderr.text)")
            let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
            #expect(report?["copied"] as? Int == 3498, "\(result.stdout.text)")
            #expect(report?["conflicts"] as? Int == 3)
            #expect(report?["scanned"] as? Int == 3501)
            let counterAfter = Int(try redis(b, "HGET", namespace + "stats", "sets")) ?? 0
            #expect(counterAfter - counterBefore == 3498, "the counter moves with the writes the server made")
            for index in existing { #expect(try redis(b, "GET", namespace + "item:\(index)") == "old") }
            #expect(try redis(b, "GET", namespace + "item:3499") == "v3499")
            #expect(try redis(b, "SCARD", namespace + "set:1") == "2")
            // Every entry sits in its tags, also the existing ones (a rerun repairs the index).
            #expect(try redis(b, "SCARD", namespace + "tag:group:0") == "\(3500 / 3 + 1 + 1)")
            #expect(try redis(b, "SISMEMBER", namespace + "tag:item:3499", namespace + "item:3499") == "1")
            let pttl = Int(try redis(b, "PTTL", namespace + "tag:item:2000")) ?? 0
            #expect((590_000...600_000).contains(pttl), "a tag set lives as long as its member")
        }
    }

    @Test("Redis → Redis --verify compares sets by content, not by DUMP bytes")
    func verifyComparesContent() throws {
        try cleaned {
            // The same members inserted in another order (and a set big enough to be a hashtable
            // rather than a listpack) DUMP to different bytes.
            let members = (0..<200).map { "m\($0)" }
            _ = try ProcessRunner.run("redis-cli", ["-u", a, "SADD", namespace + "big"] + members)
            let copy = try migrate(["--from", a, "--to", b])
            #expect(copy.status == 0, "\(copy.stderr.text)")
            _ = try redis(b, "DEL", namespace + "big")
            _ = try ProcessRunner.run("redis-cli", ["-u", b, "SADD", namespace + "big"] + members.reversed())
            let verify = try migrate(["--from", a, "--to", b, "--on-conflict", "skip", "--verify"])
            #expect(verify.status == 0, "\(verify.stdout.text) \(verify.stderr.text)")
            _ = try redis(b, "SREM", namespace + "big", "m7")
            let planted = try migrate(["--from", a, "--to", b, "--on-conflict", "skip", "--verify"])
            #expect(planted.status == 1, "a missing member is a difference: \(planted.stderr.text)")
        }
    }

    @Test("--verify catches a planted difference and exits 1 listing it")
    func verifyCatchesDifference() throws {
        try cleaned {
            let cache = try Cache(url: a, configuration: configuration)
            try cache.set("v1", "same", ttl: .seconds(600))
            try cache.set("v2", "original", ttl: .seconds(600))
            try Cache(url: b, configuration: configuration).set("v2", "planted", ttl: .seconds(600))
            let result = try migrate(["--from", a, "--to", b, "--on-conflict", "skip", "--verify"])
            #expect(result.status == 1)
            #expect(result.stderr.text.contains("mismatch: v2: value differs"), "\(result.stderr.text)")
        }
    }

    @Test("an unreachable target exits 69 before anything is read or written")
    func unreachable() throws {
        try cleaned {
            let result = try migrate(["--from", a, "--to", "redis://127.0.0.1:1/0"])
            #expect(result.status == 69)
        }
    }

    @Test("a dry run writes nothing and reports conflicts")
    func dryRun() throws {
        try cleaned {
            let cache = try Cache(url: a, configuration: configuration)
            try cache.set("d1", "x")
            try cache.set("d2", "y")
            try Cache(url: b, configuration: configuration).set("d2", "z")
            let result = try migrate(["--from", a, "--to", b, "--dry-run", "--format", "json"])
            #expect(result.status == 0, "\(result.stderr.text)")
            let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
            #expect(report?["conflicts"] as? Int == 1)
            #expect(report?["copied"] as? Int == 1)
            #expect(try redis(b, "EXISTS", namespace + "d1") == "0")
        }
    }
}
