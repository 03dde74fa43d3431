import CacheClient
import Foundation
import Testing
import cachectlTests

/// `stats --per-node` against the test cluster: one row per primary and replica whose figures
/// are the node's own (checked against DBSIZE and INFO read straight from each node).
extension ClusterIntegration {
@Suite("stats --per-node on a cluster and a single server", .serialized)
struct ClusterStatsTests {
    func nodes(_ output: ProcessOutput) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
        return object["nodes"] as? [[String: Any]] ?? []
    }

    func dbsize(_ address: RedisAddress) throws -> Int {
        Int(try TestCluster.connection(address).send(["DBSIZE"]).integer ?? -1)
    }

    @Test("every primary and replica with its role, keys, memory, hits, misses and ops/s; hits land on the key's node")
    func perNode() throws {
        try TestCluster.waitUntilHealthy()
        try ClusterNamespace.with { ns in
            var text = ""
            for index in 0..<900 { text += #"{"key":"k\#(index)","value":"v","ttl":600}"# + "\n" }
            #expect(try CLI.run(["warmup", "--from", "-"] + ns.cliOptions, stdin: Data(text.utf8)).status == 0)
            let topology = try TestCluster.topology()
            let before = try CLI.run(["stats", "--per-node", "--format", "json"] + ns.cliOptions)
            #expect(before.status == 0, "\(before.stderr.text)")
            let rows = try nodes(before)
            #expect(rows.count == 6, "\(before.stdout.text)")
            #expect(rows.filter { $0["role"] as? String == "master" }.count == 3)
            #expect(rows.filter { $0["role"] as? String == "slave" }.count == 3)
            let primaries = topology.map.shards.map(\.primary.address)
            for row in rows {
                #expect(Set(row.keys) == ["node", "role", "keys", "memory", "hits", "misses", "ops_per_second"])
                #expect((row["memory"] as? Int ?? 0) > 0)
            }
            for primary in primaries {
                let row = rows.first { $0["node"] as? String == primary.description }
                #expect(row?["role"] as? String == "master", "\(primary) missing: \(rows)")
                // Replicas hold the same keys again; a primary's count is its own.
                #expect(row?["keys"] as? Int == (try dbsize(primary)), "\(primary)")
            }
            // Seven reads of keys on one primary (get sends GET and PTTL: two keyspace hits
            // each): its hits grow by 14, read from its own row.
            // Not the node of the counters hash, which stats itself reads (one more hit there).
            let statsNode = topology.map.primary(for: HashSlot(key: ns.configuration.statsKey))
            let target = try #require(primaries.first { $0 != statsNode })
            let onTarget = (0..<900).map { "k\($0)" }.filter { topology.map.primary(for: HashSlot(key: ns.key($0))) == target }.prefix(7)
            #expect(onTarget.count == 7)
            #expect(try CLI.run(["get"] + onTarget + ns.cliOptions).status == 0)
            let after = try nodes(try CLI.run(["stats", "--per-node", "--format", "json"] + ns.cliOptions))
            func hits(_ rows: [[String: Any]], _ node: RedisAddress) -> Int {
                rows.first { $0["node"] as? String == node.description }?["hits"] as? Int ?? -1
            }
            #expect(hits(after, target) - hits(rows, target) == 14, "\(after)")

            let table = try CLI.run(["stats", "--per-node"] + ns.cliOptions)
            #expect(table.status == 0)
            let lines = table.stdout.text.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("node") && $0.contains("role") && $0.contains("ops/s") }, "\(table.stdout.text)")
            for node in topology.map.shards.flatMap({ [$0.primary.address] + $0.replicas.map(\.address) }) {
                #expect(lines.contains { $0.hasPrefix(node.description + " ") }, "\(node) not in \(table.stdout.text)")
            }

            let prometheus = try CLI.run(["stats", "--per-node", "--format", "prometheus"] + ns.cliOptions)
            #expect(prometheus.status == 0)
            for primary in primaries {
                #expect(prometheus.stdout.text.contains("cachectl_node_info{node=\"\(primary)\",role=\"master\"} 1"), "\(prometheus.stdout.text)")
                #expect(prometheus.stdout.text.contains("cachectl_node_keys{node=\"\(primary)\"} \(try dbsize(primary))"))
            }
            #expect(prometheus.stdout.text.components(separatedBy: "cachectl_node_memory_bytes{node=").count - 1 == 6)
        }
    }

    @Test("a single server is one row; a snapshot has no nodes (64); --watch does not combine (64)")
    func singleServerAndRefusals() throws {
        let url = "redis://" + (try TestSentinel.primary())
        let single = try CLI.run(["stats", "--per-node", "--format", "json", "--url", url])
        #expect(single.status == 0, "\(single.stderr.text)")
        let rows = try nodes(single)
        #expect(rows.count == 1)
        #expect(rows.first?["role"] as? String == "master")
        #expect(rows.first?["node"] as? String == (try TestSentinel.primary()))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-nodes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.snapshot").path
        #expect(try CLI.run(["set", "a", "1", "--url", "file:" + path]).status == 0)
        let snapshot = try CLI.run(["stats", "--per-node", "--url", "file:" + path])
        #expect(snapshot.status == 64)
        #expect(snapshot.stderr.text.contains("has no nodes"))
        #expect(try CLI.run(["stats", "--per-node", "--watch", "1s", "--url", url]).status == 64)
        // Without --per-node nothing changes: no nodes field.
        let plain = try JSONSerialization.jsonObject(with: try CLI.run(["stats", "--format", "json", "--url", url]).stdout) as? [String: Any]
        #expect(plain?["nodes"] == nil)
    }
}
}
