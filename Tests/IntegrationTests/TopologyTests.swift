import CacheClient
import Foundation
import Testing
import cachectlTests

/// The router against the real test cluster and sentinel (Scripts/lib/cluster-servers.sh).
/// Serialized: the reshard and failover tests change the cluster under the others.
extension ClusterIntegration {
@Suite("Cluster and Sentinel topology", .serialized)
struct TopologyTests {
    @Test("the slot map names three primaries serving all 16384 slots")
    func discovery() throws {
        let topology = try TestCluster.topology()
        #expect(topology.isCluster)
        #expect(topology.primaries.count == 3)
        #expect(topology.map.unassignedSlots == 0)
        #expect(topology.map.shards.allSatisfy { $0.replicas.count == 1 })
    }

    @Test("our slot of a key is the server's CLUSTER KEYSLOT, hash tags and odd bytes included")
    func keyslotsAgreeWithTheServer() throws {
        let connection = try TestCluster.connection(try TestCluster.seeds()[0])
        var keys = ["", "{", "}", "{}", "{}x", "a{b}c", "a{{b}}", "x{}y{z}", "\u{00e9}t\u{00e9}", "tag:{articles}", "{user1000}.following"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 { keys.append(String((0..<Int.random(in: 1...24, using: &generator)).map { _ in "ab{}:x1é".randomElement(using: &generator)! })) }
        for key in keys {
            let reply = try connection.send(["CLUSTER", "KEYSLOT", RedisArgument(key)])
            #expect(reply.integer.map(Int.init) == HashSlot(key: key).value, "key \(key.debugDescription)")
        }
        var binary: [UInt8] = [0, 0xFF, 0x7B, 0x80, 0x7D, 0x0A]
        for _ in 0..<50 {
            binary = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reply = try connection.send(["CLUSTER", "KEYSLOT", RedisArgument(bytes: binary)])
            #expect(reply.integer.map(Int.init) == HashSlot(key: binary).value)
        }
    }

    @Test("a pipeline split per node puts replies back in order, keys spread over every primary")
    func pipelineOrder() throws {
        try ClusterNamespace.with { ns in
            let topology = try TestCluster.topology()
            let keys = (0..<3000).map { ns.key("k\($0)") }
            let sets = try topology.pipeline(keys.enumerated().map { ["SET", RedisArgument($0.element), RedisArgument("v\($0.offset)")] })
            #expect(sets.allSatisfy { $0 == .status("OK") })
            let values = try topology.pipeline(keys.map { ["GET", RedisArgument($0)] })
            #expect(values.enumerated().allSatisfy { $0.element.string == "v\($0.offset)" })
            for primary in topology.primaries {
                let held = try TestCluster.existing(Array(keys.prefix(300)), on: primary)
                #expect(held > 50, "primary \(primary) holds only \(held) of 300 keys")
            }
        }
    }

    @Test("ASK during a slot migration: the command goes to the importing node after ASKING")
    func ask() throws {
        try ClusterNamespace.with { ns in
            let topology = try TestCluster.topology()
            let key = ns.key("asked")
            let slot = HashSlot(key: key)
            let source = topology.map.primary(for: slot)!
            let target = topology.primaries.first { $0 != source }!
            let sourceID = try TestCluster.connection(source).send(["CLUSTER", "MYID"]).string!
            let targetID = try TestCluster.connection(target).send(["CLUSTER", "MYID"]).string!
            let sourceConnection = try TestCluster.connection(source)
            let targetConnection = try TestCluster.connection(target)
            #expect(try targetConnection.send(["CLUSTER", "SETSLOT", RedisArgument(slot.value), "IMPORTING", RedisArgument(sourceID)]) == .status("OK"))
            #expect(try sourceConnection.send(["CLUSTER", "SETSLOT", RedisArgument(slot.value), "MIGRATING", RedisArgument(targetID)]) == .status("OK"))
            defer {
                _ = try? targetConnection.pipeline([["ASKING"], ["UNLINK", RedisArgument(key)]])
                _ = try? sourceConnection.send(["CLUSTER", "SETSLOT", RedisArgument(slot.value), "STABLE"])
                _ = try? targetConnection.send(["CLUSTER", "SETSLOT", RedisArgument(slot.value), "STABLE"])
            }
            // The key is new, so the migrating source answers ASK and the importing target takes it.
            #expect(try topology.send(["SET", RedisArgument(key), "asked"]) == .status("OK"))
            #expect(topology.retries == 1)
            #expect(try targetConnection.pipeline([["ASKING"], ["GET", RedisArgument(key)]])[1].string == "asked")
            #expect(try topology.send(["GET", RedisArgument(key)]).string == "asked")
            // ASK never changes the map: the slot still belongs to the source.
            #expect(topology.map.primary(for: slot) == source)
        }
    }

    @Test("MOVED after a live reshard refreshes the map; a reshard during a pipeline loses nothing")
    func movedAfterReshard() throws {
        try ClusterNamespace.with { ns in
            let topology = try TestCluster.topology()
            let keys = (0..<2000).map { ns.key("m\($0)") }
            _ = try topology.pipeline(keys.map { ["SET", RedisArgument($0), "before"] })
            let primaries = topology.primaries
            let refreshesBefore = topology.refreshes
            // The old map is kept by `topology`; the cluster moves 300 slots under it.
            try TestCluster.reshard(from: primaries[0], to: primaries[1], slots: 300)
            let replies = try topology.pipeline(keys.map { ["SET", RedisArgument($0), "after"] })
            #expect(replies.allSatisfy { $0 == .status("OK") })
            #expect(topology.refreshes > refreshesBefore, "a MOVED must refresh the map")
            #expect(try TestCluster.topology().pipeline(keys.map { ["GET", RedisArgument($0)] }).allSatisfy { $0.string == "after" })

            // Now while the reshard runs: writes and reads in batches until it is done.
            let done = TestCluster.inBackground { try TestCluster.reshard(from: primaries[1], to: primaries[0], slots: 300) }
            var round = 0
            var failures: [String] = []
            while done.wait(timeout: .now()) == .timedOut || round < 3 {
                let value = "round\(round)"
                let written = try topology.pipeline(keys.map { ["SET", RedisArgument($0), RedisArgument(value)] })
                let read = try topology.pipeline(keys.map { ["GET", RedisArgument($0)] })
                for (index, reply) in written.enumerated() where reply != .status("OK") { failures.append("SET \(keys[index]): \(reply)") }
                for (index, reply) in read.enumerated() where reply.string != value { failures.append("GET \(keys[index]): \(reply)") }
                round += 1
                if round > 500 { break }
            }
            #expect(failures.isEmpty, "\(failures.prefix(5))")
        }
    }

    @Test("a manual failover between two commands: MOVED from the demoted primary, then the new one answers")
    func clusterFailover() throws {
        try TestCluster.waitUntilHealthy()
        try ClusterNamespace.with { ns in
            let topology = try TestCluster.topology()
            let key = ns.key("failover")
            #expect(try topology.send(["SET", RedisArgument(key), "1"]) == .status("OK"))
            let shard = topology.map.shards[topology.map.shardIndex(for: HashSlot(key: key))!]
            let replica = try #require(shard.replicas.first)
            #expect(try TestCluster.connection(replica.address).send(["CLUSTER", "FAILOVER"]) == .status("OK"))
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, (try? TestCluster.connection(replica.address).send(["ROLE"]).array?.first?.string) != "master" {
                Thread.sleep(forTimeInterval: 0.1)
            }
            #expect(try topology.send(["INCR", RedisArgument(key)]).integer == 2)
            #expect(topology.map.primary(for: HashSlot(key: key)) == replica.address)
        }
        try TestCluster.waitUntilHealthy()
    }

    @Test("a seed that is not a cluster node is a usage error naming it")
    func notACluster() throws {
        guard case .redis(let address, _, _) = try Endpoint(parsing: try TestEnvironment.redisURL) else { return }
        do {
            _ = try RedisTopology(.cluster(seeds: [address]), credentials: RedisCredentials(), timeout: 5)
            Issue.record("a plain server was accepted as a cluster seed")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
            #expect(error.message.contains("\(address)"))
        }
    }

    @Test("no seed reachable: unreachable, naming the last failure")
    func unreachableSeeds() throws {
        do {
            _ = try RedisTopology(.cluster(seeds: [.tcp(host: "127.0.0.1", port: 1)]), credentials: RedisCredentials(), timeout: 2)
            Issue.record("connected to port 1")
        } catch let error as CacheError {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("127.0.0.1:1"))
        }
    }

