import CacheClient
import Foundation
import Testing
import cachectlTests
#if canImport(Glibc)
import Glibc
#endif

/// Data written by redis-py (Scripts/testdata/app-cache.py) as an application would, in
/// databases of their own on the plain test server (13: mixed types, 14: uniform strings).
enum AppCache {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/testdata/app-cache.py").path

    /// The venv python with redis-py (`CACHECTL_TEST_PYTHON`, exported by Scripts/test.sh).
    static var python: String {
        get throws {
            if let path = ProcessInfo.processInfo.environment["CACHECTL_TEST_PYTHON"], !path.isEmpty { return path }
            throw MissingTestServer("CACHECTL_TEST_PYTHON is not set: run make test (Scripts/test.sh creates .build/venv-redispy with redis-py)")
        }
    }

    /// Writes the data set and returns what the script says it wrote.
    static func write(_ url: String, mode: String) throws -> [String: Any] {
        let result = try ProcessRunner.run(try python, [script, url, mode], timeout: .seconds(120))
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw MissingTestServer("app-cache.py \(mode) failed (\(result.status)): \(result.stderr.text)")
        }
        return object
    }

    /// Expected figures per group for one dimension.
    static func groups(_ written: [String: Any], _ dimension: String) -> [String: [String: Int]] {
        let all = written["groups"] as? [String: [String: [String: Int]]] ?? [:]
        return all[dimension] ?? [:]
    }
}

/// Runs the binary and parses its JSON stdout.
func json(_ arguments: [String]) throws -> (object: [String: Any], status: Int32, stderr: String) {
    let result = try CLI.run(arguments)
    let object = (try? JSONSerialization.jsonObject(with: result.stdout)) as? [String: Any] ?? [:]
    return (object, result.status, result.stderr.text)
}

func groupsByName(_ object: [String: Any]) -> [String: [String: Any]] {
    var named: [String: [String: Any]] = [:]
    for group in object["groups"] as? [[String: Any]] ?? [] { named[group["group"] as? String ?? "?"] = group }
    return named
}

@Suite("keys and usage on Redis, data written by redis-py", .serialized)
struct UsageTests {
    let mixedURL: String
    let uniformURL: String

    init() throws {
        mixedURL = try TestEnvironment.redisURL + "/13"
        uniformURL = try TestEnvironment.redisURL + "/14"
    }

    @Test("usage --exact matches, group by group, what the application wrote (prefix, type, tag)", arguments: ["prefix", "type", "tag"])
    func exact(dimension: String) throws {
        let written = try AppCache.write(mixedURL, mode: "mixed")
        let expected = AppCache.groups(written, dimension)
        let (object, status, stderr) = try json(["usage", "--url", mixedURL, "--exact", "--by", dimension, "--top", "1000", "--format", "json"])
        #expect(status == 0, "\(stderr)")
        #expect(object["schema"] as? Int == 1 && object["mode"] as? String == "exact" && object["by"] as? String == dimension)
        #expect(object["keys"] as? Int == written["dbsize"] as? Int)
        #expect(object["scanned_keys"] as? Int == written["dbsize"] as? Int)
        let groups = groupsByName(object)
        #expect(Set(groups.keys) == Set(expected.keys))
        for (name, figures) in expected {
            let group = groups[name] ?? [:]
            #expect(group["keys"] as? Int == figures["keys"], "\(name) keys")
            #expect(group["memory"] as? Int == figures["memory"], "\(name) memory")
            #expect(group["no_ttl_keys"] as? Int == figures["no_ttl_keys"], "\(name) no_ttl_keys")
            #expect(group["share_margin"] is NSNull)
        }
        if dimension != "tag" {
            let memory = expected.values.reduce(0) { $0 + ($1["memory"] ?? 0) }
            #expect(object["memory"] as? Int == memory)
            let shares = (object["groups"] as? [[String: Any]] ?? []).compactMap { $0["share"] as? Double }.reduce(0, +)
            #expect(abs(shares - 100) < 0.001)
        }
    }

