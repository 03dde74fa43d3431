import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The cache in one Redis server, in the seed applications' layout: entries as strings,
/// tag indexes as sets of full keys, app counters in a hash.
public final class RedisBackend: CacheBackend {
    public let configuration: CacheConfiguration
    public var kind: String { "redis" }
    public let endpointDescription: String
    /// The connection; extensions in other files send their commands through it. Replaced by
    /// `reconnect()` after a lost connection.
    private(set) var connection: RedisConnection
    /// What `reconnect()` needs to open the same session again.
    let address: RedisAddress
    private let database: Int
    private let credentials: RedisCredentials
    /// Script digests already loaded on this connection.
    var loadedScripts: [String: String] = [:]
    /// The encoding buffer of batch writes, kept so its memory is reused from batch to batch.
    var batchBuffer = RedisCommandBuffer()
    /// Replies this connection still owes to pipelined batch writes, in order.
    var outstanding: [OutstandingReplies] = []
    /// Where batch transactions store their number (see `BatchSequencing`), and the next number.
    var sequenceKey: String?
    public var batchSequence = 0
    public internal(set) var connectionID: Int64?
    /// Keyspace lookups `statistics()` itself made (reading the counters hash), kept out of the
    /// server's hit and miss figures so a window measures the applications only.
    private var ownLookups: (hits: Int64, misses: Int64) = (0, 0)

    /// Connects, authenticates and selects the database, all within `configuration.timeout`.
    public init(address: RedisAddress, database: Int, credentials: RedisCredentials, configuration: CacheConfiguration) throws {
        self.configuration = configuration
        endpointDescription = Endpoint.redis(address: address, database: database, credentials: credentials).description
        self.address = address
        self.database = database
        self.credentials = credentials
        connection = try Self.open(address: address, database: database, credentials: credentials, configuration: configuration,
                                   endpoint: endpointDescription)
    }

    /// Opens a new connection in place of the current one (after a lost connection); what the
    /// old one still owed is forgotten.
    func reconnect() throws {
        connection = try Self.open(address: address, database: database, credentials: credentials, configuration: configuration,
                                   endpoint: endpointDescription)
        outstanding = []
        loadedScripts = [:]
    }