    @Test("Sentinel: an unknown master name is a usage error naming it")
    func sentinelUnknownName() throws {
        guard case .sentinel(let sentinels, _, _, _) = try Endpoint(parsing: try TestEnvironment.sentinelURL) else { return }
        let resolver = SentinelResolver(sentinels: sentinels, masterName: "no-such-primary", credentials: RedisCredentials(), timeout: 3)
        do {
            _ = try RedisTopology(.sentinel(resolver), credentials: RedisCredentials(), timeout: 3)
            Issue.record("an unknown master name was accepted")
        } catch let error as CacheError {
            #expect(error.kind == .usage)
            #expect(error.message.contains("\"no-such-primary\""))
        }
    }

    @Test("Sentinel: a failover between two commands is followed to the new primary")
    func sentinelFailover() throws {
        let endpoint = try Endpoint(parsing: try TestEnvironment.sentinelURL)
        let topology = try #require(try RedisTopology(endpoint: endpoint, timeout: 15))
        let key = "sentinel-\(UUID().uuidString)"
        defer { _ = try? topology.send(["UNLINK", RedisArgument(key)]) }
        #expect(try topology.send(["SET", RedisArgument(key), "1"]) == .status("OK"))
        let before = topology.primaries
        try TestSentinel.failover()
        #expect(try topology.send(["INCR", RedisArgument(key)]).integer == 2)
        #expect(topology.primaries != before, "the topology still talks to \(before)")
    }
}

}

