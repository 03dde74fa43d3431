import CacheClient
import cachectlTests
import Foundation
import Testing

/// `cachectl warmup` as a cron job runs it: the built binary against the real redis-server.
@Suite(.serialized) struct WarmupCLITests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-warmup-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func run(_ ns: RedisNamespace, _ args: [String], stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(["warmup"] + args + ["--url", ns.url, "--key-prefix", ns.prefix, "--tag-prefix", ns.prefix + "tag:",
                                         "--stats-key", ns.prefix + "stats"], stdin: stdin)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
    }

    func members(_ ns: RedisNamespace, tag: String) throws -> Set<String> {
        let reply = try ns.connection().send(["SMEMBERS", RedisArgument(ns.prefix + "tag:" + tag)])
        return Set(reply.array?.compactMap(\.string) ?? [])
    }

    func keyCount(_ ns: RedisNamespace) throws -> Int {
        let reply = try ns.connection().send(["KEYS", RedisArgument(ns.prefix + "*")])  // a test namespace: small
        return reply.array?.count ?? 0
    }

    @Test func manifestValuesTTLsTagsAndCounter() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            var lines = (1...2500).map { #"{"key":"article:\#($0)","value":"body \#($0) \"quoted\" é","ttl":600,"tags":["articles","g\#($0 % 7)"]}"# }
            lines.append(#"{"key":"bin","value_base64":"AAH+/w==","ttl":null}"#)
            lines.append(#"{"key":"obj","value":{"a": [1, true, null]}}"#)
            let path = try file("m.jsonl", lines.joined(separator: "\n") + "\n")
            let result = try run(ns, ["--from", path, "--tag", "warm", "--ttl", "1h", "--batch", "300", "--format", "json"])
            #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
            let report = try json(result)
            #expect(report["schema"] as? Int == 1)
            #expect(report["written"] as? Int == 2502)
            #expect(report["not_attempted"] as? Int == 0)
            #expect(report["source"] as? String == path)

            let backend = try ns.backend()
            let entries = try backend.entries(["article:42", "bin", "obj"])
            #expect(entries[0]?.value == Array(#"body 42 "quoted" é"#.utf8))
            #expect((590...600).contains(entries[0]?.expiry.seconds ?? 0))
            #expect(entries[1]?.value == [0x00, 0x01, 0xFE, 0xFF])
            #expect(entries[1]?.expiry == .never)
            #expect(entries[2]?.value == Array(#"{"a":[1,true,null]}"#.utf8))
            #expect((3590...3600).contains(entries[2]?.expiry.seconds ?? 0))
            #expect(try members(ns, tag: "articles").count == 2500)
            #expect(try members(ns, tag: "warm").count == 2502)
            #expect(try members(ns, tag: "g3").contains(ns.prefix + "article:3"))
            let pttl = try ns.connection().send(["PTTL", RedisArgument(ns.prefix + "tag:articles")]).integer ?? 0
            #expect(pttl > 590_000)
            #expect(try backend.statistics().app.sets == 2502)
        }
    }

    @Test(arguments: [
        ("malformed.jsonl", "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\": \"b\", \"value\": \n", 2, "missing value"),
        ("types.jsonl", "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":\"2\",\"ttl\":\"soon\"}\n", 2, "ttl"),
        ("nokey.jsonl", "{\"key\":\"a\",\"value\":\"1\"}\n\n{\"value\":\"2\"}\n", 3, "missing \"key\""),
        ("base64.jsonl", "{\"key\":\"a\",\"value_base64\":\"@@@\"}\n", 1, "base64"),
        ("columns.csv", "key,value,ttl,tags\na,1,60,t\nb,2\n", 3, "expected 4 fields"),
    ])
    func malformedInputNamesItsLineAndWritesNothing(name: String, text: String, line: Int, reason: String) throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            let path = try file(name, text)
            let result = try run(ns, ["--from", path])
            let stderr = String(decoding: result.stderr, as: UTF8.self)
            #expect(result.status == 65, "\(stderr)")
            #expect(stderr.contains("\(path):\(line): "), "\(stderr)")
            #expect(stderr.contains(reason), "\(stderr)")
            #expect(try keyCount(ns) == 0)
        }
    }

    @Test func skipInvalidWritesTheValidOnesAndExits1() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            let text = "{\"key\":\"a\",\"value\":\"1\"}\nnope\n{\"key\":\"c\",\"value\":\"3\"}\n"
            let result = try run(ns, ["--from", "-", "--skip-invalid"], stdin: Data(text.utf8))
            #expect(result.status == 1)
            #expect(String(decoding: result.stderr, as: UTF8.self).contains("<stdin>:2: "))
            #expect(String(decoding: result.stdout, as: UTF8.self).contains("written 2"))
            let entries = try ns.backend().entries(["a", "c"])
            #expect(entries.map { $0?.value } == [Array("1".utf8), Array("3".utf8)])
        }
    }

    @Test func onlyMissingKeepsExistingValuesAndTheirTags() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            _ = try ns.backend().write(Entry(key: "old", value: Array("keep".utf8), expiry: .seconds(100)), ifAbsent: false)
            let path = try file("m.csv", "key,value,ttl,tags\nold,new,none,t\nfresh,\"a,b\",none,t|u\n")
            let result = try run(ns, ["--from", path, "--only-missing", "--format", "json"])
            #expect(result.status == 0)
            let report = try json(result)
            #expect(report["written"] as? Int == 1)
            #expect(report["skipped"] as? Int == 1)
            let entries = try ns.backend().entries(["old", "fresh"])
            #expect(entries[0]?.value == Array("keep".utf8))
            #expect(entries[1]?.value == Array("a,b".utf8))
            #expect(entries[1]?.expiry == .never)
            // The existing entry gets the membership too: a rerun repairs an index an earlier run left short.
            #expect(try members(ns, tag: "t") == [ns.prefix + "fresh", ns.prefix + "old"])
        }
    }

    @Test func generatorOutputAndAFailingGenerator() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let good = try run(ns, ["--command", "for i in 1 2 3; do echo \"{\\\"key\\\":\\\"g$i\\\",\\\"value\\\":\\\"v$i\\\"}\"; done"])
            #expect(good.status == 0, "\(String(decoding: good.stderr, as: UTF8.self))")
            #expect(try ns.backend().entries(["g3"])[0]?.value == Array("v3".utf8))

            let bad = try run(ns, ["--command", "echo '{\"key\":\"h1\",\"value\":\"x\"}'; echo 'first' >&2; echo 'database is down' >&2; exit 3"])
            let stderr = String(decoding: bad.stderr, as: UTF8.self)
            #expect(bad.status == 1)
            #expect(stderr.contains("status 3: database is down"), "\(stderr)")
            #expect(try ns.backend().entries(["h1"])[0] == nil)
        }
    }

    @Test func httpSourceCountsFailedKeys() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            let server = try HTTPTestServer(directory: directory)
            defer { server.stop() }
            let keys = try file("keys.txt", "a:1\nmissing:2\nwith space/é\n\n")
            let result = try run(ns, ["--url-template", "http://127.0.0.1:\(server.port)/items/{key}", "--keys", keys,
                                      "--concurrency", "4", "--format", "json"])
            let stderr = String(decoding: result.stderr, as: UTF8.self)
            #expect(result.status == 1, "\(stderr)")
            let report = try json(result)
            #expect(report["written"] as? Int == 2)
            #expect(report["failed"] as? Int == 1)
            #expect(stderr.contains("\(keys):2: \"missing:2\""), "\(stderr)")
            #expect(stderr.contains("404"), "\(stderr)")
            let entries = try ns.backend().entries(["a:1", "with space/é"])
            #expect(entries[0]?.value == Array("value of a:1".utf8))
            #expect(entries[1]?.value == Array("value of with space/é".utf8))
        }
    }

    @Test func aSecondRunExits75WhileTheFirstHoldsTheLock() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            let lock = directory.appendingPathComponent("warmup.lock").path
            let first = Process()
            first.executableURL = CLI.binary
            first.arguments = ["warmup", "--command", "sleep 3; echo '{\"key\":\"slow\",\"value\":\"1\"}'", "--lock-file", lock,
                               "--url", ns.url, "--key-prefix", ns.prefix, "-q"]
            first.standardOutput = FileHandle.nullDevice
            try first.run()
            defer { first.waitUntilExit() }
            var waited = 0
            while !FileManager.default.fileExists(atPath: lock), waited < 50 {
                Thread.sleep(forTimeInterval: 0.1)
                waited += 1
            }
            Thread.sleep(forTimeInterval: 0.3)
            let start = ContinuousClock.now
            let second = try run(ns, ["--command", "echo '{\"key\":\"k\",\"value\":\"1\"}'", "--lock-file", lock])
            #expect(second.status == 75)
            #expect(String(decoding: second.stderr, as: UTF8.self).contains(lock))
            #expect(ContinuousClock.now - start < .seconds(2))

            let waiting = try run(ns, ["--command", "echo '{\"key\":\"k\",\"value\":\"1\"}'", "--lock-file", lock, "--wait"])
            #expect(waiting.status == 0)
            #expect(first.isRunning == false)
            #expect(try ns.backend().entries(["slow", "k"]).allSatisfy { $0 != nil })
        }
    }

    @Test func maxDurationStopsAndReportsWhatIsLeft() throws {
        let ns = try RedisNamespace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            let lines = (1...20_000).map { #"{"key":"k\#($0)","value":"v"}"# }
            let path = try file("m.jsonl", lines.joined(separator: "\n"))
            let result = try run(ns, ["--from", path, "--max-duration", "1ms", "--format", "json"])
            #expect(result.status == 1)
            let report = try json(result)
            #expect(report["stopped"] as? String == "max_duration")
            let written = report["written"] as? Int ?? -1
            #expect(written + (report["not_attempted"] as? Int ?? 0) == 20_000)
            #expect(String(decoding: result.stderr, as: UTF8.self).contains("--only-missing"))
            let rest = try run(ns, ["--from", path, "--only-missing", "--format", "json"])
            #expect(rest.status == 0)
            #expect(try json(rest)["written"] as? Int == 20_000 - written)
        }
    }

    @Test func unreachableServerExits69() throws {
        let path = try file("m.jsonl", "{\"key\":\"a\",\"value\":\"1\"}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["warmup", "--from", path, "--url", "redis://127.0.0.1:1"])
        #expect(result.status == 69)
    }

    @Test func snapshotFileToo() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = directory.appendingPathComponent("cache.snapshot").path
        let path = try file("m.jsonl", "{\"key\":\"a\",\"value\":\"1\",\"tags\":[\"t\"]}\n{\"key\":\"b\",\"value\":\"2\"}\n")
        let result = try CLI.run(["warmup", "--from", path, "--url", "file:" + snapshot, "--ttl", "none"])
        #expect(result.status == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self).hasPrefix("warmup: written 2"))
        let entry = try SnapshotBackend(path: snapshot).entries(["a"])[0]
        #expect(entry?.tags == ["t"])
        #expect(entry?.expiry == .never)
    }
}

/// A small HTTP server on 127.0.0.1: `/items/KEY` answers "value of KEY", keys starting with
/// `missing` get 404.
final class HTTPTestServer {
    let process = Process()
    let port: Int

    init(directory: URL) throws {
        let script = directory.appendingPathComponent("server.py")
        try Data("""
            import http.server, sys, urllib.parse
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    key = urllib.parse.unquote(self.path[len("/items/"):])
                    if key.startswith("missing"):
                        self.send_response(404); self.end_headers(); return
                    body = ("value of " + key).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """.utf8).write(to: script)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw CacheError(.failed, "the test HTTP server did not start: \(line)")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child of the test process may start with SIGTERM blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
