import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The cache on a Redis Cluster or on the primary Redis Sentinel names, in the same layout as
/// `RedisBackend`: every command goes through a `RedisTopology`, which routes it by its key.
///
/// A cluster keeps each key on the primary of its slot, so nothing here spans two keys in one
/// command or transaction: an entry and its tag sets usually live on different nodes. The
/// promise "no reader sees a tagged entry missing from its tag" is kept by order instead: a
/// batch's tag memberships are written (and acknowledged) before its entries are sent. A run
/// stopped in between leaves memberships without entries, which readers and `tags prune` treat
/// as stale, never an entry outside its tag.
public final class RedisTopologyBackend: CacheBackend {
    public let configuration: CacheConfiguration
    public var kind: String { "redis" }
    public let endpointDescription: String
    /// Who answers each key.
    public let redis: RedisTopology
    /// Batches sent by `send(batch:)` and not yet received, oldest first.
    private var inFlight: [RoutedBatchInFlight] = []
    private var ownLookups: (hits: Int64, misses: Int64) = (0, 0)

    /// Finds the primaries of `endpoint` (a cluster or a Sentinel setup) and connects.
    public init(endpoint: Endpoint, configuration: CacheConfiguration) throws {
        self.configuration = configuration
        endpointDescription = endpoint.description
        guard let topology = try RedisTopology(endpoint: endpoint, timeout: configuration.timeout, tls: configuration.tls) else {
            throw CacheError(.usage, "\(endpoint.description) is not a Redis endpoint")
        }
        redis = topology
    }

    /// Commands sent again after a redirect, a failover or a busy cluster.
    public var retries: Int { redis.retries }

    // MARK: - Reads

