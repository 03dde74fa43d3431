import CacheClient
import Foundation
import Testing

/// A key namespace of its own per test, removed afterwards even when the test throws.
struct RedisNamespace {
    let prefix = "test:\(UUID().uuidString.prefix(8)):"
    let configuration: CacheConfiguration
    let url: String

    init() throws {
        url = try TestEnvironment.redisURL
        configuration = CacheConfiguration(keyPrefix: prefix, tagPrefix: prefix + "tag:", statsKey: prefix + "stats")
    }

    /// The CLI options that select this namespace's prefixes (`--url` not included).
    var prefixOptions: [String] { ["--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats"] }

    func backend() throws -> RedisBackend {
        guard case .redis(let address, let database, let credentials) = try Endpoint(parsing: url) else {
            throw CacheError(.usage, "CACHECTL_TEST_REDIS_URL is not a redis:// URL")
        }
        return try RedisBackend(address: address, database: database, credentials: credentials, configuration: configuration)
    }

    func connection() throws -> RedisConnection {
        guard case .redis(let address, _, _) = try Endpoint(parsing: url) else { throw CacheError(.usage, "not redis") }
        return try RedisConnection(address: address, timeout: 5)
    }

    func withCleanup<T>(_ body: () throws -> T) throws -> T {
        defer { try? cleanup() }
        return try body()
    }

    func cleanup() throws {
        let connection = try connection()
        var cursor = "0"
        repeat {
            let reply = try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", "1000"])
            cursor = reply.array?[0].string ?? "0"
            let keys = reply.array?[1].array?.compactMap(\.bytes) ?? []
            if !keys.isEmpty { try connection.send(["UNLINK"] + keys.map { RedisArgument(bytes: $0) }) }
        } while cursor != "0"
    }
}

