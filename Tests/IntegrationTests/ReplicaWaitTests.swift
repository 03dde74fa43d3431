import CacheClient
import Foundation
import Testing
import cachectlTests

/// `--wait-replicas`: writes wait for replica acknowledgements (WAIT) on the test cluster (one
/// replica per primary) and on the Sentinel setup's primary as a plain server (one replica).
/// What is not acknowledged in time is counted exactly and the command exits 1.
extension ClusterIntegration {
@Suite("--wait-replicas on a cluster and a single server", .serialized)
struct ReplicaWaitTests {
    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
    }

    func manifest(_ count: Int, tags: (Int) -> [String]) -> Data {
        var text = ""
        for index in 0..<count {
            let tagList = tags(index).map { "\"\($0)\"" }.joined(separator: ",")
            text += #"{"key":"k\#(index)","value":"v\#(index)","ttl":600,"tags":[\#(tagList)]}"# + "\n"
        }
        return Data(text.utf8)
    }

    /// The Sentinel setup's current primary as a plain redis:// server (it has one replica).
    func singleServerURL() throws -> String { "redis://" + (try TestSentinel.primary()) }

    /// The pid of the server at `address`, from its INFO.
    func pid(of address: RedisAddress) throws -> pid_t {
        let info = try TestCluster.connection(address).send(["INFO", "server"]).string ?? ""
        guard let line = info.split(separator: "\r\n").first(where: { $0.hasPrefix("process_id:") }),
              let pid = pid_t(line.dropFirst("process_id:".count)) else { throw MissingTestServer("no process_id in INFO of \(address)") }
        return pid
    }

    @Test("cluster: N=1 is acknowledged by every primary's replica; N=2 (more than there are) is not: exit 1, every entry counted")
    func clusterWarmup() throws {
        try ClusterNamespace.with { ns in
            let data = manifest(2000, tags: { ["all", "g\($0 % 7)"] })
            let ok = try CLI.run(["warmup", "--from", "-", "--format", "json", "--batch", "500", "--wait-replicas", "1"] + ns.cliOptions,
                                 stdin: data, timeout: .seconds(120))
            #expect(ok.status == 0, "\(ok.stderr.text)")
            let report = try json(ok)
            #expect(report["written"] as? Int == 2000)
            #expect(report["unacknowledged"] as? Int == 0)
            #expect(report["wait_replicas"] as? Int == 1)
            #expect(report["fewest_replicas"] as? Int == 1)

            let short = try CLI.run(["warmup", "--from", "-", "--format", "json", "--batch", "500", "--wait-replicas", "2",
                                     "--wait-timeout", "100ms"] + ns.cliOptions, stdin: data, timeout: .seconds(120))
            #expect(short.status == 1, "\(short.stderr.text)")
            let shortReport = try json(short)
            #expect(shortReport["written"] as? Int == 2000)
            #expect(shortReport["unacknowledged"] as? Int == 2000)
            #expect(shortReport["fewest_replicas"] as? Int == 1)
            #expect(short.stderr.text.contains("2000 of 2000 written entries were not acknowledged by 2 replicas"), "\(short.stderr.text)")
            // Written all the same: the wait reports, it does not undo.
            #expect(try ns.allKeys().filter { $0.hasPrefix(ns.key("k")) }.count == 2000)
        }
    }

    @Test("cluster: a replica paused with SIGSTOP leaves exactly the entries on its primary unacknowledged")
    func pausedReplica() throws {
        try TestCluster.waitUntilHealthy()
        try ClusterNamespace.with { ns in
            let topology = try TestCluster.topology()
            let shard = topology.map.shards[1]
            guard let replica = shard.replicas.first(where: \.isHealthy) else { throw MissingTestServer("no healthy replica") }
            let count = 600
            let keys = (0..<count).map { ns.key("k\($0)") }
            let onPaused = keys.filter { topology.map.primary(for: HashSlot(key: $0)) == shard.primary.address }.count
            #expect(onPaused > 50 && onPaused < count - 50, "the keys must spread over the primaries: \(onPaused) of \(count)")
            let replicaPid = try pid(of: replica.address)
            kill(replicaPid, SIGSTOP)
            let result: ProcessOutput
            do {
                defer { kill(replicaPid, SIGCONT) }
                // No tags: each entry is one key on one primary, so the count is exact.
                result = try CLI.run(["warmup", "--from", "-", "--format", "json", "--wait-replicas", "1", "--wait-timeout", "300ms"] + ns.cliOptions,
                                     stdin: manifest(count, tags: { _ in [] }), timeout: .seconds(60))
            }
            #expect(result.status == 1, "\(result.stderr.text)")
            let report = try json(result)
            #expect(report["written"] as? Int == count)
            #expect(report["unacknowledged"] as? Int == onPaused, "\(result.stdout.text)")
            #expect(report["fewest_replicas"] as? Int == 0)
            #expect(result.stdout.text.isEmpty == false)
        }
        try TestCluster.waitUntilHealthy()
    }

    @Test("cluster: set and delete wait for their key's primary")
    func clusterSetDelete() throws {
        try ClusterNamespace.with { ns in
            let set = try CLI.run(["set", "a", "1", "--tag", "t", "--wait-replicas", "1"] + ns.cliOptions)
            #expect(set.status == 0, "\(set.stderr.text)")
            let setShort = try CLI.run(["set", "b", "2", "--wait-replicas", "3", "--wait-timeout", "50ms"] + ns.cliOptions)
            #expect(setShort.status == 1)
            #expect(setShort.stderr.text.contains("1 entry written was not acknowledged by 3 replicas"), "\(setShort.stderr.text)")
            let delete = try CLI.run(["delete", "a", "b", "--wait-replicas", "1"] + ns.cliOptions)
            #expect(delete.status == 0, "\(delete.stderr.text)")
            #expect(delete.stdout.text.contains("deleted 2 of 2"))
        }
    }