    public func entries(_ keys: [String]) throws -> [Entry?] {
        var result: [Entry?] = []
        result.reserveCapacity(keys.count)
        for chunk in keys.chunks(of: 1000) {
            var batch = redis.batch()
            for key in chunk {
                for command in ["GET", "PTTL"] {
                    batch.begin(prefix: configuration.keyPrefix, key: key, arguments: 2)
                    batch.add(command)
                    batch.add(configuration.keyPrefix, key)
                }
            }
            let replies = try redis.run(batch)
            for (index, key) in chunk.enumerated() {
                let value = replies[2 * index]
                if let message = value.errorMessage, message.hasPrefix("WRONGTYPE") {
                    let type = try redis.send(["TYPE", RedisArgument(configuration.storeKey(key))]).string ?? "other type"
                    throw CacheError(.badInput, "Cannot read \"\(key)\": it holds a \(type), not a cache entry (a string)")
                }
                try value.checked(context: "Cannot read \"\(key)\"")
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
        for chunk in keys.chunks(of: 2000) {
            var batch = redis.batch()
            for key in chunk {
                batch.begin(prefix: configuration.keyPrefix, key: key, arguments: 2)
                batch.add("EXISTS")
                batch.add(configuration.keyPrefix, key)
            }
            for reply in try redis.run(batch) { result.append(try reply.checked(context: "Cannot check keys").integer == 1) }
        }
        return result
    }

    // MARK: - Writes

    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool {
        try write(batch: [entry], onlyMissing: ifAbsent)[0]
    }

    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] {
        guard !batch.isEmpty else { return [] }
        guard onlyMissing else {
            return try receive(try send(batch: batch)).map { outcome in
                if case .failed(let error) = outcome { throw error }
                return true
            }
        }
        // Which keys are missing first, so only they get memberships, written before the entries.
        let missing = try exists(batch.map(\.key)).map { !$0 }
        var written = missing
        guard missing.contains(true) else { return written }
        try writeTags(for: batch, including: missing)
        var sets = redis.batch()
        var positions: [Int] = []
        for (index, entry) in batch.enumerated() where missing[index] {
            encodeSet(entry, onlyMissing: true, into: &sets)
            positions.append(index)
        }
        for (position, reply) in zip(positions, try redis.run(sets)) {
            try reply.checked(context: "Cannot write \"\(batch[position].key)\"")
            if reply == .null {
                // Written by someone else since the check: their entry keeps the membership we added.
                written[position] = false
            }
        }
        let writes = written.lazy.filter { $0 }.count
        if writes > 0 { try count(field: "sets", writes) }
        return written
    }

    /// Writes the tag memberships of the entries at `including` (all when nil) and waits for them:
    /// one script call per tag, on the tag set's own node, keeping the set alive as long as its
    /// longest-living member.
    private func writeTags(for batch: [Entry], including: [Bool]? = nil) throws {
        var order: [String: Int] = [:]
        var tags: [(tag: String, lifetime: Int64, members: [Int])] = []
        for (index, entry) in batch.enumerated() where including?[index] ?? true {
            guard let entryTags = entry.tags, !entryTags.isEmpty else { continue }
            let lifetime = entry.expiry.milliseconds ?? -1
            for tag in entryTags.uniqued() {
                if let slot = order[tag] {
                    tags[slot].members.append(index)
                    let current = tags[slot].lifetime
                    if current >= 0 && (lifetime < 0 || lifetime > current) { tags[slot].lifetime = lifetime }
                } else {
                    order[tag] = tags.count
                    tags.append((tag, lifetime, [index]))
                }
            }
        }
        guard !tags.isEmpty else { return }
        var commands = redis.batch()
        for (tag, lifetime, members) in tags {
            // EVAL, not EVALSHA: each primary would need its own SCRIPT LOAD, and a promoted
            // replica none; the server caches the compiled script all the same.
            commands.begin(prefix: configuration.tagPrefix, key: tag, arguments: 5 + members.count)
            commands.add("EVAL")
            commands.add(Self.addToTag)
            commands.add("1")
            commands.add(configuration.tagPrefix, tag)
            commands.add(lifetime)
            for index in members { commands.add(configuration.keyPrefix, batch[index].key) }
        }
        for (tag, reply) in zip(tags, try redis.run(commands)) {
            try reply.checked(context: "Cannot add to tag \"\(tag.tag)\"")
        }
    }

    /// KEYS[1] = tag set; ARGV[1] = member lifetime in ms (-1 = none); ARGV[2…] = members. A tag
    /// set must live at least as long as its longest-living member: a new set gets the member's
    /// lifetime, a shorter one is extended, a member without expiry makes the set persistent.
    /// One key per call, so it runs on the tag set's own node.
    static let addToTag = """
        local existed = redis.call('EXISTS', KEYS[1])
        local current = redis.call('PTTL', KEYS[1])
        for i = 2, #ARGV, 1000 do
          redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        local ttl = tonumber(ARGV[1])
        if ttl < 0 then
          if current >= 0 then redis.call('PERSIST', KEYS[1]) end
        elseif existed == 0 or (current >= 0 and current < ttl) then
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        return 1
        """

    private func encodeSet(_ entry: Entry, onlyMissing: Bool, into batch: inout RoutedBatch) {
        batch.begin(prefix: configuration.keyPrefix, key: entry.key, arguments: RoutedBatch.setArguments(entry, onlyMissing: onlyMissing))
        batch.addSet(entry, prefix: configuration.keyPrefix, onlyMissing: onlyMissing)
    }

    public func delete(_ keys: [String]) throws -> Int {
        var deleted = 0
        for chunk in keys.chunks(of: 2000) {
            var batch = redis.batch()
            for key in chunk {
                batch.begin(prefix: configuration.keyPrefix, key: key, arguments: 2)
                batch.add("UNLINK")
                batch.add(configuration.keyPrefix, key)
            }
            for reply in try redis.run(batch) { deleted += Int(try reply.checked(context: "Cannot delete keys").integer ?? 0) }
        }
        if deleted > 0 { try count(field: "deletes", deleted) }
        return deleted
    }

    func count(field: String, _ amount: Int) throws {
        guard amount != 0 else { return }
        try redis.send(["HINCRBY", RedisArgument(configuration.statsKey), RedisArgument(field), RedisArgument(amount)])
            .checked(context: "Cannot count the \(field)")
    }

    // MARK: - Server

    /// Every node of the topology: primaries with their slot ranges, then replicas.
    public func ping() throws -> PingReport {
        var nodes: [NodeStatus] = []
        for shard in redis.map.shards {
            nodes.append(try status(of: shard.primary.address, slots: shard.slots, isPrimary: true))
            for replica in shard.replicas {
                nodes.append((try? status(of: replica.address, slots: [], isPrimary: false))
                             ?? NodeStatus(address: replica.address.description, role: "unreachable", latency: nil, version: nil, slots: []))
            }
        }
        let primaries = nodes.filter { $0.slots.count > 0 || !redis.isCluster }
        let latency = primaries.compactMap(\.latency).max() ?? 0
        var report = PingReport(backend: kind, endpoint: endpointDescription, latency: latency, version: primaries.first?.version,
                                role: redis.isCluster ? "cluster" : primaries.first?.role)
        report.nodes = nodes
        return report
    }

    private func status(of node: RedisAddress, slots: [ClosedRange<Int>], isPrimary: Bool) throws -> NodeStatus {
        do {
            let start = ContinuousClock.now
            try redis.send(["PING"], to: node).checked(context: "Cannot ping \(node)")
            let latency = secondsSince(start)
            let replies = try redis.pipeline([["INFO", "server"], ["ROLE"]], to: node)
            let info = ServerStatistics(info: replies[0].string ?? "")
            return NodeStatus(address: node.description, role: replies[1].array?.first?.string ?? info.role ?? "unknown",
                              latency: latency, version: info.version, slots: slots.map { [$0.lowerBound, $0.upperBound] })
        } catch let error as CacheError where isPrimary && error.kind == .unreachable {
            throw CacheError(.unreachable, "The primary \(node) of \(endpointDescription) is unreachable: \(error.message)",
                             hint: "check the node, or wait for its replica to be promoted (cluster-node-timeout)")
        }
    }

    public func statistics() throws -> BackendStatistics {
        let start = ContinuousClock.now
        var server = ServerStatistics()
        var entries: Int64 = 0
        var tags: Int64 = 0
        var latency = 0.0
        for primary in redis.primaries {
            let pingStart = ContinuousClock.now
            try redis.send(["PING"], to: primary).checked(context: "Cannot ping \(primary)")
            latency = max(latency, secondsSince(pingStart))
            let replies = try redis.pipeline([["INFO"], ["DBSIZE"]], to: primary)
            let info = ServerStatistics(info: try replies[0].checked(context: "Cannot read INFO of \(primary)").string ?? "")
            server.add(info)
            if configuration.keyPrefix.isEmpty {
                entries += try replies[1].checked(context: "Cannot read DBSIZE of \(primary)").integer ?? 0
            } else {
                entries += try countKeys(matching: RedisGlob.escape(configuration.keyPrefix) + "*", on: primary)
            }
            tags += try countKeys(matching: RedisGlob.escape(configuration.tagPrefix) + "*", on: primary)
        }
        _ = start
        server.hits = server.hits.map { max(0, $0 - ownLookups.hits) }
        server.misses = server.misses.map { max(0, $0 - ownLookups.misses) }
        let counters = try redis.send(["HGETALL", RedisArgument(configuration.statsKey)]).checked(context: "Cannot read \(configuration.statsKey)")
        if counters.array?.isEmpty == false { ownLookups.hits += 1 } else { ownLookups.misses += 1 }
        var fields: [String: Int64] = [:]
        let items = counters.array ?? []
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].string, let value = items[index + 1].integer { fields[name] = value }
        }
        if configuration.tagPrefix.hasPrefix(configuration.keyPrefix) { entries -= tags }
        if configuration.statsKey.hasPrefix(configuration.keyPrefix), counters.array?.isEmpty == false { entries -= 1 }
        return BackendStatistics(backend: kind, endpoint: endpointDescription, app: AppCounters(fields: fields), server: server,
                                 entries: max(0, entries), tags: tags, memoryBytes: server.usedMemory, pingLatency: latency)
    }

    /// Counts keys matching a glob on one node by SCAN (never KEYS).
    func countKeys(matching pattern: String, on node: RedisAddress) throws -> Int64 {
        var count: Int64 = 0
        try scan(node: node, match: pattern, type: nil) { count += Int64($0.count) }
        return count
    }

    /// Walks one node's keys matching `match` (and of `type` when given) in large SCAN steps.
    func scan(node: RedisAddress, match: String, type: String?, _ body: ([[UInt8]]) throws -> Void) throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            var command: [RedisArgument] = ["SCAN", RedisArgument(bytes: cursor), "MATCH", RedisArgument(match), "COUNT", "5000"]
            if let type { command += ["TYPE", RedisArgument(type)] }
            let reply = try redis.send(command, to: node).checked(context: "Cannot scan the keys of \(node)")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes else {
                throw CacheError(.failed, "Cannot scan the keys of \(node): unexpected reply to SCAN")
            }
            cursor = next
            let keys = (parts[1].array ?? []).compactMap(\.bytes)
            if !keys.isEmpty { try body(keys) }
        } while cursor != Array("0".utf8)
    }

    public func recordReads(hits: Int, misses: Int) throws {
        if hits > 0 { try count(field: "hits", hits) }
        if misses > 0 { try count(field: "misses", misses) }
    }

    public func resetCounters() throws {
        var command: [RedisArgument] = ["HSET", RedisArgument(configuration.statsKey)]
        for field in AppCounters.fieldNames { command += [RedisArgument(field), "0"] }
        try redis.send(command).checked(context: "Cannot reset \(configuration.statsKey)")
    }

    public func resetServerStatistics() throws {
        for primary in redis.primaries {
            try redis.send(["CONFIG", "RESETSTAT"], to: primary).checked(context: "Cannot reset the server statistics of \(primary)")
        }
    }
}

