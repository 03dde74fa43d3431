import CacheClient
import cachectlTests
import Foundation
import Testing

/// The built binary against the real redis-server: stdout, stderr and exit codes.
@Suite(.serialized) struct CLIRedisTests {
    func run(_ ns: RedisNamespace, _ args: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> ProcessOutput {
        try CLI.run(args + ["--url", ns.url] + ns.prefixOptions,
                    stdin: stdin, environment: environment)
    }

    @Test func megabyteBinaryValueRoundTripsThroughStdin() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            var generator = SystemRandomNumberGenerator()
            let value = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let set = try run(ns, ["set", "blob", "-", "--ttl", "1h"], stdin: value)
            #expect(set.status == 0, "\(String(decoding: set.stderr, as: UTF8.self))")
            let get = try run(ns, ["get", "blob", "--raw"])
            #expect(get.status == 0)
            #expect(get.stdout == value)
        }
    }

    @Test func keysWithSpacesAndNonASCII() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            for key in ["a key with spaces", "статья:1", "café ☕"] {
                #expect(try run(ns, ["set", key, "v:\(key)", "--tag", "tag with space"]).status == 0)
                let get = try run(ns, ["get", key, "--format", "json"])
                #expect(get.status == 0)
                let object = try JSONSerialization.jsonObject(with: get.stdout) as? [String: Any]
                let entry = (object?["entries"] as? [[String: Any]])?.first
                #expect(entry?["key"] as? String == key)
                #expect(entry?["value"] as? String == "v:\(key)")
                #expect(object?["schema"] as? Int == 1)
            }
        }
    }

    @Test func getOfAMissingKeyExits1AndNamesIt() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            #expect(try run(ns, ["set", "present", "1"]).status == 0)
            let result = try run(ns, ["get", "present", "absent"])
            #expect(result.status == 1)
            #expect(String(decoding: result.stdout, as: UTF8.self).contains("present"))
            #expect(String(decoding: result.stderr, as: UTF8.self).contains("\"absent\""))
        }
    }

    @Test func setReportsTTLAndTagsAndIfAbsent() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let first = try run(ns, ["set", "k", "v1", "--ttl", "5m", "--tag", "a", "--tag", "b", "--if-absent", "--format", "json"])
            let object = try JSONSerialization.jsonObject(with: first.stdout) as? [String: Any]
            #expect(object?["written"] as? Bool == true)
            #expect(object?["ttl"] as? Int == 300)
            #expect(object?["tags"] as? [String] == ["a", "b"])
            let second = try run(ns, ["set", "k", "v2", "--if-absent"])
            #expect(second.status == 75)  // held: `set lock … --if-absent && run_job` must not run the job
            #expect(String(decoding: second.stdout, as: UTF8.self).contains("not written"))
            #expect(try ns.backend().entries(["k"])[0]?.value == Array("v1".utf8))
        }
    }

    @Test func globalOptionsBeforeTheSubcommand() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let set = try CLI.run(["--url", ns.url, "--key-prefix", ns.prefix, "-q", "set", "k", "v"])
            #expect(set.status == 0)
            let get = try CLI.run(["--url=\(ns.url)", "--key-prefix", ns.prefix, "get", "k", "--raw"])
            #expect(get.stdout == Data("v".utf8))
        }
    }

    @Test func environmentChoosesRedisLikeTheSeedApps() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            guard case .redis(.tcp(let host, let port), _, _) = try Endpoint(parsing: ns.url) else { return }
            let env = ["CACHE_BACKEND": "redis", "REDIS_HOST": host, "REDIS_PORT": String(port)]
            #expect(try CLI.run(["set", "env", "1", "--key-prefix", ns.prefix], environment: env).status == 0)
            #expect(try ns.backend().exists(["env"]) == [true])
        }
    }

    @Test func deleteAndPing() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            _ = try run(ns, ["set", "a", "1"])
            let delete = try run(ns, ["delete", "a", "b", "--format", "json"])
            let object = try JSONSerialization.jsonObject(with: delete.stdout) as? [String: Any]
            #expect(object?["deleted"] as? Int == 1)
            #expect(object?["requested"] as? Int == 2)
            let ping = try run(ns, ["ping", "--format", "json"])
            let pong = try JSONSerialization.jsonObject(with: ping.stdout) as? [String: Any]
            #expect(pong?["role"] as? String == "master")
            #expect((pong?["latency"] as? Double ?? -1) >= 0)
        }
    }

    @Test func statsLabelsEachSource() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let cache = Cache(backend: try ns.backend())
            try cache.set("x", "1")
            _ = try cache.get("x")
            _ = try cache.get("x")
            _ = try cache.get("y")
            _ = try run(ns, ["get", "x"])  // the CLI's own reads never count
            let stats = try run(ns, ["stats", "--format", "json"])
            #expect(stats.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any])
            let app = try #require(object["app"] as? [String: Any])
            #expect(app["hits"] as? Int == 2)
            #expect(app["misses"] as? Int == 1)
            #expect(app["hit_rate"] as? Double == 66.67)
            #expect(object["hit_rate"] as? Double == 66.67)
            #expect(object["hit_rate_source"] as? String == "app")
            #expect(object["entries"] as? Int == 1)
            let server = try #require(object["server"] as? [String: Any])
            #expect(server["redis_version"] is String)
            #expect(server["hits"] is Int)
        }
    }

    @Test func unreachableServerExits69WithinTheTimeout() throws {
        let start = ContinuousClock.now
        let result = try CLI.run(["ping", "--url", "redis://127.0.0.1:1", "--timeout", "1"])
        #expect(result.status == 69)
        #expect(ContinuousClock.now - start < .seconds(3))
        let json = try CLI.run(["get", "k", "--url", "redis://127.0.0.1:1", "--format", "json"])
        let error = try JSONSerialization.jsonObject(with: json.stderr) as? [String: [String: Any]]
        #expect(error?["error"]?["code"] as? Int == 69)
    }

    @Test func wrongPasswordExits77AndThePasswordNeverShows() throws {
        let url = try TestEnvironment.redisAuthURL
        let secret = "not-the-password-\(UUID().uuidString.prefix(6))"
        let withURL = url.replacingOccurrences(of: "redis://", with: "redis://:\(secret)@")
        var outputs: [ProcessOutput] = []
        outputs.append(try CLI.run(["ping", "--url", withURL]))
        outputs.append(try CLI.run(["ping", "--url", withURL, "--format", "json", "-v"]))
        outputs.append(try CLI.run(["stats", "-v"], environment: ["REDIS_URL": url, "REDIS_PASSWORD": secret]))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        try Data((secret + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        outputs.append(try CLI.run(["get", "k", "--url", url, "--password-file", file.path, "-v"]))
        for output in outputs {
            #expect(output.status == 77)
            let text = String(decoding: output.stdout + output.stderr, as: UTF8.self)
            #expect(!text.contains(secret))
            #expect(text.contains("authentication refused"))
        }
        let right = try CLI.run(["ping", "--url", url, "--password-file", file.path])
        #expect(right.status == 77)  // the file holds the wrong one
        try Data((try TestEnvironment.redisPassword + "\n").utf8).write(to: file)
        let good = try CLI.run(["ping", "--url", url, "--password-file", file.path])
        #expect(good.status == 0)
        #expect(!String(decoding: good.stdout + good.stderr, as: UTF8.self).contains(try TestEnvironment.redisPassword))
    }

    @Test func verboseNamesTheBackendWithThePasswordRedacted() throws {
        let url = try TestEnvironment.redisAuthURL
        let password = try TestEnvironment.redisPassword
        let result = try CLI.run(["ping", "-v"], environment: ["REDIS_URL": url, "REDIS_PASSWORD": password])
        #expect(result.status == 0)
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        #expect(stderr.contains(":***@"))
        #expect(stderr.contains("REDIS_URL"))
        #expect(!stderr.contains(password))
    }
}

/// A TCP server on 127.0.0.1 that accepts connections and never answers: the shape of a hung
/// Redis, for timeout tests. Stopped by pid when the test ends.
final class SilentServer {
    let port: Int
    private let process: Process

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import socket, sys, time
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw MissingTestServer("the silent test server did not start: \(line)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: test threads block SIGTERM, and a child started from one inherits that mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite struct TimeoutTests {
    @Test func aServerThatNeverAnswersExits69WithinTheTimeout() throws {
        let server = try SilentServer()
        let start = ContinuousClock.now
        let result = try CLI.run(["get", "k", "--url", "redis://127.0.0.1:\(server.port)", "--timeout", "1"])
        let elapsed = ContinuousClock.now - start
        #expect(result.status == 69)
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(4), "took \(elapsed)")
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("did not answer in time"))
    }
}