    /// Connects, authenticates and selects the database.
    private static func open(address: RedisAddress, database: Int, credentials: RedisCredentials, configuration: CacheConfiguration,
                             endpoint: String) throws -> RedisConnection {
        let connection = try RedisConnection(address: address, timeout: configuration.timeout, tls: configuration.tls)
        var setup: [[RedisArgument]] = []
        if let password = credentials.password {
            setup.append(credentials.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)])
        } else if let username = credentials.username {
            // A user without a password: Redis still needs AUTH to switch user; an empty password fails clearly.
            setup.append(["AUTH", RedisArgument(username), ""])
        }
        if database != 0 { setup.append(["SELECT", RedisArgument(database)]) }
        if !setup.isEmpty {
            for reply in try connection.pipeline(setup) {
                if let error = RedisErrorReply(reply) { throw error.cacheError(context: "Cannot open \(endpoint)", endpoint: endpoint) }
            }
        }
        return connection
    }

    /// Runs `body`, and again after a lost connection (reconnecting) or a temporary refusal,
    /// with doubling delays, up to `retries` times; `body` must be safe to run again.
    func retrying<T>(retries: Int = 3, _ body: () throws -> T) throws -> T {
        var attempt = 0
        var needsReconnect = false
        while true {
            do {
                // A connection that missed a reply is never used again: its next reply would be the missed one.
                if needsReconnect {
                    try reconnect()
                    needsReconnect = false
                }
                return try body()
            } catch let error as CacheError where (error.kind == .unreachable || error.kind == .temporary) && attempt < retries {
                attempt += 1
                if configuration.cancellation.isCancelled { throw error }
                sleep(seconds: 0.25 * Double(1 << attempt))
                if error.kind == .unreachable { needsReconnect = true }
            }
        }
    }

    // MARK: - Reads

    public func entries(_ keys: [String]) throws -> [Entry?] {
        try lookup(keys).map { found in
            switch found {
            case .entry(let entry): return entry
            case .missing: return nil
            case .otherType(let key, let type):
                throw CacheError(.badInput, "Cannot read \"\(key)\": it holds a \(type), not a cache entry (a string)")
            }
        }
    }


    public func lookup(_ keys: [String]) throws -> [EntryLookup] {
        var result: [EntryLookup] = []
        result.reserveCapacity(keys.count)
        for chunk in keys.chunks(of: 500) {
            var commands: [[RedisArgument]] = []
            for key in chunk {
                let storeKey = RedisArgument(configuration.storeKey(key))
                commands.append(["GET", storeKey])
                commands.append(["PTTL", storeKey])
            }
            let replies = try connection.pipeline(commands)
            for (index, key) in chunk.enumerated() {
                let value = replies[2 * index]
                if let error = RedisErrorReply(value) {
                    guard error.kind == .wrongType else { throw error.cacheError(context: "Cannot read \"\(key)\"", endpoint: endpointDescription) }
                    result.append(.otherType(key: key, type: try type(of: key)))
                    continue
                }
                guard case .bulk(let bytes) = value else {
                    result.append(.missing)
                    continue
                }
                let pttl = replies[2 * index + 1].integer ?? -1
                result.append(.entry(Entry(key: key, value: bytes, expiry: pttl >= 0 ? .milliseconds(pttl) : .never, tags: nil)))
            }
        }
        return result
    }

    public func exists(_ keys: [String]) throws -> [Bool] {
        var result: [Bool] = []
        result.reserveCapacity(keys.count)
        for chunk in keys.chunks(of: 1000) {
            // One EXISTS over the whole chunk first: when none exists (the usual answer before a
            // copy) that is all the server has to do; only a chunk with hits is asked key by key.
            let storeKeys = chunk.map { RedisArgument(configuration.storeKey($0)) }
            let found = try check(try connection.send(["EXISTS"] + storeKeys), context: "Cannot check keys").integer ?? 0
            guard found > 0 else {
                result += repeatElement(false, count: chunk.count)
                continue
            }
            let replies = try connection.pipeline(storeKeys.map { ["EXISTS", $0] })
            for reply in replies { result.append(try check(reply, context: "Cannot check keys").integer == 1) }
        }
        return result
    }

    // MARK: - Writes

    public func delete(_ keys: [String]) throws -> Int {
        var deleted = 0
        for chunk in keys.chunks(of: 1000) {
            let reply = try connection.send(["UNLINK"] + chunk.map { RedisArgument(configuration.storeKey($0)) })
            deleted += Int(try check(reply, context: "Cannot delete keys").integer ?? 0)
        }
        if deleted > 0 {
            try check(try connection.send(["HINCRBY", RedisArgument(configuration.statsKey), "deletes", RedisArgument(deleted)]),
                      context: "Cannot count the deletes")
        }
        return deleted
    }

    // MARK: - Server

    public func ping() throws -> PingReport {
        let latency = try timedPing()
        let replies = try connection.pipeline([["INFO", "server"], ["ROLE"]])
        let info = ServerStatistics(info: try check(replies[0], context: "Cannot read INFO").string ?? "")
        let role = replies[1].array?.first?.string
        return PingReport(backend: kind, endpoint: endpointDescription, latency: latency, version: info.version, role: role ?? info.role)
    }

    public func statistics() throws -> BackendStatistics {
        let latency = try timedPing()
        // INFO first, then the counters: this sample's own HGETALL is a keyspace lookup the next
        // INFO will count, so earlier samples' lookups are taken out of the server's figures.
        let replies = try connection.pipeline([["INFO"], ["HGETALL", RedisArgument(configuration.statsKey)], ["DBSIZE"]])
        var server = ServerStatistics(info: try check(replies[0], context: "Cannot read INFO").string ?? "")
        server.hits = server.hits.map { max(0, $0 - ownLookups.hits) }
        server.misses = server.misses.map { max(0, $0 - ownLookups.misses) }
        let counters = try check(replies[1], context: "Cannot read \(configuration.statsKey)")
        if counters.array?.isEmpty == false { ownLookups.hits += 1 } else { ownLookups.misses += 1 }
        let app = AppCounters(fields: hashIntegers(counters))
        var entries = try check(replies[2], context: "Cannot read DBSIZE").integer ?? 0
        if !configuration.keyPrefix.isEmpty {
            entries = try countKeys(matching: RedisGlob.escape(configuration.keyPrefix) + "*")
        }
        let tags = try countKeys(matching: RedisGlob.escape(configuration.tagPrefix) + "*")
        // Tag sets and the counters hash are bookkeeping, not entries, even when they share the key prefix.
        if configuration.tagPrefix.hasPrefix(configuration.keyPrefix) { entries -= tags }
        // A hash exists exactly when it has fields; HGETALL tells, without a second lookup (EXISTS) in the server's figures.
        if configuration.statsKey.hasPrefix(configuration.keyPrefix), counters.array?.isEmpty == false { entries -= 1 }
        entries = max(0, entries)
        return BackendStatistics(backend: kind, endpoint: endpointDescription, app: app, server: server, entries: entries,
                                 tags: tags, memoryBytes: server.usedMemory, pingLatency: latency)
    }

    public func recordReads(hits: Int, misses: Int) throws {
        var commands: [[RedisArgument]] = []
        if hits > 0 { commands.append(["HINCRBY", RedisArgument(configuration.statsKey), "hits", RedisArgument(hits)]) }
        if misses > 0 { commands.append(["HINCRBY", RedisArgument(configuration.statsKey), "misses", RedisArgument(misses)]) }
        for reply in try connection.pipeline(commands) { try check(reply, context: "Cannot count reads") }
    }

    public func resetCounters() throws {
        var command: [RedisArgument] = ["HSET", RedisArgument(configuration.statsKey)]
        for field in AppCounters.fieldNames { command += [RedisArgument(field), "0"] }
        try check(try connection.send(command), context: "Cannot reset \(configuration.statsKey)")
    }

    public func resetServerStatistics() throws {
        try check(try connection.send("CONFIG", "RESETSTAT"), context: "Cannot reset the server statistics of \(endpointDescription)")
    }

    // MARK: - Helpers for this file and its extensions

    /// Turns an error reply into a `CacheError` (classified by `RedisErrorReply`); returns other replies unchanged.
    @discardableResult
    func check(_ reply: RESPValue, context: String) throws -> RESPValue {
        guard let error = RedisErrorReply(reply) else { return reply }
        throw error.cacheError(context: context, endpoint: endpointDescription)
    }

    /// Counts keys matching a glob by SCAN (never KEYS), in large steps.
    func countKeys(matching pattern: String) throws -> Int64 {
        var cursor = "0"
        var count: Int64 = 0
        repeat {
            let reply = try check(try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(pattern), "COUNT", "10000"]),
                                  context: "Cannot scan keys")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw CacheError(.failed, "Cannot scan keys: unexpected reply to SCAN")
            }
            cursor = next
            count += Int64(parts[1].array?.count ?? 0)
        } while cursor != "0"
        return count
    }

    /// The SHA1 of a script, loading it with SCRIPT LOAD the first time on this connection.
    func scriptDigest(_ script: String) throws -> String {
        if let sha = loadedScripts[script] { return sha }
        let reply = try check(try connection.send(["SCRIPT", "LOAD", RedisArgument(script)]), context: "Cannot load a script")
        guard let sha = reply.string else { throw CacheError(.failed, "Cannot load a script: unexpected reply") }
        loadedScripts[script] = sha
        return sha
    }

    /// Seconds for one PING.
    func timedPing() throws -> Double {
        let start = ContinuousClock.now
        try check(try connection.send("PING"), context: "Cannot ping \(endpointDescription)")
        return (ContinuousClock.now - start).seconds
    }

    /// The type of a key, as TYPE reports it.
    func type(of key: String) throws -> String {
        try check(try connection.send(["TYPE", RedisArgument(configuration.storeKey(key))]), context: "Cannot read the type of \"\(key)\"").string ?? "unknown"
    }

    private func hashIntegers(_ reply: RESPValue) -> [String: Int64] {
        guard let items = reply.array else { return [:] }
        var fields: [String: Int64] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string, let value = items[index + 1].integer { fields[name] = value }
            index += 2
        }
        return fields
    }
}

/// Redis glob patterns.
public enum RedisGlob {
    /// Escapes the glob metacharacters of a literal so `MATCH` treats it as plain text.
    public static func escape(_ literal: String) -> String {
        var escaped = ""
        for character in literal {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension RedisBackend: ServerIdentity {
    public func serverRunID() throws -> String? {
        let info = try check(try connection.send("INFO", "server"), context: "Cannot read INFO").string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("run_id:") {
            return String(line.dropFirst("run_id:".count))
        }
        return nil
    }
}