@Suite(.serialized) struct RedisBackendTests {
    @Test func writesEntryTTLAndTagsAtomically() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            #expect(try backend.write(Entry(key: "article:1", value: Array("v".utf8), expiry: .seconds(300), tags: ["articles", "a1"]), ifAbsent: false))
            let raw = try ns.connection()
            #expect(try raw.send(["GET", RedisArgument(ns.prefix + "article:1")]) == .bulk(Array("v".utf8)))
            let members = try raw.send(["SMEMBERS", RedisArgument(ns.prefix + "tag:articles")])
            #expect(members == .array([.bulk(Array((ns.prefix + "article:1").utf8))]))
            let tagTTL = try raw.send(["PTTL", RedisArgument(ns.prefix + "tag:articles")]).integer ?? -3
            #expect(tagTTL > 290_000 && tagTTL <= 300_000)
            #expect(try raw.send(["HGET", RedisArgument(ns.prefix + "stats"), "sets"]).integer == 1)
        }
    }

    @Test func tagSetLivesAsLongAsItsLongestMember() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            let raw = try ns.connection()
            let tag = RedisArgument(ns.prefix + "tag:t")
            _ = try backend.write(Entry(key: "long", value: [1], expiry: .seconds(1000), tags: ["t"]), ifAbsent: false)
            _ = try backend.write(Entry(key: "short", value: [1], expiry: .seconds(10), tags: ["t"]), ifAbsent: false)
            #expect(try raw.send(["PTTL", tag]).integer ?? 0 > 900_000, "a shorter member must not shorten the set")
            _ = try backend.write(batch: [Entry(key: "longer", value: [1], expiry: .seconds(5000), tags: ["t"])], onlyMissing: false)
            #expect(try raw.send(["PTTL", tag]).integer ?? 0 > 4_900_000, "a longer member extends the set")
            _ = try backend.write(Entry(key: "forever", value: [1], expiry: .never, tags: ["t"]), ifAbsent: false)
            #expect(try raw.send(["PTTL", tag]).integer == -1, "a member without expiry makes the set persistent")
        }
    }

    @Test("tags of persistent and expiring members in one batch: lifetimes, a tag key of another type, replies in their places")
    func mixedLifetimesInOneBatch() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            let raw = try ns.connection()
            let tag = { (name: String) in RedisArgument(ns.prefix + "tag:" + name) }
            try raw.send(["SET", tag("broken"), "a string"])
            _ = try backend.write(Entry(key: "old", value: [1], expiry: .never, tags: ["kept"]), ifAbsent: false)
            let outcomes = try backend.writeEach(batch: [
                Entry(key: "p1", value: [1], expiry: .never, tags: ["forever", "mixed"]),
                Entry(key: "t1", value: [1], expiry: .seconds(600), tags: ["mixed", "timed", "kept"]),
                Entry(key: "b1", value: [1], expiry: .never, tags: ["forever", "broken"]),
                Entry(key: "t2", value: [1], expiry: .seconds(60), tags: ["timed"]),
            ], onlyMissing: false)
            #expect(outcomes[0] == .written && outcomes[1] == .written && outcomes[3] == .written)
            guard case .failed(let error) = outcomes[2] else { Issue.record("b1 must fail: \(outcomes[2])"); return }
            #expect(error.message.contains("broken"), "\(error.message)")
            #expect(try raw.send(["EXISTS", RedisArgument(ns.prefix + "b1")]).integer == 0, "no entry outside its tags")
            #expect(try raw.send(["PTTL", tag("forever")]).integer == -1)
            #expect(try raw.send(["PTTL", tag("mixed")]).integer == -1, "a persistent member keeps the set persistent")
            #expect(try raw.send(["PTTL", tag("kept")]).integer == -1, "a set persistent before stays persistent")
            let timed = try raw.send(["PTTL", tag("timed")]).integer ?? 0
            #expect(timed > 590_000 && timed <= 600_000, "the longest member's lifetime: \(timed)")
            #expect(try raw.send(["SCARD", tag("forever")]).integer == 2, "p1 and b1: a failed entry's membership is harmless")
            #expect(try raw.send(["SISMEMBER", tag("timed"), RedisArgument(ns.prefix + "t2")]).integer == 1)
            // One by one (set --if-absent): an existing entry's new membership is taken back, also for a persistent tag.
            #expect(try backend.write(Entry(key: "old", value: [2], expiry: .never, tags: ["forever"]), ifAbsent: true) == false)
            #expect(try raw.send(["SISMEMBER", tag("forever"), RedisArgument(ns.prefix + "old")]).integer == 0)
            #expect(try backend.write(Entry(key: "new", value: [2], expiry: .never, tags: ["forever"]), ifAbsent: true))
            #expect(try raw.send(["SISMEMBER", tag("forever"), RedisArgument(ns.prefix + "new")]).integer == 1)
        }
    }

    @Test func ifAbsentWritesNothingWhenTheKeyExists() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            #expect(try backend.write(Entry(key: "k", value: [1], expiry: .seconds(60), tags: nil), ifAbsent: true))
            #expect(try !backend.write(Entry(key: "k", value: [2], expiry: .seconds(60), tags: ["t"]), ifAbsent: true))
            #expect(try backend.entries(["k"])[0]?.value == [1])
            #expect(try ns.connection().send(["EXISTS", RedisArgument(ns.prefix + "tag:t")]).integer == 0)
        }
    }

    /// A rerun with only-missing repairs the index: an entry that exists gets its memberships too (issue 9).
    @Test func batchWriteOnlyMissingIndexesExistingEntriesToo() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            _ = try backend.write(Entry(key: "old", value: [0], expiry: .never, tags: nil), ifAbsent: false)
            let written = try backend.write(batch: [
                Entry(key: "old", value: [9], expiry: .seconds(60), tags: ["t"]),
                Entry(key: "new", value: [1], expiry: .seconds(60), tags: ["t"]),
            ], onlyMissing: true)
            #expect(written == [false, true])
            #expect(try backend.entries(["old"])[0]?.value == [0])
            let members = try ns.connection().send(["SMEMBERS", RedisArgument(ns.prefix + "tag:t")])
            #expect(Set(members.array?.compactMap(\.string) ?? []) == [ns.prefix + "new", ns.prefix + "old"])
        }
    }

    @Test func binaryValuesAndOddKeysRoundTrip() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            var generator = SystemRandomNumberGenerator()
            let value = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for key in ["with space", "ключ:ü:😀", "new\nline"] {
                _ = try backend.write(Entry(key: key, value: value, expiry: .seconds(60), tags: nil), ifAbsent: false)
                let back = try #require(try backend.entries([key])[0])
                #expect(back.value == value)
                #expect(back.expiry.seconds == 60)
            }
        }
    }

    @Test func deleteCountsWhatExisted() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let backend = try ns.backend()
            _ = try backend.write(Entry(key: "a", value: [1], expiry: .never, tags: nil), ifAbsent: false)
            #expect(try backend.delete(["a", "missing"]) == 1)
            #expect(try backend.exists(["a"]) == [false])
            #expect(try backend.statistics().app.deletes == 1)
        }
    }

    @Test func wrongTypeIsReportedNotMisread() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            try ns.connection().send(["HSET", RedisArgument(ns.prefix + "h"), "f", "v"])
            #expect(throws: CacheError.self) { try ns.backend().entries(["h"]) }
        }
    }

    @Test func pipelineKeepsOrderAndErrors() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let connection = try ns.connection()
            let key = RedisArgument(ns.prefix + "n")
            let replies = try connection.pipeline([["SET", key, "1"], ["INCR", key], ["HGET", key, "x"], ["GET", key], ["GET", RedisArgument(ns.prefix + "none")]])
            #expect(replies[0] == .status("OK"))
            #expect(replies[1] == .integer(2))
            #expect(replies[2].errorMessage?.hasPrefix("WRONGTYPE") == true)
            #expect(replies[3] == .bulk(Array("2".utf8)))
            #expect(replies[4] == .null)
            let many = try connection.pipeline((0..<20_000).map { _ in ["INCR", key] })
            #expect(many.last == .integer(20_002))
        }
    }

    @Test func unixSocketConnection() throws {
        let socket = try TestEnvironment.redisSocket
        let backend = try Backends.open(try Endpoint(parsing: "unix://\(socket)"), configuration: CacheConfiguration())
        #expect(try backend.ping().role == "master")
    }

    @Test func cacheFacadeCountsHitsAndMisses() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let cache = Cache(backend: try ns.backend())
            var computed = 0
            for _ in 0..<3 {
                let value = try cache.string(for: "article:7", ttl: .seconds(60), tags: ["articles"]) {
                    computed += 1
                    return "fresh"
                }
                #expect(value == "fresh")
            }
            #expect(computed == 1)
            let counters = try cache.backend.statistics().app
            #expect(counters.hits == 2)
            #expect(counters.misses == 1)
            #expect(counters.sets == 1)
        }
    }

    @Test func authenticationRefusedIsItsOwnError() throws {
        let url = try TestEnvironment.redisAuthURL
        do {
            _ = try Backends.open(try Endpoint(parsing: url).withPassword("wrong-password"), configuration: CacheConfiguration())
            Issue.record("a wrong password was accepted")
        } catch let error as CacheError {
            #expect(error.kind == .authentication)
            #expect(!error.description.contains("wrong-password"))
        }
        let password = try TestEnvironment.redisPassword
        let backend = try Backends.open(try Endpoint(parsing: url).withPassword(password), configuration: CacheConfiguration())
        #expect(try backend.ping().version != nil)
    }

    @Test func unreachableServerFailsWithinTheTimeout() throws {
        let start = ContinuousClock.now
        // A loopback port nobody listens on.
        #expect(throws: CacheError(.unreachable, "")) {
            do { _ = try RedisConnection(address: .tcp(host: "127.0.0.1", port: 1), timeout: 1) } catch let error as CacheError {
                throw CacheError(error.kind, "")
            }
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }
}
