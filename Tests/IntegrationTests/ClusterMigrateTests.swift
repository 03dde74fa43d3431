import CacheClient
import Foundation
import Testing
import cachectlTests

/// migrate with a cluster at either end: cluster → one server, one server → cluster, cluster →
/// cluster, cluster → JSON Lines and snapshot. Strings with their tags, and hashes, lists, sets
/// and sorted sets (DUMP on the key's node, RESTORE on the target key's node), with keys on
/// every primary; the report's counts must equal the data, and --verify compares by content.
extension ClusterIntegration {
@Suite("migrate from and to a cluster", .serialized)
struct ClusterMigrateTests {
    static let entries = 1200
    static let perType = 25
    static let collections = 4 * perType

    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
    }

    /// The namespace's options without --url, for both ends of a migration.
    func options(_ ns: ClusterNamespace) -> [String] {
        ["--key-prefix", ns.configuration.keyPrefix, "--tag-prefix", ns.configuration.tagPrefix, "--stats-key", ns.configuration.statsKey,
         "--timeout", "20"]
    }

    func manifest() -> Data {
        var text = ""
        for index in 0..<Self.entries {
            text += #"{"key":"k\#(index)","value":"value \#(index)","ttl":900,"tags":["all","g\#(index % 6)"]}"# + "\n"
        }
        return Data(text.utf8)
    }

    /// Hashes, lists, sets and sorted sets under the namespace, written with `send` (routed per key).
    func writeCollections(_ ns: ClusterNamespace, send: ([RedisArgument]) throws -> RESPValue) throws {
        for index in 0..<Self.perType {
            _ = try send(["HSET", RedisArgument(ns.key("h\(index)")), "f", RedisArgument("v\(index)"), "g", "w"])
            _ = try send(["RPUSH", RedisArgument(ns.key("l\(index)")), "a", "b", RedisArgument("c\(index)")])
            _ = try send(["SADD", RedisArgument(ns.key("s\(index)")), "x", RedisArgument("y\(index)")])
            _ = try send(["ZADD", RedisArgument(ns.key("z\(index)")), "1", "one", "2.5", RedisArgument("m\(index)")])
            _ = try send(["PEXPIRE", RedisArgument(ns.key("h\(index)")), "900000"])
        }
    }

    /// The single test server (CACHECTL_TEST_REDIS_URL).
    func single() throws -> (url: String, connection: RedisConnection) {
        let url = try TestEnvironment.redisURL
        guard case .redis(let address, _, _) = try Endpoint(parsing: url) else { throw MissingTestServer("not redis://") }
        return (url, try RedisConnection(address: address, timeout: 10))
    }