extension RedisTopologyBackend: PipelinedBatchWriting {
    /// Writes the batch's tag memberships and waits for them, then sends its entries and the
    /// `sets` counter to their nodes without waiting.
    public func send(batch: [Entry]) throws -> PendingBatch {
        try writeTags(for: batch)
        var sets = redis.batch()
        for entry in batch { encodeSet(entry, onlyMissing: false, into: &sets) }
        sets.append(slot: HashSlot(key: configuration.statsKey), ["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(batch.count)])
        inFlight.append(try redis.send(sets))
        return PendingBatch(entries: batch, replies: sets.count)
    }

    public func receive(_ pending: PendingBatch) throws -> [WriteOutcome] {
        guard !inFlight.isEmpty else { throw CacheError(.failed, "No batch is waiting for its replies") }
        let replies = try redis.receive(inFlight.removeFirst())
        var outcomes: [WriteOutcome] = []
        outcomes.reserveCapacity(pending.entries.count)
        for (index, reply) in replies.enumerated() {
            if index < pending.entries.count {
                do {
                    try reply.checked(context: "Cannot write \"\(pending.entries[index].key)\"")
                    outcomes.append(.written)
                } catch let error as CacheError {
                    outcomes.append(.failed(error))
                }
            } else {
                try reply.checked(context: "Cannot count the writes")
            }
        }
        return outcomes
    }

    public func finishBatches() throws {
        while !inFlight.isEmpty { _ = try redis.receive(inFlight.removeFirst()) }
    }
}

extension RedisTopologyBackend: ReplicaAcknowledging {
    /// `WAIT` on the primary of every item's keys (every connection to it), all at once; an item
    /// counts as unacknowledged when any of its nodes reported fewer replicas than asked, or has
    /// no connection from this run to ask (its slot moved to a node written to by nobody here).
    public func acknowledgement(of items: [[String]], wait: ReplicaWait) throws -> ReplicaAcknowledgement {
        let nodesOfItems = items.map { keys in keys.map { redis.primary(ofKey: $0) } }
        var nodes: [RedisAddress] = []
        var seen = Set<RedisAddress>()
        for node in nodesOfItems.joined().compactMap({ $0 }) where seen.insert(node).inserted { nodes.append(node) }
        let acknowledged = try redis.waitForReplicas(wait.replicas, milliseconds: wait.milliseconds, on: nodes)
        let short = nodesOfItems.lazy.filter { nodes in
            nodes.contains { node in node.map { (acknowledged[$0] ?? -1) < wait.replicas } ?? true }
        }.count
        return ReplicaAcknowledgement(unacknowledged: short, fewestReplicas: max(0, acknowledged.values.min() ?? 0))
    }
}
