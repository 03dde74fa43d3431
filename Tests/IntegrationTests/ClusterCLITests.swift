import CacheClient
import Foundation
import Testing
import cachectlTests

/// Every command as the built binary runs it against the test cluster (3 primaries, 3 replicas)
/// and the Sentinel setup, with keys spread over all primaries, live reshards and failovers.
extension ClusterIntegration {
@Suite("cachectl on a cluster and on Sentinel", .serialized)
struct ClusterCLITests {
    func run(_ ns: ClusterNamespace, _ args: [String], stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(args + ns.cliOptions, stdin: stdin, timeout: .seconds(120))
    }

    func json(_ output: ProcessOutput) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] ?? [:]
    }

    func manifest(_ count: Int, tags: (Int) -> [String], value: (Int) -> String = { "value \($0)" }) -> Data {
        var text = ""
        for index in 0..<count {
            let tagList = tags(index).map { "\"\($0)\"" }.joined(separator: ",")
            text += #"{"key":"k\#(index)","value":"\#(value(index))","ttl":600,"tags":[\#(tagList)]}"# + "\n"
        }
        return Data(text.utf8)
    }

    /// Members of a tag set, read straight from the cluster.
    func members(_ ns: ClusterNamespace, _ tag: String) throws -> Set<String> {
        Set((try TestCluster.topology().send(["SMEMBERS", RedisArgument(ns.tagSet(tag))]).array ?? []).compactMap(\.string))
    }

    func values(_ ns: ClusterNamespace, _ keys: [String]) throws -> [String?] {
        try TestCluster.topology().pipeline(keys.map { ["GET", RedisArgument(ns.key($0))] }).map { reply in
            if let message = reply.errorMessage { throw MissingTestServer("GET failed: \(message)") }
            return reply.string
        }
    }

    @Test("set, get, delete per key on its node; set writes its tag memberships")
    func setGetDelete() throws {
        try ClusterNamespace.with { ns in
            for index in 0..<30 {
                let result = try run(ns, ["set", "article:\(index)", "body \(index)", "--tag", "articles", "--tag", "a\(index % 3)"])
                #expect(result.status == 0, "\(result.stderr.text)")
            }
            let get = try run(ns, ["get", "article:7", "article:29", "--format", "json"])
            #expect(get.status == 0, "\(get.stderr.text)")
            #expect(get.stdout.text.contains("body 7") && get.stdout.text.contains("body 29"))
            #expect(try members(ns, "articles").count == 30)
            #expect(try members(ns, "a1").contains(ns.key("article:7")))
            let topology = try TestCluster.topology()
            let spread = Set((0..<30).map { topology.map.primary(for: HashSlot(key: ns.key("article:\($0)"))) })
            #expect(spread.count == 3, "the keys of this test must live on every primary")
            let delete = try run(ns, ["delete", "article:1", "article:2", "article:999"])
            #expect(delete.status == 0)
            #expect(try values(ns, ["article:1", "article:2", "article:3"]) == [nil, nil, "body 3"])
            let absent = try run(ns, ["set", "article:3", "other", "--if-absent"])
            // Not written; the exit code is the single server's for the same case.
            #expect(absent.status == 0 || absent.status == 75, "\(absent.stderr.text)")
            #expect(try values(ns, ["article:3"]) == ["body 3"])
        }
    }

    @Test("warmup spreads entries and memberships over every primary; invalidate-tag deletes them on their nodes")
    func warmupAndInvalidate() throws {
        try ClusterNamespace.with { ns in
            let data = manifest(3000, tags: { ["all", "g\($0 % 5)"] })
            let warm = try run(ns, ["warmup", "--from", "-", "--format", "json", "--batch", "500"], stdin: data)
            #expect(warm.status == 0, "\(warm.stderr.text)")
            #expect(try json(warm)["written"] as? Int == 3000)
            #expect(try members(ns, "all").count == 3000)
            #expect(try members(ns, "g3").count == 600)
            let invalidate = try run(ns, ["invalidate-tag", "g3", "--format", "json"])
            #expect(invalidate.status == 0, "\(invalidate.stderr.text)")
            #expect(invalidate.stdout.text.contains("\"deleted\" : 600") || invalidate.stdout.text.contains("\"deleted\":600"), "\(invalidate.stdout.text)")
            let remaining = try values(ns, (0..<3000).map { "k\($0)" })
            #expect(remaining.enumerated().allSatisfy { ($0.offset % 5 == 3) == ($0.element == nil) })
            #expect(try members(ns, "g3").isEmpty)
            // Nothing of the moved-aside set is left behind.
            #expect(try ns.allKeys().allSatisfy { !$0.contains(":invalidating:") })
            let only = try run(ns, ["warmup", "--from", "-", "--only-missing", "--format", "json"], stdin: data)
            #expect(only.status == 0, "\(only.stderr.text)")
            #expect(try json(only)["written"] as? Int == 600)
            #expect(try members(ns, "g3").count == 600)
        }
    }

    @Test("tags lists tag sets from every primary; flush --pattern SCANs every primary and leaves the rest")
    func tagsAndFlush() throws {
        try ClusterNamespace.with { ns in
            let data = manifest(2000, tags: { ["t\($0 % 4)"] })
            #expect(try run(ns, ["warmup", "--from", "-"], stdin: data).status == 0)
            let tags = try run(ns, ["tags", "--format", "json"])
            #expect(tags.status == 0, "\(tags.stderr.text)")
            for tag in ["t0", "t1", "t2", "t3"] { #expect(tags.stdout.text.contains("\"\(tag)\"")) }
            let dry = try run(ns, ["flush", "--pattern", "k1*", "--dry-run", "--format", "json"])
            #expect(try json(dry)["deleted"] as? Int == 1111)
            let flush = try run(ns, ["flush", "--pattern", "k1*", "--yes", "--format", "json"])
            #expect(flush.status == 0, "\(flush.stderr.text)")
            #expect(try json(flush)["deleted"] as? Int == 1111)
            let left = try values(ns, (0..<2000).map { "k\($0)" })
            #expect(left.enumerated().allSatisfy { ("\($0.offset)".hasPrefix("1")) == ($0.element == nil) })
            // Tag sets are indexes, not entries: a scoped flush keeps them.
            #expect(try members(ns, "t0").count == 500)
        }
    }

    @Test("stats sums the primaries; --assert works on the sums; ping names every node")
    func statsAndPing() throws {
        try ClusterNamespace.with { ns in
            #expect(try run(ns, ["warmup", "--from", "-"], stdin: manifest(900, tags: { _ in ["s"] })).status == 0)
            let stats = try run(ns, ["stats", "--format", "json"])
            #expect(stats.status == 0, "\(stats.stderr.text)")
            let report = try json(stats)
            #expect(report["entries"] as? Int == 900, "\(stats.stdout.text)")
            #expect(report["tags"] as? Int == 1)
            #expect((report["app"] as? [String: Any])?["sets"] as? Int == 900)
            let assertion = try run(ns, ["stats", "--assert", "entries==900", "--assert", "app.sets>=900"])
            #expect(assertion.status == 0, "\(assertion.stderr.text)")
            let failing = try run(ns, ["stats", "--assert", "entries>900"])
            #expect(failing.status == 1)
            let ping = try run(ns, ["ping", "--format", "json"])
            #expect(ping.status == 0, "\(ping.stderr.text)")
            let nodes = try json(ping)["nodes"] as? [[String: Any]] ?? []
            #expect(nodes.count == 6)
            #expect(nodes.filter { $0["role"] as? String == "master" }.count == 3)
            let slots = nodes.flatMap { ($0["slots"] as? [[Int]]) ?? [] }.reduce(0) { $0 + $1[1] - $1[0] + 1 }
            #expect(slots == 16384)
        }
    }

    @Test("a live reshard during warmup, invalidate-tag and flush: nothing fails, nothing is lost")
    func reshardDuringCommands() throws {
        try TestCluster.waitUntilHealthy()
        try ClusterNamespace.with { ns in
            let primaries = try TestCluster.primaries()
            let data = manifest(40_000, tags: { ["all", "r\($0 % 2)"] })
            var done = TestCluster.inBackground { try TestCluster.reshard(from: primaries[0], to: primaries[2], slots: 1000) }
            let warm = try run(ns, ["warmup", "--from", "-", "--format", "json", "--batch", "500"], stdin: data)
            done.wait()
            #expect(warm.status == 0, "\(warm.stderr.text)")
            #expect(try json(warm)["failed"] as? Int == 0)
            #expect(try members(ns, "all").count == 40_000)
            #expect(try values(ns, (0..<40_000).map { "k\($0)" }).allSatisfy { $0 != nil })

            done = TestCluster.inBackground { try TestCluster.reshard(from: primaries[2], to: primaries[0], slots: 1000) }
            let invalidate = try run(ns, ["invalidate-tag", "r1", "--format", "json"])
            #expect(invalidate.status == 0, "\(invalidate.stderr.text)")
            let flush = try run(ns, ["flush", "--pattern", "k2*", "--yes", "--format", "json"])
            #expect(flush.status == 0, "\(flush.stderr.text)")
            done.wait()
            let left = try values(ns, (0..<40_000).map { "k\($0)" })
            for (index, value) in left.enumerated() {
                let gone = index % 2 == 1 || "\(index)".hasPrefix("2")
                if gone != (value == nil) {
                    Issue.record("k\(index): expected \(gone ? "deleted" : "present"), found \(value ?? "nothing")")
                    break
                }
            }
            #expect(try members(ns, "all").count == 40_000)
        }
    }

    @Test("a primary killed mid-warmup: the run rides through the failover or stops with exact counts; --only-missing then completes")
    func primaryKilledMidWarmup() throws {
        try TestCluster.waitUntilHealthy()
        try ClusterNamespace.with { ns in
            let victim = try TestCluster.primaries()[1]
            let port = TestCluster.port(victim)
            let directory = try TestEnvironment.clusterDirectory
            let data = manifest(60_000, tags: { _ in ["all"] })
            let killer = TestCluster.inBackground {
                Thread.sleep(forTimeInterval: 0.3)
                // SHUTDOWN NOSAVE: the process is gone at once, as after a crash; its replica takes over after the node timeout.
                _ = try? TestCluster.connection(victim).send(["SHUTDOWN", "NOSAVE"])
            }
            let warm = try CLI.run(["warmup", "--from", "-", "--format", "json", "--batch", "500"] + ns.cliOptions.dropLast(2) + ["--timeout", "15"],
                                   stdin: data, timeout: .seconds(120))
            killer.wait()
            defer {
                // Bring the node back; it rejoins as a replica of its promoted replica.
                try? TestCluster.startNode(configuration: "\(directory)/node-\(port).conf")
                try? TestCluster.waitUntilHealthy(timeout: 30)
            }
            let report = try json(warm)
            if warm.status == 0 {
                #expect(report["written"] as? Int == 60_000)
                #expect((report["retries"] as? Int ?? 0) > 0, "a failover under the run must show as retries: \(warm.stdout.text)")
            } else {
                #expect(warm.status == 69, "\(warm.stderr.text)")
                let written = report["written"] as? Int ?? -1
                let failed = report["failed"] as? Int ?? -1
                let notAttempted = report["not_attempted"] as? Int ?? -1
                #expect(written + failed + notAttempted == 60_000, "\(warm.stdout.text)")
            }
            let again = try run(ns, ["warmup", "--from", "-", "--only-missing", "--format", "json"], stdin: data)
            #expect(again.status == 0, "\(again.stderr.text)")
            #expect(try values(ns, (0..<60_000).map { "k\($0)" }).allSatisfy { $0 != nil })
            #expect(try members(ns, "all").count == 60_000)
        }
    }

    @Test("Sentinel: set and get through the sentinel; a failover between two commands and during a warmup")
    func sentinel() throws {
        let url = try TestEnvironment.sentinelURL
        let prefix = "s-\(UUID().uuidString.prefix(8)):"
        let options = ["--url", url, "--key-prefix", prefix, "--tag-prefix", prefix + "tag:", "--stats-key", prefix + "stats", "--timeout", "20"]
        defer { _ = try? CLI.run(["flush", "--all", "--yes"] + options) }
        #expect(try CLI.run(["set", "a", "1", "--tag", "x"] + options).status == 0)
        try TestSentinel.failover()
        let get = try CLI.run(["get", "a", "--raw"] + options)
        #expect(get.status == 0, "\(get.stderr.text)")
        #expect(get.stdout.text == "1")
        let data = manifest(30_000, tags: { _ in ["w"] })
        let failover = TestCluster.inBackground {
            Thread.sleep(forTimeInterval: 0.2)
            try TestSentinel.failover()
        }
        let warm = try CLI.run(["warmup", "--from", "-", "--format", "json", "--batch", "500"] + options, stdin: data, timeout: .seconds(120))
        failover.wait()
        #expect(warm.status == 0 || warm.status == 69, "\(warm.stderr.text)")
        let again = try CLI.run(["warmup", "--from", "-", "--only-missing", "--format", "json"] + options, stdin: data, timeout: .seconds(120))
        #expect(again.status == 0, "\(again.stderr.text)")
        let stats = try CLI.run(["stats", "--format", "json"] + options)
        #expect(stats.stdout.text.contains("\"entries\" : 30001") || stats.stdout.text.contains("\"entries\":30001"), "\(stats.stdout.text.prefix(400))")
        let unknown = try CLI.run(["ping", "--url", url.replacingOccurrences(of: "/cachectl", with: "/nope")])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.text.contains("\"nope\""))
    }
}
}