    @Test("single server with one replica: warmup, set and delete; N=0 waits for nothing")
    func singleServer() throws {
        let url = try singleServerURL()
        let prefix = "w-\(UUID().uuidString.prefix(8)):"
        let options = ["--url", url, "--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats", "--timeout", "10"]
        defer { _ = try? CLI.run(["flush", "--all", "--yes"] + options) }
        let data = manifest(1500, tags: { ["t\($0 % 3)"] })
        let ok = try CLI.run(["warmup", "--from", "-", "--format", "json", "--wait-replicas", "1"] + options, stdin: data)
        #expect(ok.status == 0, "\(ok.stderr.text)")
        #expect(try json(ok)["unacknowledged"] as? Int == 0)
        let short = try CLI.run(["warmup", "--from", "-", "--wait-replicas", "2", "--wait-timeout", "100ms"] + options, stdin: data)
        #expect(short.status == 1)
        #expect(short.stdout.text.contains("not acknowledged 1,500") || short.stdout.text.contains("not acknowledged 1500"), "\(short.stdout.text)")
        let zero = try CLI.run(["warmup", "--from", "-", "--format", "json", "--wait-replicas", "0"] + options, stdin: data)
        #expect(zero.status == 0)
        #expect(try json(zero)["wait_replicas"] is NSNull)
        #expect(try CLI.run(["set", "x", "1", "--wait-replicas", "1"] + options).status == 0)
        let setShort = try CLI.run(["set", "x", "1", "--wait-replicas", "2", "--wait-timeout", "50ms"] + options)
        #expect(setShort.status == 1)
        #expect(setShort.stderr.text.contains("(the fewest acknowledging: 1)"), "\(setShort.stderr.text)")
        let deleteShort = try CLI.run(["delete", "x", "nope", "--wait-replicas", "2", "--wait-timeout", "50ms"] + options)
        #expect(deleteShort.status == 1)
        #expect(deleteShort.stderr.text.contains("1 deletion was not acknowledged"), "\(deleteShort.stderr.text)")
    }

    @Test("migrate into the cluster and into a single server waits for the target's replicas")
    func migrateTarget() throws {
        let url = try singleServerURL()
        let prefix = "m-\(UUID().uuidString.prefix(8)):"
        let source = ["--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats", "--timeout", "10"]
        defer { _ = try? CLI.run(["flush", "--all", "--yes", "--url", url] + source) }
        #expect(try CLI.run(["warmup", "--from", "-", "--url", url] + source, stdin: manifest(800, tags: { ["t\($0 % 4)"] })).status == 0)
        try ClusterNamespace.with { ns in
            let options = ["--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats", "--timeout", "10"]
            defer { _ = try? CLI.run(["flush", "--all", "--yes", "--url", ns.url] + options) }
            let ok = try CLI.run(["migrate", "--from", url, "--to", ns.url, "--format", "json", "--wait-replicas", "1"] + options)
            #expect(ok.status == 0, "\(ok.stderr.text)")
            #expect(try json(ok)["copied"] as? Int == 800)
            #expect(try json(ok)["unacknowledged"] as? Int == 0)
            let short = try CLI.run(["migrate", "--from", url, "--to", ns.url, "--format", "json", "--on-conflict", "replace",
                                     "--wait-replicas", "2", "--wait-timeout", "100ms"] + options)
            #expect(short.status == 1, "\(short.stderr.text)")
            #expect(try json(short)["unacknowledged"] as? Int == 800)
            #expect(short.stderr.text.contains("800 of 800 copied entries were not acknowledged by 2 replicas"), "\(short.stderr.text)")
            let jsonl = try CLI.run(["migrate", "--from", url, "--to", "jsonl:-", "--wait-replicas", "1"] + options)
            #expect(jsonl.status == 64, "\(jsonl.stderr.text)")
            #expect(jsonl.stderr.text.contains("has no replicas"))
        }
    }

    @Test("out-of-range and misplaced options are usage errors, before anything is written")
    func badOptions() throws {
        try ClusterNamespace.with { ns in
            for args in [["--wait-replicas", "-1"], ["--wait-replicas", "1001"], ["--wait-replicas", "x"], ["--wait-timeout", "1s"],
                         ["--wait-replicas", "1", "--wait-timeout", "0"], ["--wait-replicas", "1", "--wait-timeout", "20s"]] {
                let result = try CLI.run(["set", "a", "1"] + args + ns.cliOptions)
                #expect(result.status == 64, "\(args): \(result.status) \(result.stderr.text)")
                #expect(result.stderr.text.contains("--wait-"), "\(args): \(result.stderr.text)")
                let warm = try CLI.run(["warmup", "--from", "-"] + args + ns.cliOptions, stdin: manifest(3, tags: { _ in [] }))
                #expect(warm.status == 64, "\(args): \(warm.stderr.text)")
            }
            #expect(try ns.allKeys().isEmpty)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-wait-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = try CLI.run(["warmup", "--from", "-", "--wait-replicas", "1", "--url", "file:" + directory.appendingPathComponent("c.snapshot").path],
                                   stdin: manifest(3, tags: { _ in [] }))
        #expect(snapshot.status == 64, "\(snapshot.stderr.text)")
        #expect(snapshot.stderr.text.contains("has no replicas"))
    }
}
}