    func singleKeys(_ ns: ClusterNamespace, _ connection: RedisConnection) throws -> [String] {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument("\(ns.id)*"), "COUNT", "1000"])
            cursor = reply.array?[0].string ?? "0"
            keys += (reply.array?[1].array ?? []).compactMap(\.string)
        } while cursor != "0"
        return keys.sorted()
    }

    func removeSingle(_ ns: ClusterNamespace) {
        guard let (_, connection) = try? single(), let keys = try? singleKeys(ns, connection), !keys.isEmpty else { return }
        _ = try? connection.send(["UNLINK"] + keys.map { RedisArgument($0) })
    }

    /// Keys of the cache (entries, collections, tag sets) spread over every primary.
    func expectSpread(_ ns: ClusterNamespace) throws {
        let topology = try TestCluster.topology()
        let nodes = Set(try ns.allKeys().compactMap { topology.map.primary(for: HashSlot(key: $0)) })
        #expect(nodes.count == 3, "the keys must live on every primary")
    }

    @Test("cluster → one server → cluster: every entry, tag set and collection, verified by content")
    func clusterToSingleAndBack() throws {
        try ClusterNamespace.with { ns in
            defer { removeSingle(ns) }
            let warm = try CLI.run(["warmup", "--from", "-"] + ns.cliOptions, stdin: manifest(), timeout: .seconds(120))
            #expect(warm.status == 0, "\(warm.stderr.text)")
            let topology = try TestCluster.topology()
            try writeCollections(ns) { try topology.send($0) }
            try expectSpread(ns)
            let (url, connection) = try single()

            let out = try CLI.run(["migrate", "--from", ns.url, "--to", url, "--verify", "--format", "json"] + options(ns), timeout: .seconds(120))
            #expect(out.status == 0, "\(out.stderr.text)")
            let report = try json(out)
            #expect(report["copied"] as? Int == Self.entries + Self.collections, "\(out.stdout.text)")
            #expect(report["tag_memberships"] as? Int == 2 * Self.entries)
            #expect((report["verify"] as? [String: Any])?["mismatches"] as? Int == 0)
            #expect((report["verify"] as? [String: Any])?["checked"] as? Int == Self.entries + Self.collections)
            // The data, read straight from the target: entries, 7 tag sets, collections, the counters hash.
            let keys = try singleKeys(ns, connection)
            #expect(keys.filter { $0.hasPrefix(ns.key("k")) }.count == Self.entries)
            #expect(try connection.send(["SCARD", RedisArgument(ns.tagSet("all"))]).integer == Int64(Self.entries))
            #expect(try connection.send(["SCARD", RedisArgument(ns.tagSet("g5"))]).integer == Int64(Self.entries / 6))
            #expect(try connection.send(["HGET", RedisArgument(ns.key("h7")), "f"]).string == "v7")
            #expect(try connection.send(["LRANGE", RedisArgument(ns.key("l3")), "0", "-1"]).array?.compactMap(\.string) == ["a", "b", "c3"])
            #expect(try connection.send(["ZSCORE", RedisArgument(ns.key("z9")), "m9"]).string == "2.5")
            #expect((try connection.send(["PTTL", RedisArgument(ns.key("h2"))]).integer ?? -1) > 800_000)

            // Back into the cluster after removing it there: one server → cluster.
            ns.remove()
            #expect(try ns.allKeys().isEmpty)
            let back = try CLI.run(["migrate", "--from", url, "--to", ns.url, "--verify", "--format", "json"] + options(ns), timeout: .seconds(120))
            #expect(back.status == 0, "\(back.stderr.text)")
            let backReport = try json(back)
            #expect(backReport["copied"] as? Int == Self.entries + Self.collections, "\(back.stdout.text)")
            #expect((backReport["verify"] as? [String: Any])?["mismatches"] as? Int == 0)
            try expectSpread(ns)
            #expect(try topology.send(["SCARD", RedisArgument(ns.tagSet("all"))]).integer == Int64(Self.entries))
            #expect(try topology.send(["SMEMBERS", RedisArgument(ns.key("s4"))]).array?.compactMap(\.string).sorted() == ["x", "y4"])
            #expect(try topology.send(["GET", RedisArgument(ns.key("k777"))]).string == "value 777")
        }
    }

    @Test("cluster → cluster: onto itself every key conflicts (skip copies nothing), replace rewrites each key on its node and verifies")
    func clusterToCluster() throws {
        try ClusterNamespace.with { ns in
            #expect(try CLI.run(["warmup", "--from", "-"] + ns.cliOptions, stdin: manifest(), timeout: .seconds(120)).status == 0)
            let topology = try TestCluster.topology()
            try writeCollections(ns) { try topology.send($0) }
            let refused = try CLI.run(["migrate", "--from", ns.url, "--to", ns.url] + options(ns), timeout: .seconds(120))
            #expect(refused.status == 65, "\(refused.stderr.text)")
            let skip = try CLI.run(["migrate", "--from", ns.url, "--to", ns.url, "--on-conflict", "skip", "--format", "json"] + options(ns),
                                   timeout: .seconds(120))
            #expect(skip.status == 0, "\(skip.stderr.text)")
            #expect(try json(skip)["copied"] as? Int == 0)
            #expect(try json(skip)["conflicts"] as? Int == Self.entries + Self.collections)
            let replace = try CLI.run(["migrate", "--from", ns.url, "--to", ns.url, "--on-conflict", "replace", "--verify", "--format", "json"]
                                      + options(ns), timeout: .seconds(120))
            #expect(replace.status == 0, "\(replace.stderr.text)")
            #expect(try json(replace)["copied"] as? Int == Self.entries + Self.collections)
            #expect((try json(replace)["verify"] as? [String: Any])?["mismatches"] as? Int == 0)
            #expect(try topology.send(["HGET", RedisArgument(ns.key("h1")), "g"]).string == "w")
        }
    }

    @Test("cluster → JSON Lines carries every type; → snapshot copies the strings (--strings-only) or lists the rest (exit 1)")
    func clusterToFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-cmig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try ClusterNamespace.with { ns in
            #expect(try CLI.run(["warmup", "--from", "-"] + ns.cliOptions, stdin: manifest(), timeout: .seconds(120)).status == 0)
            let topology = try TestCluster.topology()
            try writeCollections(ns) { try topology.send($0) }
            let file = directory.appendingPathComponent("dump.jsonl").path
            let out = try CLI.run(["migrate", "--from", ns.url, "--to", "jsonl:" + file, "--format", "json"] + options(ns), timeout: .seconds(120))
            #expect(out.status == 0, "\(out.stderr.text)")
            #expect(try json(out)["copied"] as? Int == Self.entries + Self.collections)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == Self.entries + Self.collections)
            #expect(lines.filter { $0.contains("\"all\"") }.count == Self.entries)
            #expect(lines.contains { $0.contains(#""key":"l3""#) && $0.contains("c3") })

            let snapshot = "file:" + directory.appendingPathComponent("c.snapshot").path
            let refused = try CLI.run(["migrate", "--from", ns.url, "--to", snapshot] + options(ns), timeout: .seconds(120))
            #expect(refused.status == 1, "\(refused.stderr.text)")
            #expect(refused.stderr.text.contains("\(Self.collections) keys in scope not copied"), "\(refused.stderr.text)")
            let strings = try CLI.run(["migrate", "--from", ns.url, "--to", snapshot, "--strings-only", "--on-conflict", "replace", "--verify",
                                       "--format", "json"] + options(ns), timeout: .seconds(120))
            #expect(strings.status == 0, "\(strings.stderr.text)")
            #expect(try json(strings)["copied"] as? Int == Self.entries)
            #expect((try json(strings)["verify"] as? [String: Any])?["mismatches"] as? Int == 0)
            let get = try CLI.run(["get", "k5", "--format", "json", "--url", snapshot] + options(ns))
            #expect(get.stdout.text.contains("value 5") && get.stdout.text.contains("g5"), "\(get.stdout.text)")
        }
    }
}
}