    @Test("TTL percentiles, the biggest key and --depth 2")
    func details() throws {
        _ = try AppCache.write(mixedURL, mode: "mixed")
        let (object, status, _) = try json(["usage", "--url", mixedURL, "--exact", "--top", "1000", "--format", "json"])
        #expect(status == 0)
        let groups = groupsByName(object)
        // Sessions live 600..3600 s (uniform): the median lies near the middle, the maximum below 3600.
        let session = groups["session"] ?? [:]
        let p50 = session["ttl_p50"] as? Double ?? 0, p90 = session["ttl_p90"] as? Double ?? 0, max = session["ttl_max"] as? Double ?? 0
        #expect(1500 < p50 && p50 < 2700 && p50 <= p90 && p90 <= max && max <= 3600, "\(p50) \(p90) \(max)")
        #expect((groups["user"]?["ttl_max"] as? Double).map { $0 > 7000 && $0 <= 7200 } == true)
        #expect(groups["queue"]?["ttl_p50"] is NSNull)
        let biggest = groups["big"]?["biggest_key"] as? [String: Any]
        #expect(biggest?["key"] as? String == "big:report" && biggest?["type"] as? String == "string" && biggest?["role"] as? String == "entry")

        let (deeper, _, _) = try json(["usage", "--url", mixedURL, "--exact", "--depth", "2", "--top", "10000", "--format", "json"])
        let byTwo = groupsByName(deeper)
        #expect(byTwo["user:5"]?["keys"] as? Int == 2)      // profile and settings
        #expect(byTwo["user:150"]?["keys"] as? Int == 1)    // profile only
        #expect(byTwo["session"]?["keys"] as? Int == 300)   // one separator: the namespace stays
        #expect(byTwo["cache:tag"]?["keys"] as? Int == 2)
        #expect(deeper["depth"] as? Int == 2 && deeper["separator"] as? String == ":")
    }

