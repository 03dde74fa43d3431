import CacheClient
import Foundation
import cachectlTests
import Testing

/// The suites that use the test cluster and sentinel: one at a time, because their reshards and
/// failovers change the servers under each other.
@Suite(.serialized) enum ClusterIntegration {}

/// The test cluster from the outside: its nodes, their roles, and redis-cli for resharding.
enum TestCluster {
    static func seeds() throws -> [RedisAddress] {
        guard case .cluster(let seeds, _) = try Endpoint(parsing: try TestEnvironment.clusterURL) else {
            throw MissingTestServer("CACHECTL_TEST_CLUSTER_URL is not a redis+cluster:// URL")
        }
        return seeds
    }

    static func topology(timeout: Double = 10) throws -> RedisTopology {
        try RedisTopology(.cluster(seeds: try seeds()), credentials: RedisCredentials(), timeout: timeout)
    }

    /// The primaries as the cluster sees them now.
    static func primaries() throws -> [RedisAddress] { try topology().primaries }

    static func port(_ address: RedisAddress) -> Int {
        if case .tcp(_, let port) = address { return port }
        return 0
    }

    /// Runs `redis-cli ARGS…`, throwing with its output when it fails.
    @discardableResult
    static func redisCLI(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run("redis-cli", arguments, timeout: .seconds(120))
        let output = result.stdout.text + result.stderr.text
        guard result.status == 0 else { throw MissingTestServer("redis-cli \(arguments.joined(separator: " ")) failed: \(output.suffix(600))") }
        return output
    }

    /// Moves `slots` slots from one primary to another with `redis-cli --cluster reshard`, live.
    static func reshard(from source: RedisAddress, to target: RedisAddress, slots: Int) throws {
        let id = { (address: RedisAddress) throws -> String in
            try connection(address).send(["CLUSTER", "MYID"]).string ?? ""
        }
        try redisCLI(["--cluster", "reshard", "\(source)", "--cluster-from", try id(source), "--cluster-to", try id(target),
                      "--cluster-slots", String(slots), "--cluster-yes", "--cluster-pipeline", "100"])
    }

    /// Runs `body` on a thread of its own; the semaphore is signalled when it returns (errors are printed).
    static func inBackground(_ body: @escaping @Sendable () throws -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try body() } catch { print("background task failed: \(error)") }
            done.signal()
        }.start()
        return done
    }

    /// Starts a stopped node again from its config file, in the background. Its pid file lets
    /// the test script stop it at the end like the others.
    static func startNode(configuration path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        if let found = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ "\($0)/redis-server" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            process.executableURL = URL(fileURLWithPath: found)
        }
        process.arguments = [path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // The test script stops it with SIGTERM (started with it blocked, the node outlived every `make test`).
        try process.runWithSignalsUnblocked()
    }

    static func connection(_ address: RedisAddress) throws -> RedisConnection {
        try RedisConnection(address: address, timeout: 10)
    }

    /// Keys per primary among `keys`, by asking each primary for its own (CLUSTER COUNTKEYSINSLOT would miss nothing either).
    static func existing(_ keys: [String], on address: RedisAddress) throws -> Int {
        let connection = try connection(address)
        var found = 0
        for key in keys {
            // READONLY is not set: a primary answers for its own slots, MOVED for the rest.
            if try connection.send(["EXISTS", RedisArgument(key)]).integer == 1 { found += 1 }
        }
        return found
    }

    /// Waits until every primary has a linked replica and the cluster is ok, so a failover can succeed.
    static func waitUntilHealthy(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let topology = try? topology(), topology.map.unassignedSlots == 0,
               topology.map.shards.allSatisfy({ shard in shard.replicas.contains { $0.isHealthy } && shard.primary.isHealthy }),
               try topology.map.shards.allSatisfy({ shard in
                   try shard.replicas.filter(\.isHealthy).allSatisfy { replica in
                       (try? connection(replica.address).send(["INFO", "replication"]).string?.contains("master_link_status:up")) == true
                   } && (try? connection(shard.primary.address).send(["CLUSTER", "INFO"]).string?.contains("cluster_state:ok")) == true
               }) {
                return
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw MissingTestServer("the test cluster did not become healthy within \(timeout) s")
    }
}

/// A private key namespace on the cluster: every key starts with `c-<uuid>:`; removed afterwards.
struct ClusterNamespace {
    let id = "c-\(UUID().uuidString.lowercased().prefix(13))"
    let configuration: CacheConfiguration
    let url: String

    init() throws {
        url = try TestEnvironment.clusterURL
        configuration = CacheConfiguration(keyPrefix: "\(id):", tagPrefix: "\(id):tag:", statsKey: "\(id):stats", timeout: 10)
    }

    var cliOptions: [String] {
        ["--url", url, "--key-prefix", configuration.keyPrefix, "--tag-prefix", configuration.tagPrefix,
         "--stats-key", configuration.statsKey, "--timeout", "10"]
    }

    func key(_ name: String) -> String { configuration.storeKey(name) }
    func tagSet(_ tag: String) -> String { configuration.tagSetKey(tag) }

    /// Every key of the namespace on every primary (SCAN per node).
    func allKeys() throws -> [String] {
        var keys: [String] = []
        for primary in try TestCluster.primaries() {
            let connection = try TestCluster.connection(primary)
            var cursor = "0"
            repeat {
                let reply = try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument("*\(id)*"), "COUNT", "5000"])
                cursor = reply.array?[0].string ?? "0"
                keys += (reply.array?[1].array ?? []).compactMap(\.string)
            } while cursor != "0"
        }
        return keys.sorted()
    }

    func remove() {
        guard let keys = try? allKeys(), let topology = try? TestCluster.topology() else { return }
        _ = try? topology.pipeline(keys.map { ["UNLINK", RedisArgument($0)] })
    }

    static func with<T>(_ body: (ClusterNamespace) throws -> T) throws -> T {
        let namespace = try ClusterNamespace()
        defer { namespace.remove() }
        return try body(namespace)
    }
}
