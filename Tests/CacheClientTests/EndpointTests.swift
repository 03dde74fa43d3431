import Testing
@testable import CacheClient

@Suite struct EndpointParsingTests {
    @Test(arguments: [
        ("redis://localhost", Endpoint.redis(address: .tcp(host: "localhost", port: 6379), database: 0, credentials: .init())),
        ("redis://10.0.0.5:6380/2", .redis(address: .tcp(host: "10.0.0.5", port: 6380), database: 2, credentials: .init())),
        ("redis://:s3cret@h:1/0", .redis(address: .tcp(host: "h", port: 1), database: 0, credentials: .init(password: "s3cret"))),
        ("redis://app:pw@h", .redis(address: .tcp(host: "h", port: 6379), database: 0, credentials: .init(username: "app", password: "pw"))),
        ("redis://[::1]:7000", .redis(address: .tcp(host: "::1", port: 7000), database: 0, credentials: .init())),
        ("unix:///run/redis.sock?db=3", .redis(address: .unix(path: "/run/redis.sock"), database: 3, credentials: .init())),
        ("redis://h:6401?db=3", .redis(address: .tcp(host: "h", port: 6401), database: 3, credentials: .init())),
        ("redis://:pw@h?db=2", .redis(address: .tcp(host: "h", port: 6379), database: 2, credentials: .init(password: "pw"))),
        ("redis://h:1/4?db=4", .redis(address: .tcp(host: "h", port: 1), database: 4, credentials: .init())),
        ("redis+cluster://a:7000,b:7001", .cluster(seeds: [.tcp(host: "a", port: 7000), .tcp(host: "b", port: 7001)], credentials: .init())),
        ("file:/tmp/c.snapshot", .snapshot(path: "/tmp/c.snapshot")),
        ("./cache.snapshot", .snapshot(path: "./cache.snapshot")),
        ("jsonl:-", .jsonLines(path: "-")),
        ("dummy:", .dummy),
    ])
    func parses(url: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: url) == expected)
    }

    @Test(arguments: ["foo://x", "memcached://h:11211", "rediss://h:99999", "redis://h:99999", "redis://h/x", "file:",
                      "redis://h:1?x=1", "redis://h:1?db=x", "redis://h/1?db=2", "redis:/:pw@h:1", "redis:h", "dummy",
                      "redis//:pw@h:6379", "pw@h:6379"])
    func refusesAsUsageError(url: String) {
        #expect(throws: CacheError.self) { try Endpoint(parsing: url) }
        do {
            _ = try Endpoint(parsing: url)
            Issue.record("\(url) was accepted")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func redissIsRedisOverTLSWithThePasswordRedacted() throws {
        let endpoint = try Endpoint(parsing: "rediss://app:pw@cache.example.com:6380/2")
        #expect(endpoint == .redis(address: .tls(host: "cache.example.com", port: 6380), database: 2,
                                   credentials: .init(username: "app", password: "pw")))
        #expect(endpoint.description == "rediss://app:***@cache.example.com:6380/2")
        #expect(try Endpoint(parsing: "REDISS://[::1]").description == "rediss://[::1]:6379")
        // Ready for the cluster work: TLS seeds parse, the backend refuses them until cluster lands.
        #expect(try Endpoint(parsing: "rediss+cluster://a:7000,b:7001")
                == .cluster(seeds: [.tls(host: "a", port: 7000), .tls(host: "b", port: 7001)], credentials: .init()))
        #expect(try Endpoint(parsing: "rediss+cluster://a:7000").description == "rediss+cluster://a:7000")
    }
    @Test(arguments: [
        ("redis://:hunter2@h:6379/1", "redis://:***@h:6379/1"),
        ("redis://user:hunter2@h", "redis://user:***@h"),
        ("redis://hunter2@h", "redis://***@h"),
        ("redis://h:6379", "redis://h:6379"),
        ("redis://:hun/ter2@h", "redis://:***@h"),
        ("redis:/:hunter2@h:1", "redis:/:***@h:1"),
        ("redis//:hunter2@h:1", "redis//:***@h:1"),
        ("redis:user:hunter2@h", "redis:user:***@h"),
        ("hunter2@h:6379", "***@h:6379"),
    ])
    func redactsPasswords(url: String, shown: String) throws {
        #expect(Endpoint.redact(url) == shown)
        do {
            #expect(!(try Endpoint(parsing: url)).description.contains("hunter2"))
        } catch {
            #expect(!"\(error)".contains("hunter2"), "\(error)")
        }
    }

    @Test func unknownSchemeErrorNeverShowsThePassword() {
        do {
            _ = try Endpoint(parsing: "foo://:hunter2@h")
            Issue.record("foo:// was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}

@Suite struct EndpointResolutionTests {
    func resolve(_ url: String? = nil, _ env: [String: String]) throws -> EndpointResolution {
        try EndpointResolution.resolve(url: url, environment: env)
    }

    @Test func urlOptionWinsOverEverything() throws {
        let r = try resolve("dummy:", ["CACHECTL_URL": "redis://a", "REDIS_URL": "redis://b"])
        #expect(r.endpoint == .dummy)
        #expect(r.source == "--url")
    }

    @Test func cachectlURLWinsOverSeedVariables() throws {
        #expect(try resolve(nil, ["CACHECTL_URL": "file:/x", "REDIS_HOST": "h"]).endpoint == .snapshot(path: "/x"))
    }

    @Test func redisURLWhenBackendUnset() throws {
        let r = try resolve(nil, ["REDIS_URL": "redis://h:7/1"])
        #expect(r.endpoint == .redis(address: .tcp(host: "h", port: 7), database: 1, credentials: .init()))
    }

    @Test func redisHostPortDbPassword() throws {
        let r = try resolve(nil, ["CACHE_BACKEND": "redis", "REDIS_HOST": "cache", "REDIS_PORT": "6380", "REDIS_DB": "4", "REDIS_PASSWORD": "pw"])
        #expect(r.endpoint == .redis(address: .tcp(host: "cache", port: 6380), database: 4, credentials: .init(password: "pw")))
    }

    @Test func backendRedisWithoutHostMeansLocalhost() throws {
        #expect(try resolve(nil, ["CACHE_BACKEND": "redis"]).endpoint
                == .redis(address: .tcp(host: "127.0.0.1", port: 6379), database: 0, credentials: .init()))
    }

    @Test func memoryBackendUsesTheSnapshot() throws {
        #expect(try resolve(nil, ["CACHE_BACKEND": "locmem", "REDIS_HOST": "h", "CACHECTL_SNAPSHOT": "/s"]).endpoint == .snapshot(path: "/s"))
    }

    @Test func dummyBackend() throws {
        #expect(try resolve(nil, ["CACHE_BACKEND": "dummy"]).endpoint == .dummy)
    }

    @Test func defaultIsTheLocalSnapshot() throws {
        let r = try resolve(nil, [:])
        #expect(r.endpoint == .snapshot(path: ".cachectl/cache.snapshot"))
        #expect(r.source == "default")
    }

    @Test func unknownBackendIsAUsageError() {
        #expect(throws: CacheError(.usage, "Unknown CACHE_BACKEND \"memcached\"", hint: "use redis, locmem, memory, file or dummy")) {
            try resolve(nil, ["CACHE_BACKEND": "memcached"])
        }
    }

    @Test func defaultTimeout() throws {
        #expect(try EndpointResolution.defaultExpiry(environment: [:]) == .seconds(300))
        #expect(try EndpointResolution.defaultExpiry(environment: ["CACHE_DEFAULT_TIMEOUT": "60"]) == .seconds(60))
        #expect(throws: CacheError.self) { try EndpointResolution.defaultExpiry(environment: ["CACHE_DEFAULT_TIMEOUT": "soon"]) }
    }
}

@Suite struct ExpiryTests {
    @Test(arguments: [("300", Expiry.seconds(300)), ("5m", .seconds(300)), ("1h", .seconds(3600)), ("2d", .seconds(172_800)),
                      ("1500ms", .milliseconds(1500)), ("none", .never), ("never", .never), ("1.5s", .milliseconds(1500))])
    func parses(text: String, expected: Expiry) {
        #expect(Expiry(parsing: text) == expected)
    }

    @Test(arguments: ["0", "-5", "soon", "", "5x", "m"])
    func refuses(text: String) {
        #expect(Expiry(parsing: text) == nil)
    }

    @Test func secondsRoundUp() {
        #expect(Expiry.milliseconds(1).seconds == 1)
        #expect(Expiry.milliseconds(299_001).seconds == 300)
        #expect(Expiry.never.seconds == nil)
    }
}

@Suite struct SentinelEndpointTests {
    @Test(arguments: [
        ("redis+sentinel://h:26379/mymaster", Endpoint.sentinel(sentinels: [.tcp(host: "h", port: 26379)], masterName: "mymaster", database: 0, credentials: .init())),
        ("redis+sentinel://a,b:26380/m/3", .sentinel(sentinels: [.tcp(host: "a", port: 26379), .tcp(host: "b", port: 26380)], masterName: "m", database: 3, credentials: .init())),
        ("redis+sentinel://:pw@a/m/", .sentinel(sentinels: [.tcp(host: "a", port: 26379)], masterName: "m", database: 0, credentials: .init(password: "pw"))),
    ])
    func parses(url: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: url) == expected)
    }

    @Test(arguments: ["redis+sentinel://h:26379", "redis+sentinel://h:26379/", "redis+sentinel://h/m/x", "redis+sentinel://h/m/-1",
                      "redis+sentinel://h/m/0/x", "redis+sentinel:///m", "redis+sentinel://h:0/m"])
    func refuses(url: String) {
        do {
            _ = try Endpoint(parsing: url)
            Issue.record("\(url) was accepted")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func redacts() throws {
        let endpoint = try Endpoint(parsing: "redis+sentinel://u:hunter2@h:1/m/2")
        #expect(endpoint.description == "redis+sentinel://u:***@h:1/m/2")
        #expect(Endpoint.redact("redis+sentinel://u:hunter2@h:1/m") == "redis+sentinel://u:***@h:1/m")
    }
}
