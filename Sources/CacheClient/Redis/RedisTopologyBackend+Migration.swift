/// A Redis Cluster (or the primary Sentinel names) as a migrate target: strings through the
/// backend's batch write (tag memberships first, then the entries, each on its node), every other
/// type by `RESTORE` of its `DUMP` payload on its own node, sets, lists, hashes and sorted sets
/// from JSON Lines element by element in a one-key MULTI/EXEC on their node. Tag sets come as
/// sets (`TagSetSink`), each written on its own node.
public final class RedisTopologyEntrySink: EntrySink, TagSetSink {
    let backend: RedisTopologyBackend

    /// Writes to an opened cluster or Sentinel backend.
    public init(_ backend: RedisTopologyBackend) { self.backend = backend }

    public var endpointDescription: String { backend.endpointDescription }
    public var acceptsSerialized: Bool { true }
    public var hasExistingKeys: Bool { true }
    public func accepts(_ record: MigrationRecord) -> Bool {
        record.value != nil || record.serialized != nil || record.collection != nil
    }

    public func isEmpty() throws -> Bool {
        for primary in backend.redis.primaries {
            let size = try backend.check(try backend.redis.send(["DBSIZE"], to: primary), context: "Cannot read DBSIZE of \(primary)")
            if size.integer != 0 { return false }
        }
        return true
    }

    public func exists(_ keys: [String]) throws -> [Bool] { try backend.exists(keys) }

    public func write(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        guard !records.isEmpty else { return [] }
        let (strings, dumped, collections) = RedisWriteKinds.split(records)
        var outcomes = [SinkOutcome](repeating: .expired, count: records.count)
        if !strings.isEmpty {
            let written = try backend.write(batch: strings.compactMap { records[$0].entry }, onlyMissing: !replace)
            for (index, wrote) in zip(strings, written) { outcomes[index] = wrote ? .written : .existed }
        }
        if !dumped.isEmpty || !collections.isEmpty {
            // Memberships first, as for strings: no copied key is ever outside its tags.
            try addTagMembers(Self.tagMembers(of: (dumped + collections).map { records[$0] }))
            for (index, outcome) in zip(dumped, try restore(dumped.map { records[$0] }, replace: replace)) { outcomes[index] = outcome }
            for (index, outcome) in zip(collections, try writeCollections(collections.map { records[$0] }, replace: replace)) {
                outcomes[index] = outcome
            }
            let written = (dumped + collections).lazy.filter { outcomes[$0] == .written }.count
            try backend.count(field: "sets", written)
        }
        return outcomes
    }

    /// The tag memberships of records (other types from JSON Lines), grouped per tag, each set
    /// living as long as its longest-living member.
    static func tagMembers(of records: [MigrationRecord]) -> [TagMembers] {
        var byTag: [String: TagMembers] = [:]
        for record in records {
            for tag in record.tags ?? [] {
                let lifetime = record.expiry.milliseconds ?? -1
                var members = byTag[tag] ?? TagMembers(tag: tag, keys: [], lifetime: lifetime)
                members.keys.append(record.key)
                if members.lifetime != -1 { members.lifetime = lifetime == -1 ? -1 : max(members.lifetime, lifetime) }
                byTag[tag] = members
            }
        }
        return byTag.keys.sorted().compactMap { byTag[$0] }
    }

    /// `RESTORE key ttl payload [REPLACE]`, each on its key's node, every node at once;
    /// BUSYKEY (without REPLACE) counts as existing.
    private func restore(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        var batch = backend.redis.batch()
        for record in records {
            let payload = record.serialized ?? []
            batch.begin(prefix: backend.configuration.keyPrefix, key: record.key, arguments: replace ? 5 : 4)
            batch.add("RESTORE")
            batch.add(backend.configuration.keyPrefix, record.key)
            batch.add(record.expiry.milliseconds ?? 0)
            batch.add(payload)
            if replace { batch.add("REPLACE") }
        }
        return try zip(records, backend.redis.run(batch)).map { record, reply in
            if let message = reply.errorMessage, message.hasPrefix("BUSYKEY") { return .existed }
            try backend.check(reply, context: "Cannot RESTORE \"\(record.key)\" at \(endpointDescription)")
            return .written
        }
    }

    /// Each collection in one MULTI/EXEC on its key's node (every command names that one key, so
    /// no CROSSSLOT); without `replace` an existing key is left as it is.
    private func writeCollections(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        let configuration = backend.configuration
        let existing = replace ? [Bool](repeating: false, count: records.count) : try backend.exists(records.map(\.key))
        var batch = backend.redis.batch()
        var sizes: [Int] = []
        for (index, record) in records.enumerated() where !existing[index] {
            guard let collection = record.collection else { continue }
            let key = configuration.storeKey(record.key)
            let slot = HashSlot(key: key)
            var commands: [[RedisArgument]] = [["MULTI"], ["DEL", RedisArgument(key)], collection.writeCommand(storeKey: key)]
            if let milliseconds = record.expiry.milliseconds { commands.append(["PEXPIRE", RedisArgument(key), RedisArgument(milliseconds)]) }
            commands.append(["EXEC"])
            for command in commands { batch.append(slot: backend.redis.isCluster ? slot : HashSlot(0)!, command) }
            sizes.append(commands.count)
        }
        var outcomes = existing.map { $0 ? SinkOutcome.existed : .written }
        guard batch.count > 0 else { return outcomes }
        let replies = try backend.redis.run(batch)
        var position = 0
        var size = sizes.makeIterator()
        for (index, record) in records.enumerated() where !existing[index] && record.collection != nil {
            let count = size.next() ?? 0
            let context = "Cannot write \"\(record.key)\" at \(endpointDescription)"
            for reply in replies[position..<position + count] { try backend.check(reply, context: context) }
            if let results = replies[position + count - 1].array {
                for result in results { try backend.check(result, context: context) }
            } else {
                outcomes[index] = .expired
            }
            position += count
        }
        return outcomes
    }

    /// One script call per tag set on its own node (see `RedisTopologyBackend.addToTag`).
    public func addTagMembers(_ sets: [TagMembers]) throws {
        guard !sets.isEmpty else { return }
        let configuration = backend.configuration
        var batch = backend.redis.batch()
        for members in sets {
            batch.begin(prefix: configuration.tagPrefix, key: members.tag, arguments: 5 + members.keys.count)
            batch.add("EVAL")
            batch.add(RedisTopologyBackend.addToTag)
            batch.add("1")
            batch.add(configuration.tagPrefix, members.tag)
            batch.add(members.lifetime)
            for key in members.keys { batch.add(configuration.keyPrefix, key) }
        }
        for (members, reply) in zip(sets, try backend.redis.run(batch)) {
            try backend.check(reply, context: "Cannot write the tag set of \"\(members.tag)\"")
        }
    }

    public func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?] {
        try backend.readBack(records, serialized: serialized)
    }
}

extension RedisTopologyEntrySink: BackendWritingSink {
    public var targetBackend: any CacheBackend { backend }
}