    @Test("keys: filters, roles, sorting, limits, JSON Lines; control characters escaped in tables, exact in JSON")
    func keys() throws {
        let written = try AppCache.write(mixedURL, mode: "mixed")
        let all = try json(["keys", "--url", mixedURL, "--format", "json"])
        #expect(all.status == 0, "\(all.stderr)")
        let rows = all.object["keys"] as? [[String: Any]] ?? []
        #expect(all.object["count"] as? Int == written["dbsize"] as? Int && rows.count == written["dbsize"] as? Int)
        let role = Dictionary(rows.map { ($0["key"] as? String ?? "", $0["role"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(role["cache:stats"] == "counters" && role["cache:tag:articles"] == "tag_set" && role["article:1"] == "entry")
        let names = rows.compactMap { $0["key"] as? String }
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        func count(_ extra: [String]) throws -> Int {
            let result = try json(["keys", "--url", mixedURL, "--format", "json"] + extra)
            #expect(result.status == 0, "\(extra): \(result.stderr)")
            return result.object["count"] as? Int ?? -1
        }
        #expect(try count(["--prefix", "user:", "--no-ttl"]) == 200)
        #expect(try count(["--pattern", "user:*:settings"]) == 100)
        #expect(try count(["--type", "hash"]) == 101)             // settings and the counters hash
        #expect(try count(["--type", "stream"]) == 1)
        #expect(try count(["--prefix", "session:", "--type", "hash"]) == 0)

        let big = try json(["keys", "--url", mixedURL, "--min-size", "1MiB", "--format", "json"])
        #expect((big.object["keys"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["big:report"])
        let top = try json(["keys", "--url", mixedURL, "--sort", "size", "--limit", "3", "--format", "json"])
        #expect((top.object["keys"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["big:report", "big:list", "leaderboard"])
        let longest = try json(["keys", "--url", mixedURL, "--sort", "ttl", "--limit", "1", "--type", "string", "--format", "json"])
        #expect((longest.object["keys"] as? [[String: Any]])?.first?["ttl"] is NSNull)

        let lines = try CLI.run(["keys", "--url", mixedURL, "--format", "jsonl"])
        #expect(lines.status == 0)
        let objects = lines.stdout.text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == written["dbsize"] as? Int)
        #expect(objects.allSatisfy { $0["schema"] as? Int == 1 && $0["size"] is Int && $0["type"] is String })
        let limited = try CLI.run(["keys", "--url", mixedURL, "--format", "jsonl", "--limit", "7"])
        #expect(limited.stdout.text.split(separator: "\n").count == 7)

        let weird = "weird:\u{1B}[31mred\u{07}"
        #expect(names.contains(weird))
        let table = try CLI.run(["keys", "--url", mixedURL, "--prefix", "weird:"])
        #expect(table.stdout.text.contains("weird:\\u{1B}[31mred\\u{7}"))
        #expect(!table.stdout.contains(0x1B) && !table.stdout.contains(0x07))
        let usage = try CLI.run(["usage", "--url", mixedURL, "--exact", "--by", "prefix", "--depth", "2", "--top", "1000"])
        #expect(!usage.stdout.contains(0x1B) && usage.stdout.text.contains("weird:\\u{1B}[31mred\\u{7}"))
    }

    @Test("--assert: totals, labelled groups and sizes; one line and exit 1 on failure, 64 for a bad one")
    func assertions() throws {
        _ = try AppCache.write(mixedURL, mode: "mixed")
        let base = ["usage", "--url", mixedURL, "--exact"]
        let leak = try CLI.run(base + ["--assert", "no_ttl_keys==0"])
        #expect(leak.status == 1)
        #expect(leak.stderr.text == "assertion failed: no_ttl_keys 213.00 == 0\n")

        let fine = try CLI.run(base + ["--assert", "memory{prefix=session}<=512MiB", "--assert", "no_ttl_keys{prefix=session}==0",
                                       "--assert", "keys{prefix=nothing}==0", "--assert", "share{prefix=big} > 50"])
        #expect(fine.status == 0, "\(fine.stderr.text)")

        let big = try CLI.run(base + ["--assert", "memory{prefix=big}<=1MiB"])
        #expect(big.status == 1)
        #expect(big.stderr.text == "assertion failed: memory{prefix=big} 1.46MiB <= 1MiB\n")

        let json = try json(base + ["--assert", "memory{prefix=big}<=1MiB", "--format", "json"])
        let result = (json.object["assertions"] as? [[String: Any]])?.first
        #expect(result?["field"] as? String == "memory{prefix=big}" && result?["passed"] as? Bool == false && result?["actual"] as? Int == 1_533_136)

        for bad in ["memory{tag=articles}<=1MiB", "bogus>1", "memory{prefix=big<=1", "memory{prefix=big}<=12XB", "share>3"] {
            let refused = try CLI.run(base + ["--assert", bad])
            #expect(refused.status == 64, "\(bad): \(refused.stderr.text)")
            #expect(refused.stderr.text.split(separator: "\n").count == 1, "\(bad): \(refused.stderr.text)")
        }
        let tagged = try CLI.run(base + ["--by", "tag", "--assert", "keys{tag=articles}==150", "--assert", "keys{tag=(no tag)}==616"])
        #expect(tagged.status == 0, "\(tagged.stderr.text)")
    }

    @Test("sampled usage states its sample and margin, and the exact shares lie within it")
    func sampled() throws {
        _ = try AppCache.write(uniformURL, mode: "uniform")
        let exact = try json(["usage", "--url", uniformURL, "--format", "json"])   // 20,000 keys: below the automatic threshold
        #expect(exact.object["mode"] as? String == "exact")
        let sample = try json(["usage", "--url", uniformURL, "--sample", "4000", "--format", "json"])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(sample.object["mode"] as? String == "sampled" && sample.object["sampled"] as? Int == 4000)
        #expect(sample.object["population"] as? Int == 20_000 && sample.object["confidence"] as? Double == 0.95)
        let truth = groupsByName(exact.object)
        let estimate = groupsByName(sample.object)
        #expect(Set(truth.keys) == Set(estimate.keys))
        var within = 0
        for (name, group) in estimate {
            let share = group["share"] as? Double ?? -1, margin = group["share_margin"] as? Double ?? 0
            let real = truth[name]?["share"] as? Double ?? -100
            #expect(margin > 0 && margin < 5, "\(name) margin \(margin)")
            // A 95% interval each: all four inside twice the margin (p ≈ 1e-4 each), most inside once.
            #expect(abs(share - real) <= 2 * margin, "\(name): \(share) ± \(margin) vs \(real)")
            if abs(share - real) <= margin { within += 1 }
            let keys = group["keys"] as? Int ?? 0, keysMargin = group["keys_margin"] as? Int ?? 0
            #expect(abs(keys - (truth[name]?["keys"] as? Int ?? 0)) <= 2 * keysMargin, "\(name) keys \(keys) ± \(keysMargin)")
        }
        #expect(within >= 3)
        let table = try CLI.run(["usage", "--url", uniformURL, "--sample", "4000"])
        #expect(table.stdout.text.contains("sampled 4,000 random keys of 20,000") && table.stdout.text.contains("(95%)"))
    }

    @Test("SIGINT or SIGTERM mid-scan: the figures of what was scanned, marked interrupted; exit 130 or 143", arguments: [("INT", 130), ("TERM", 143)])
    func interrupted(signal: String, code: Int32) throws {
        _ = try AppCache.write(uniformURL, mode: "uniform")
        let port = URL(string: uniformURL)?.port ?? 0
        // The server is paused while the signal arrives, so it always lands mid-run; the scan
        // stops after the page in flight.
        let script = """
            set -m
            redis-cli -p \(port) CLIENT PAUSE 1500 ALL >/dev/null
            "$CACHECTL_BIN" usage --url \(uniformURL) --exact --format json > "$OUT" 2>"$ERR" &
            pid=$!
            sleep 0.5
            kill -\(signal) $pid
            wait $pid
            echo $?
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path, err = directory.appendingPathComponent("err").path
        let result = try ProcessRunner.run("bash", ["-c", script],
                                           environment: ["CACHECTL_BIN": CLI.binary.path, "OUT": out, "ERR": err])
        #expect(result.stdout.text == "\(code)\n", "\(result.stderr.text)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        #expect(object?["interrupted"] as? Bool == true)
        let scanned = object?["scanned_keys"] as? Int ?? -1
        #expect(scanned > 0 && scanned < 20_000, "\(scanned)")
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(stderr.contains("interrupted"), "\(stderr)")
    }

    @Test("a key that is not UTF-8: key_base64 in keys JSON and JSON Lines and in usage's biggest key, \\xFF in tables")
    func binaryKeys() throws {
        _ = try AppCache.write(mixedURL, mode: "mixed")
        let connection = try RedisConnection(address: .tcp(host: "127.0.0.1", port: URL(string: mixedURL)?.port ?? 0), timeout: 10)
        _ = try connection.send(["SELECT", "13"])
        let raw: [UInt8] = Array("bin:".utf8) + [0xFF, 0x00, 0xC3, 0x28, 0x41]
        #expect(try connection.send(["SET", RedisArgument(bytes: raw), RedisArgument(String(repeating: "z", count: 40_000)), "EX", "600"]).errorMessage == nil)
        let encoded = Data(raw).base64EncodedString()
        let listed = try json(["keys", "--url", mixedURL, "--prefix", "bin:", "--format", "json"])
        let rows = listed.object["keys"] as? [[String: Any]] ?? []
        #expect(listed.status == 0 && rows.count == 1, "\(listed.stderr)")
        #expect(rows.first?["key_base64"] as? String == encoded && rows.first?["type"] as? String == "string")
        #expect(rows.first?["key"] as? String == "bin:\u{FFFD}\u{0}\u{FFFD}(A", "\(rows.first?["key"] ?? "")")
        let lines = try CLI.run(["keys", "--url", mixedURL, "--format", "jsonl"])
        let objects = lines.stdout.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.filter { $0["key_base64"] != nil }.compactMap { $0["key_base64"] as? String } == [encoded], "only the key that is not UTF-8 carries it")
        let table = try CLI.run(["keys", "--url", mixedURL, "--prefix", "bin:"])
        #expect(table.stdout.text.contains(#"bin:\xFF\u{0}\xC3(A"#), "\(table.stdout.text)")
        let usage = try json(["usage", "--url", mixedURL, "--exact", "--format", "json", "--top", "1000"])
        let biggest = groupsByName(usage.object)["bin"]?["biggest_key"] as? [String: Any]
        #expect(biggest?["key_base64"] as? String == encoded && biggest?["type"] as? String == "string", "\(biggest ?? [:])")
        #expect(groupsByName(usage.object)["article"]?["biggest_key"].map { ($0 as? [String: Any])?["key_base64"] == nil } == true)
    }

    /// A redis-server of the test's own on a unix socket, to be killed mid-scan; stopped by pid.
    final class DisposableRedis: @unchecked Sendable {
        let directory: URL
        let socket: String
        let process = Process()

        init(keys: Int) throws {
            directory = URL(fileURLWithPath: "/tmp/cu-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            socket = directory.appendingPathComponent("redis.sock").path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["redis-server", "--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no",
                                 "--enable-debug-command", "yes", "--dir", directory.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while (try? connection().send("PING").string) != "PONG" {
                guard Date() < deadline else { throw MissingTestServer("the private redis-server on \(socket) did not start") }
                Thread.sleep(forTimeInterval: 0.05)
            }
            _ = try connection().send(["DEBUG", "POPULATE", RedisArgument(keys), "page", "200"])
        }

        var url: String { "unix://" + socket }
        func connection() throws -> RedisConnection { try RedisConnection(address: .unix(path: socket), timeout: 10) }

        /// MEMORY USAGE calls served so far.
        func measured(on connection: RedisConnection) throws -> Int {
            let info = try connection.send(["INFO", "commandstats"]).string ?? ""
            guard let line = info.split(separator: "\r\n").first(where: { $0.hasPrefix("cmdstat_memory|usage:") }),
                  let calls = line.split(separator: ",").first?.split(separator: "=").last else { return 0 }
            return Int(calls) ?? 0
        }

        func kill() {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { kill() }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test("a server killed mid-scan at a seeded point: what was scanned is printed, marked incomplete; exit 69 naming the server",
          arguments: [["usage", "--exact", "--format", "json"], ["keys", "--format", "json"], ["keys", "--format", "jsonl"]])
    func killedMidScan(command: [String]) throws {
        let total = 150_000
        let server = try DisposableRedis(keys: total)
        var random = FaultTests.Random(state: FaultTests.seed &+ UInt64(command.joined().utf8.count))
        let point = 10_000 + Int(random.next(below: 100_000))
        final class Box: @unchecked Sendable { var output: ProcessOutput? }
        let box = Box()
        let url = server.url
        let done = TestCluster.inBackground { box.output = try CLI.run(command + ["--url", url, "--timeout", "5"], timeout: .seconds(120)) }
        let watcher = try server.connection()
        let deadline = Date().addingTimeInterval(60)
        while try server.measured(on: watcher) < point, Date() < deadline { Thread.sleep(forTimeInterval: 0.002) }
        server.kill()
        done.wait()
        let output = try #require(box.output)
        #expect(output.status == 69, "killed after \(point) keys: \(output.stderr.text)")
        #expect(output.stderr.text.contains(server.socket), "the lost server is named: \(output.stderr.text)")
        #expect(output.stderr.text.contains("incomplete"), "\(output.stderr.text)")
        if command.contains("jsonl") {
            let rows = output.stdout.text.split(separator: "\n")
            #expect(rows.count >= point - 4000 && rows.count < total, "\(rows.count) rows streamed, killed after \(point)")
            #expect(rows.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "no row cut in half")
        } else {
            let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
            #expect(object["incomplete"] as? Bool == true && object["interrupted"] as? Bool == false)
            #expect((object["error"] as? String)?.contains(server.socket) == true, "\(object["error"] ?? "nil")")
            let scanned = object[command[0] == "usage" ? "scanned_keys" : "count"] as? Int ?? -1
            #expect(scanned >= point - 4000 && scanned < total, "\(scanned) keys reported, killed after \(point)")
            if command[0] == "usage" {
                #expect(object["keys"] as? Int == scanned && (object["memory"] as? Int ?? 0) > scanned * 200)
            }
        }
    }

    @Test("a server that refuses MEMORY USAGE (ACL) is named, exit 77; an unreachable one exits 69")
    func refusals() throws {
        _ = try AppCache.write(mixedURL, mode: "mixed")
        let admin = try TagNamespace().connection()
        let user = "cachectl-usage-\(UUID().uuidString.prefix(8).lowercased())"
        #expect(try admin.send(["ACL", "SETUSER", RedisArgument(user), "on", "nopass", "~*", "+@all", "-memory"]).errorMessage == nil)
        defer { _ = try? admin.send(["ACL", "DELUSER", RedisArgument(user)]) }
        // nopass: any password opens the user; only the missing MEMORY permission stops it.
        let url = mixedURL.replacingOccurrences(of: "redis://", with: "redis://\(user):any@")
        let refused = try CLI.run(["usage", "--url", url, "--exact"])
        #expect(refused.status == 77, "\(refused.stderr.text)")
        #expect(refused.stderr.text.contains("Cannot measure") && refused.stderr.text.contains("NOPERM"))
        let down = try CLI.run(["keys", "--url", "redis://127.0.0.1:1/0"])
        #expect(down.status == 69)
    }

    @Test("the snapshot file with the same data: exact value bytes per namespace and tag")
    func snapshot() throws {
        let written = try AppCache.write(mixedURL, mode: "mixed")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = "file:" + directory.appendingPathComponent("cache.snapshot").path
        let copy = try CLI.run(["migrate", "--from", mixedURL, "--to", file, "--strings-only"])
        #expect(copy.status == 0, "\(copy.stderr.text)")
        for dimension in ["prefix", "tag"] {
            let (object, status, stderr) = try json(["usage", "--url", file, "--by", dimension, "--top", "1000", "--format", "json"])
            #expect(status == 0, "\(stderr)")
            #expect(object["mode"] as? String == "exact")
            let groups = groupsByName(object)
            for (name, figures) in AppCache.groups(written, dimension) where (figures["string_keys"] ?? 0) > 0 {
                #expect(groups[name]?["keys"] as? Int == figures["string_keys"], "\(dimension) \(name)")
                #expect(groups[name]?["memory"] as? Int == figures["value_bytes"], "\(dimension) \(name)")
            }
        }
        let listed = try json(["keys", "--url", file, "--prefix", "article:", "--format", "json"])
        #expect(listed.object["count"] as? Int == 150)
        let tagSets = try json(["keys", "--url", file, "--type", "set", "--format", "json"])
        #expect((tagSets.object["keys"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["cache:tag:articles", "cache:tag:featured"])
    }
}
