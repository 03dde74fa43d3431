import CacheClient
import Foundation

/// A private corner of the test server: every key a test writes starts with `t-<uuid>:`, so
/// tests never see each other's keys and `remove()` deletes exactly what the test made.
struct TagNamespace {
    let id = "t-\(UUID().uuidString.lowercased())"
    let address: RedisAddress
    let configuration: CacheConfiguration
    let url: String

    init() throws {
        url = try TestEnvironment.redisURL
        guard case .redis(let address, _, _) = try EndpointResolution.resolve(url: url, environment: [:]).endpoint else {
            throw MissingTestServer("CACHECTL_TEST_REDIS_URL is not a redis:// URL: \(url)")
        }
        self.address = address
        configuration = CacheConfiguration(keyPrefix: "\(id):", tagPrefix: "\(id):tag:", statsKey: "\(id):stats")
    }

    /// A new connection of its own, as another client would have.
    func connection() throws -> RedisConnection { try RedisConnection(address: address, timeout: 10) }

    /// The backend under test, with this namespace's prefixes.
    func backend() throws -> RedisBackend {
        try RedisBackend(address: address, database: 0, credentials: RedisCredentials(), configuration: configuration)
    }

    /// The CLI options that select this namespace.
    var cliOptions: [String] {
        ["--url", url, "--key-prefix", configuration.keyPrefix, "--tag-prefix", configuration.tagPrefix,
         "--stats-key", configuration.statsKey]
    }

    func key(_ name: String) -> String { configuration.storeKey(name) }
    func tagSet(_ tag: String) -> String { configuration.tagSetKey(tag) }

    /// Writes entries the way the seed applications do: SETEX, then SADD per tag (not atomic).
    func seed(_ keys: [String], tags: [String], ttl: Int = 300, on connection: RedisConnection) throws {
        for chunk in stride(from: 0, to: keys.count, by: 1000).map({ keys[$0..<min($0 + 1000, keys.count)] }) {
            var commands: [[RedisArgument]] = chunk.map { ["SETEX", RedisArgument(key($0)), RedisArgument(ttl), "v"] }
            for tag in tags { commands.append(["SADD", RedisArgument(tagSet(tag))] + chunk.map { RedisArgument(key($0)) }) }
            for reply in try connection.pipeline(commands) where reply.errorMessage != nil {
                throw MissingTestServer("seeding failed: \(reply)")
            }
        }
    }

    /// Every key of this namespace, sorted (SCAN).
    func allKeys(on connection: RedisConnection) throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(id + ":*"), "COUNT", "5000"])
            cursor = reply.array?[0].string ?? "0"
            keys += (reply.array?[1].array ?? []).compactMap(\.string)
        } while cursor != "0"
        return keys.sorted()
    }

    func members(_ tag: String, on connection: RedisConnection) throws -> Set<String> {
        Set((try connection.send(["SMEMBERS", RedisArgument(tagSet(tag))]).array ?? []).compactMap(\.string))
    }

    func counter(_ field: String, on connection: RedisConnection) throws -> Int64 {
        try connection.send(["HGET", RedisArgument(configuration.statsKey), RedisArgument(field)]).integer ?? 0
    }

    /// Deletes every key of the namespace.
    func remove() {
        guard let connection = try? connection(), let keys = try? allKeys(on: connection), !keys.isEmpty else { return }
        for start in stride(from: 0, to: keys.count, by: 1000) {
            _ = try? connection.send(["UNLINK"] + keys[start..<min(start + 1000, keys.count)].map { RedisArgument($0) })
        }
    }

    /// Runs `body` with a fresh namespace and removes it afterwards, also when `body` throws.
    static func with<T>(_ body: (TagNamespace) throws -> T) throws -> T {
        let namespace = try TagNamespace()
        defer { namespace.remove() }
        return try body(namespace)
    }
}
