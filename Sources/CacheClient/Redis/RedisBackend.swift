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
    /// The connection; extensions in other files send their commands through it.
    let connection: RedisConnection
    /// Script digests already loaded on this connection.
    var loadedScripts: [String: String] = [:]
    /// The encoding buffer of batch writes, kept so its memory is reused from batch to batch.
    private var batchBuffer = RedisCommandBuffer()
    /// Keyspace lookups `statistics()` itself made (reading the counters hash), kept out of the
    /// server's hit and miss figures so a window measures the applications only.
    private var ownLookups: (hits: Int64, misses: Int64) = (0, 0)

    /// Connects, authenticates and selects the database, all within `configuration.timeout`.
    public init(address: RedisAddress, database: Int, credentials: RedisCredentials, configuration: CacheConfiguration) throws {
        self.configuration = configuration
        endpointDescription = Endpoint.redis(address: address, database: database, credentials: credentials).description
        connection = try RedisConnection(address: address, timeout: configuration.timeout, tls: configuration.tls)
        var setup: [[RedisArgument]] = []
        if let password = credentials.password {
            setup.append(credentials.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)])
        } else if let username = credentials.username {
            // A user without a password: Redis still needs AUTH to switch user; an empty password fails clearly.
            setup.append(["AUTH", RedisArgument(username), ""])
        }
        if database != 0 { setup.append(["SELECT", RedisArgument(database)]) }
        if !setup.isEmpty {
            for reply in try connection.pipeline(setup) { try check(reply, context: "Cannot open \(endpointDescription)") }
        }
    }

    // MARK: - Reads

    public func entries(_ keys: [String]) throws -> [Entry?] {
        var result: [Entry?] = []
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
                if let message = value.errorMessage {
                    if message.hasPrefix("WRONGTYPE") {
                        throw CacheError(.failed, "Cannot read \"\(key)\": it holds a \(try type(of: key)), not a cache entry (a string)")
                    }
                    try check(value, context: "Cannot read \"\(key)\"")
                }
                guard case .bulk(let bytes) = value else {
                    result.append(nil)
                    continue
                }
                let pttl = replies[2 * index + 1].integer ?? -1
                result.append(Entry(key: key, value: bytes, expiry: pttl >= 0 ? .milliseconds(pttl) : .never, tags: nil))
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

    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool {
        try write(entry, ifAbsent: ifAbsent, replacingOtherTypes: true)
    }

    public func write(_ entry: Entry, ifAbsent: Bool, replacingOtherTypes: Bool) throws -> Bool {
        let storeKey = configuration.storeKey(entry.key)
        var keys: [RedisArgument] = [RedisArgument(storeKey), RedisArgument(configuration.statsKey)]
        keys += (entry.tags ?? []).uniqued().map { RedisArgument(configuration.tagSetKey($0)) }
        let arguments = [RedisArgument(bytes: entry.value), RedisArgument(entry.expiry.milliseconds ?? -1),
                         RedisArgument(ifAbsent ? "NX" : ""), RedisArgument(replacingOtherTypes ? "" : "STRING")]
        // EVAL rather than EVALSHA: one write is one round trip, not a SCRIPT LOAD first.
        let reply = try connection.send(["EVAL", RedisArgument(RedisScripts.setEntry), RedisArgument(keys.count)] + keys + arguments)
        let result = try check(reply, context: "Cannot write \"\(entry.key)\"")
        if case .bulk = result, let type = result.string { throw CacheError.otherType(type, key: entry.key) }
        return result.integer == 1
    }

    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] {
        guard !batch.isEmpty else { return [] }
        guard onlyMissing else {
            let pending = try send(batch: batch)
            return try receive(pending)
        }
        var sets = setCommands(for: batch, onlyMissing: true)
        let replies = try connection.pipeline(sets)
        var written = [Bool](repeating: true, count: batch.count)
        for (index, reply) in replies.enumerated() {
            written[index] = try check(reply, context: "Cannot write \"\(batch[index].key)\"") != .null
        }
        sets = RedisCommandBuffer()
        try appendTagWrites(for: batch, written: written, to: &sets)
        let count = written.lazy.filter { $0 }.count
        if count > 0 { sets.append(["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(count)]) }
        try checkTail(try connection.pipeline(sets), setCount: 0, batch: batch, written: written)
        return written
    }

    /// SET commands for a batch, encoded straight into one buffer: at warmup rates, an array
    /// per argument and a copy per command cost more than the network.
    private func setCommands(for batch: [Entry], onlyMissing: Bool, reusing buffer: RedisCommandBuffer? = nil) -> RedisCommandBuffer {
        var sets = buffer ?? RedisCommandBuffer(capacity: batch.count * 96 + batch.reduce(0) { $0 + $1.value.count })
        for entry in batch {
            let ms = entry.expiry.milliseconds
            sets.begin(arguments: 3 + (ms == nil ? 0 : 2) + (onlyMissing ? 1 : 0))
            sets.add("SET")
            sets.add(configuration.keyPrefix, entry.key)
            sets.add(entry.value)
            if let ms {
                sets.add("PX")
                sets.add(ms)
            }
            if onlyMissing { sets.add("NX") }
        }
        return sets
    }

    /// Checks the replies after the SETs (tag writes, the counter), reloading the script once if the server lost it.
    private func checkTail(_ replies: [RESPValue], setCount: Int, batch: [Entry], written: [Bool]) throws {
        var replies = replies
        if replies[setCount...].contains(where: { $0.errorMessage?.hasPrefix("NOSCRIPT") == true }) {
            // The server lost its scripts (SCRIPT FLUSH, a restart): load again and resend the tag writes.
            loadedScripts = [:]
            var retry = RedisCommandBuffer()
            try appendTagWrites(for: batch, written: written, to: &retry)
            let again = try connection.pipeline(retry)
            replies.replaceSubrange(setCount..<(setCount + again.count), with: again)
        }
        for (index, reply) in replies.enumerated() {
            let key = index < setCount ? "\"\(batch[index].key)\"" : "a tag index"
            try check(reply, context: "Cannot write \(key)")
        }
    }

    /// One script call per tag in the batch, carrying all its members and the longest lifetime.
    private func appendTagWrites(for batch: [Entry], written: [Bool], to buffer: inout RedisCommandBuffer) throws {
        var slots: [String: Int] = [:]
        var tags: [(tag: String, lifetime: Int64, members: [Int])] = []
        for (index, entry) in batch.enumerated() where written[index] {
            guard let entryTags = entry.tags, !entryTags.isEmpty else { continue }
            let lifetime = entry.expiry.milliseconds ?? -1
            for (position, tag) in entryTags.enumerated() {
                if position > 0, entryTags[..<position].contains(tag) { continue }
                if let slot = slots[tag] {
                    tags[slot].members.append(index)
                    let current = tags[slot].lifetime
                    if current >= 0 && (lifetime < 0 || lifetime > current) { tags[slot].lifetime = lifetime }
                } else {
                    slots[tag] = tags.count
                    tags.append((tag, lifetime, [index]))
                }
            }
        }
        guard !tags.isEmpty else { return }
        let sha = try scriptDigest(RedisScripts.addToTag)
        for (tag, lifetime, members) in tags {
            buffer.begin(arguments: 5 + members.count)
            buffer.add("EVALSHA")
            buffer.add(sha)
            buffer.add("1")
            buffer.add(configuration.tagPrefix, tag)
            buffer.add(lifetime)
            for index in members { buffer.add(configuration.keyPrefix, batch[index].key) }
        }
    }

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

    /// Turns an error reply into a `CacheError`; returns other replies unchanged.
    @discardableResult
    func check(_ reply: RESPValue, context: String) throws -> RESPValue {
        guard let message = reply.errorMessage else { return reply }
        if message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.contains("invalid password")
            || message.contains("without any password configured") || message.hasPrefix("NOPERM") {
            let first = message.split(separator: ".").first.map(String.init) ?? message
            throw CacheError(.authentication, "\(context): authentication refused (\(first))",
                             hint: "set REDIS_PASSWORD or --password-file, and a user in the URL for ACL users")
        }
        throw CacheError(.failed, "\(context): Redis replied \(message)")
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

extension RedisBackend: PipelinedBatchWriting {
    public func send(batch: [Entry]) throws -> PendingBatch {
        var commands = setCommands(for: batch, onlyMissing: false, reusing: batchBuffer)
        defer { batchBuffer = commands; batchBuffer.removeAll() }
        let written = [Bool](repeating: true, count: batch.count)
        try appendTagWrites(for: batch, written: written, to: &commands)
        commands.append(["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(batch.count)])
        try connection.send(commands)
        return PendingBatch(entries: batch, replies: commands.count)
    }

    public func receive(_ pending: PendingBatch) throws -> [Bool] {
        let replies = try connection.receive(count: pending.replies)
        let written = [Bool](repeating: true, count: pending.entries.count)
        try checkTail(replies, setCount: pending.entries.count, batch: pending.entries, written: written)
        return written
    }
}
