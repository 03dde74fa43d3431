import CacheClient
import cachectlTests
import Foundation
import Testing

/// Issue 9: one exit code per meaning, honest reports, nothing lost — the built binary against
/// real redis-servers that refuse (Scripts/lib/fault-servers.sh) and a fake one answering LOADING.
@Suite(.serialized) struct TrustTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A namespace on any server: prefix options for the CLI and a connection for checks.
    struct Place {
        let url: String
        let prefix = "trust:\(UUID().uuidString.prefix(8)):"
        var options: [String] { ["--url", url, "--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats"] }

        func connection() throws -> RedisConnection {
            guard case .redis(let address, _, _) = try Endpoint(parsing: url) else { throw CacheError(.usage, "not redis: \(url)") }
            return try RedisConnection(address: address, timeout: 5)
        }

        /// Keys under the prefix (SCAN), tag sets and counters excluded.
        func entryKeys() throws -> Set<String> {
            let connection = try connection()
            var cursor = "0"
            var keys = Set<String>()
            repeat {
                let reply = try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", "5000"])
                cursor = reply.array?[0].string ?? "0"
                for key in reply.array?[1].array?.compactMap(\.string) ?? [] where !key.hasPrefix(prefix + "tag:") && !key.hasPrefix(prefix + "stats") {
                    keys.insert(key)
                }
            } while cursor != "0"
            return keys
        }

        func members(_ tag: String) throws -> Set<String> {
            Set(try connection().send(["SMEMBERS", RedisArgument(prefix + "tag:" + tag)]).array?.compactMap(\.string) ?? [])
        }

        func counter(_ field: String) throws -> Int64 {
            try connection().send(["HGET", RedisArgument(prefix + "stats"), RedisArgument(field)]).integer ?? 0
        }

        func cleanup() {
            guard let connection = try? connection() else { return }
            var cursor = "0"
            repeat {
                guard let reply = try? connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", "5000"]) else { return }
                cursor = reply.array?[0].string ?? "0"
                let keys = reply.array?[1].array?.compactMap(\.bytes) ?? []
                if !keys.isEmpty { _ = try? connection.send(["UNLINK"] + keys.map { RedisArgument(bytes: $0) }) }
            } while cursor != "0"
        }
    }

    func manifest(_ count: Int, tags: [String] = ["all"], valueSize: Int = 20) throws -> String {
        let path = directory.appendingPathComponent("m-\(count)-\(UUID().uuidString.prefix(4)).jsonl").path
        let value = String(repeating: "v", count: valueSize)
        var text = ""
        for i in 0..<count {
            let tagList = (tags + ["n\(i % 7)"]).map { "\"\($0)\"" }.joined(separator: ",")
            text += "{\"key\":\"k\(i)\",\"value\":\"\(value)\",\"ttl\":600,\"tags\":[\(tagList)]}\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// Every entry that exists is in each of its tags: the invariant of item 1.
    func expectEveryEntryTagged(_ place: Place, count: Int) throws {
        let keys = try place.entryKeys()
        let all = try place.members("all")
        #expect(keys.subtracting(all).isEmpty, "entries outside tag all: \(keys.subtracting(all).prefix(5))")
        for n in 0..<7 {
            let tagged = try place.members("n\(n)")
            let expected = keys.filter { Int($0.dropFirst(place.prefix.count + 1))! % 7 == n }
            #expect(expected.subtracting(tagged).isEmpty)
        }
    }

    // MARK: item 1 — no scripts needed, reruns repair

    @Test(arguments: ["NOEVAL", "NOSCRIPT_USER"])
    func warmupWithoutScriptingKeepsEveryEntryInItsTags(server: String) throws {
        let place = Place(url: try TestEnvironment.faultServerURL(server))
        defer { place.cleanup() }
        let result = try CLI.run(["warmup", "--from", try manifest(300), "--batch", "100"] + place.options)
        #expect(result.status == 0, "\(text(result.stderr))")
        #expect(text(result.stdout).contains("written 300"))
        #expect(try place.entryKeys().count == 300)
        try expectEveryEntryTagged(place, count: 300)
        #expect(try place.counter("sets") == 300)
        let ttl = try place.connection().send(["PTTL", RedisArgument(place.prefix + "tag:all")]).integer ?? -3
        #expect(ttl > 590_000 && ttl <= 600_000, "the tag set lives as long as its longest member")
    }

    @Test func aPersistentTagSetStaysPersistentWhenShorterMembersJoin() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        #expect(try CLI.run(["set", "forever", "x", "--ttl", "none", "--tag", "all"] + place.options).status == 0)
        #expect(try CLI.run(["warmup", "--from", try manifest(10)] + place.options).status == 0)
        #expect(try place.connection().send(["PTTL", RedisArgument(place.prefix + "tag:all")]).integer == -1)
    }

    @Test func onlyMissingRerunGivesExistingEntriesTheirMemberships() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        // What an interrupted run of an older version left: entries without memberships.
        let connection = try place.connection()
        for i in 0..<50 { try connection.send(["SET", RedisArgument(place.prefix + "k\(i)"), "old", "EX", "600"]) }
        let result = try CLI.run(["warmup", "--from", try manifest(80), "--only-missing", "--format", "json"] + place.options)
        #expect(result.status == 0)
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(report?["written"] as? Int == 30)
        #expect(report?["skipped"] as? Int == 50)
        try expectEveryEntryTagged(place, count: 80)
        #expect(try place.counter("sets") == 30)
    }

    // MARK: items 8, 11 — refusals, each with its own code and an honest report

    @Test func warmupIntoAFullServerReportsExactlyWhatItHolds() throws {
        let place = Place(url: try TestEnvironment.faultServerURL("OOM"))
        try place.connection().send("FLUSHALL")
        defer { place.cleanup() }
        let result = try CLI.run(["warmup", "--from", try manifest(20_000, valueSize: 200), "--format", "json"] + place.options,
                                 timeout: .seconds(120))
        #expect(result.status == 69, "\(text(result.stderr).suffix(500))")
        #expect(text(result.stderr).contains("maxmemory"))
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        let written = report?["written"] as? Int ?? -1
        #expect(written > 0 && written < 20_000)
        #expect(report?["stopped"] as? String == "refused")
        #expect(try place.entryKeys().count == written, "the report matches the data")
        #expect(try place.counter("sets") == Int64(written))
        try expectEveryEntryTagged(place, count: written)
        // Every error line names its own key.
        for line in text(result.stderr).split(separator: "\n") where line.contains(".jsonl:") {
            let parts = line.split(separator: ":")
            if let number = Int(parts[1]), let key = line.split(separator: "\"").dropFirst().first {
                #expect(key == "k\(number - 1)", "\(line)")
            }
        }
    }

    @Test func refusalsExitWithTheirOwnCodes() throws {
        let replica = Place(url: try TestEnvironment.faultServerURL("REPLICA"))
        let readOnly = try CLI.run(["set", "k", "v"] + replica.options)
        #expect(readOnly.status == 69)
        #expect(text(readOnly.stderr).contains("replica") && text(readOnly.stderr).contains("primary"))
        let warm = try CLI.run(["warmup", "--from", try manifest(10)] + replica.options)
        #expect(warm.status == 69)

        let loading = Place(url: try TestEnvironment.faultServerURL("LOADING"))
        let ping = try CLI.run(["ping"] + loading.options)
        #expect(ping.status == 75)
        let start = ContinuousClock.now
        let retried = try CLI.run(["warmup", "--from", try manifest(10), "--timeout", "1"] + loading.options)
        #expect(retried.status == 75, "\(text(retried.stderr))")
        #expect(ContinuousClock.now - start > .seconds(1), "a temporary refusal is retried with backoff")
        #expect(text(retried.stderr).contains("LOADING"))

        let url = try TestEnvironment.redisURL
        let noDatabase = try CLI.run(["ping", "--url", url + "/999"])
        #expect(noDatabase.status == 64)
    }

    @Test func missingPermissionNamesTheCommandAndCategoryNotThePassword() throws {
        let place = Place(url: try TestEnvironment.faultServerURL("NOSCRIPT_USER"))
        defer { place.cleanup() }
        // A stale member makes prune reach its check-and-remove script, which this user may not run.
        try place.connection().send(["SADD", RedisArgument(place.prefix + "tag:t"), RedisArgument(place.prefix + "gone")])
        let result = try CLI.run(["tags", "prune"] + place.options)
        #expect(result.status == 77)
        let message = text(result.stderr)
        #expect(message.contains("@scripting"), "\(message)")
        #expect(!message.contains("REDIS_PASSWORD"))
        #expect(!message.contains("authentication refused"))
    }

    // MARK: items 13, 14, 16

    @Test func setIfAbsentOnAHeldKeyExits75() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        #expect(try CLI.run(["set", "lock", "a", "--if-absent", "--ttl", "1m"] + place.options).status == 0)
        let held = try CLI.run(["set", "lock", "b", "--if-absent", "--ttl", "1m", "--tag", "locks"] + place.options)
        #expect(held.status == 75)
        #expect(try place.members("locks").isEmpty, "no membership for an entry it did not write")
    }

    @Test func getPrintsWhatItCanAndNamesOtherTypes() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        #expect(try CLI.run(["set", "a", "alpha"] + place.options).status == 0)
        try place.connection().send(["HSET", RedisArgument(place.prefix + "h"), "f", "v"])
        let result = try CLI.run(["get", "a", "h", "c", "--format", "json"] + place.options)
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect((object?["entries"] as? [[String: Any]])?.first?["value"] as? String == "alpha")
        #expect(object?["missing"] as? [String] == ["c"])
        #expect((object?["other_types"] as? [[String: Any]])?.first?["type"] as? String == "hash")
        #expect(text(result.stderr).contains("holds a hash"))
    }

    @Test func invalidatingATagWithoutAnIndexSaysSo() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        let result = try CLI.run(["invalidate-tag", "nothing-here"] + place.options)
        #expect(result.status == 0)
        #expect(text(result.stderr).contains("no tag index"))
        #expect(text(result.stderr).contains(place.prefix + "tag:"))
    }

    // MARK: items 2, 3, 4

    @Test(arguments: [["SET", "value"], ["ZADD", "1", "m"]])
    func invalidateTagRefusesAKeyOfAnotherTypeAndChangesNothing(command: [String]) throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        let key = place.prefix + "tag:t"
        try place.connection().send([RedisArgument(command[0]), RedisArgument(key)] + command.dropFirst().map { RedisArgument($0) })
        let result = try CLI.run(["invalidate-tag", "t"] + place.options)
        #expect(result.status == 65)
        #expect(text(result.stderr).contains(command[0] == "SET" ? "string" : "zset"))
        #expect(try place.connection().send(["EXISTS", RedisArgument(key)]).integer == 1, "the value keeps its name")
        let moved = try place.connection().send(["SCAN", "0", "MATCH", RedisArgument(place.prefix + "*invalidating*"), "COUNT", "10000"])
        #expect(moved.array?[1].array?.isEmpty == true)
    }

    @Test func tagsPruneHonoursItsPattern() throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        let connection = try place.connection()
        try connection.send(["SADD", RedisArgument(place.prefix + "tag:apple"), RedisArgument(place.prefix + "gone1")])
        try connection.send(["SADD", RedisArgument(place.prefix + "tag:banana"), RedisArgument(place.prefix + "gone2")])
        let result = try CLI.run(["tags", "prune", "--pattern", "a*"] + place.options)
        #expect(result.status == 0)
        #expect(try place.members("banana") == [place.prefix + "gone2"], "outside the pattern: untouched")
        #expect(try place.members("apple").isEmpty)
    }

    // MARK: item 10

    @Test(arguments: [("sleep 30", "SIGTERM"), ("trap '' TERM; sleep 30", "SIGKILL")])
    func maxDurationStopsAGenerator(tail: String, signal: String) throws {
        let place = Place(url: try TestEnvironment.redisURL)
        defer { place.cleanup() }
        let start = ContinuousClock.now
        let result = try CLI.run(["warmup", "--command", "echo '{\"key\":\"g\",\"value\":\"v\"}'; \(tail)", "--max-duration", "1s",
                                  "--format", "json"] + place.options, timeout: .seconds(25))
        #expect(ContinuousClock.now - start < .seconds(10), "--max-duration bounds the generator")
        #expect(result.status == 1)
        #expect(text(result.stderr).contains(signal), "\(text(result.stderr))")
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(report?["stopped"] as? String == "max_duration")
        #expect(try place.entryKeys().isEmpty, "nothing written")
    }
}