/// The test sentinel from the outside.
enum TestSentinel {
    static func sentinel() throws -> RedisConnection {
        guard case .sentinel(let sentinels, _, _, _) = try Endpoint(parsing: try TestEnvironment.sentinelURL) else {
            throw MissingTestServer("CACHECTL_TEST_SENTINEL_URL is not a redis+sentinel:// URL")
        }
        return try RedisConnection(address: sentinels[0], timeout: 10)
    }

    static func primary() throws -> String {
        let reply = try sentinel().send(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "cachectl"])
        return (reply.array ?? []).compactMap(\.string).joined(separator: ":")
    }

    static func role(_ hostPort: String) -> String? {
        let parts = hostPort.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        return try? RedisConnection(address: .tcp(host: String(parts[0]), port: port), timeout: 2).send(["ROLE"]).array?.first?.string
    }

    /// Forces a failover and waits until the sentinel names the new primary, that primary says
    /// so, and the old one has become its replica (until then the old one still takes writes).
    static func failover() throws {
        let sentinel = try sentinel()
        let before = try primary()
        // Replication is asynchronous: a failover before the replica has caught up loses the
        // last writes (as the README says). Tests that check their data afterwards wait for it.
        let offsets = { (hostPort: String) -> (Int64?, Int64?) in
            let parts = hostPort.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]),
                  let info = try? RedisConnection(address: .tcp(host: String(parts[0]), port: port), timeout: 2).send(["INFO", "replication"]).string
            else { return (nil, nil) }
            func field(_ name: String) -> Int64? {
                info.split(separator: "\r\n").first { $0.hasPrefix(name + ":") }.flatMap { Int64($0.dropFirst(name.count + 1)) }
            }
            return (field("master_repl_offset"), field("slave_repl_offset"))
        }
        let replicas = (try sentinel.send(["SENTINEL", "REPLICAS", "cachectl"]).array ?? []).compactMap { replica -> String? in
            let fields = replica.array ?? []
            guard let index = fields.firstIndex(where: { $0.string == "name" }), index + 1 < fields.count else { return nil }
            return fields[index + 1].string
        }
        let caughtUp = Date().addingTimeInterval(10)
        while Date() < caughtUp {
            let primaryOffset = offsets(before).0
            if primaryOffset != nil, replicas.allSatisfy({ offsets($0).1 == primaryOffset }) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Sentinel needs to know a healthy replica (it learns them from INFO) or answers NOGOODSLAVE.
        let deadline = Date().addingTimeInterval(30)
        var reply = RESPValue.null
        while Date() < deadline {
            reply = try sentinel.send(["SENTINEL", "FAILOVER", "cachectl"])
            if reply == .status("OK") { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        guard reply == .status("OK") else { throw MissingTestServer("SENTINEL FAILOVER: \(reply)") }
        while Date() < deadline {
            let now = try primary()
            if now != before, role(now) == "master", role(before) == "slave" { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw MissingTestServer("the sentinel failover did not complete in 30 s")
    }
}
