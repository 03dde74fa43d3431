/// The Redis commands a migration reads and checks with, each routed by its key: one server
/// (`RedisBackend`) or every primary of a cluster or Sentinel setup (`RedisTopologyBackend`).
/// `RedisEntrySource` and the read-back of a copy are written once against it.
protocol RedisKeyspace: CacheBackend {
    /// Turns an error reply into a `CacheError`; returns other replies unchanged.
    @discardableResult
    func check(_ reply: RESPValue, context: String) throws -> RESPValue
    /// Sends commands, each to the node of its key (the first argument after the name), and
    /// returns their replies in order.
    func keyPipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue]
    /// Calls `body` with each SCAN page of store keys under `match`, on every primary (never a replica).
    func scanStoreKeys(match: String, count: Int, _ body: ([String]) throws -> Void) throws
}

extension RedisKeyspace {
    /// The elements of each key that is a set, list, hash or sorted set; nil for a key of any
    /// other type or a missing one. Two pipelined rounds: TYPE, then each type's read command.
    func collections(_ storeKeys: [String]) throws -> [RedisCollection?] {
        guard !storeKeys.isEmpty else { return [] }
        let types = try keyPipeline(storeKeys.map { ["TYPE", RedisArgument($0)] }).map { $0.string ?? "none" }
        let readable = storeKeys.indices.filter { RedisCollection.types.contains(types[$0]) }
        var result = [RedisCollection?](repeating: nil, count: storeKeys.count)
        guard !readable.isEmpty else { return result }
        let replies = try keyPipeline(readable.map { RedisCollection.readCommand(type: types[$0], storeKey: storeKeys[$0]) })
        for (index, reply) in zip(readable, replies) {
            let elements = try check(reply, context: "Cannot read \"\(storeKeys[index])\"").array ?? []
            result[index] = RedisCollection(type: types[index], elements: elements.compactMap(\.bytes))
        }
        return result
    }

    /// The copies of `records` as the target holds them, for `migrate --verify`: lifetime, the
    /// value (or DUMP payload, or for sets, lists, hashes and sorted sets the content) and which
    /// of the record's tags list the key.
    func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?] {
        var commands: [[RedisArgument]] = []
        for record in records {
            let key = RedisArgument(configuration.storeKey(record.key))
            commands.append(["PTTL", key])
            // Sets, lists, hashes and sorted sets are compared by content, read below.
            commands.append(record.collection != nil ? ["TYPE", key] : serialized && record.value == nil ? ["DUMP", key] : ["GET", key])
            for tag in record.tags ?? [] { commands.append(["SISMEMBER", RedisArgument(configuration.tagSetKey(tag)), key]) }
        }
        let replies = try keyPipeline(commands)
        let others = records.indices.filter { records[$0].collection != nil }
        let contents = try collections(others.map { configuration.storeKey(records[$0].key) })
        var contentOf: [Int: RedisCollection] = [:]
        for (index, content) in zip(others, contents) { contentOf[index] = content }
        var index = 0
        return records.enumerated().map { offset, record in
            let pttl = replies[index].integer ?? -2
            let payload = replies[index + 1]
            index += 2
            var tags: [String] = []
            for tag in record.tags ?? [] {
                if replies[index].integer == 1 { tags.append(tag) }
                index += 1
            }
            guard pttl != -2 else { return nil }
            var copy = MigrationRecord(key: record.key, type: record.type, value: nil, expiry: pttl >= 0 ? .milliseconds(pttl) : .never,
                                       tags: record.tags == nil ? nil : tags)
            if record.collection != nil {
                copy.type = payload.string ?? "none"
                copy.collection = contentOf[offset]
                return copy
            }
            guard let bytes = payload.bytes else { return nil }
            if serialized && record.value == nil { copy.serialized = bytes } else { copy.value = bytes }
            return copy
        }
    }
}

extension RedisBackend: RedisKeyspace {
    func keyPipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue] { try connection.pipeline(commands) }

    func scanStoreKeys(match: String, count: Int, _ body: ([String]) throws -> Void) throws {
        var cursor = "0"
        repeat {
            let reply = try check(try connection.send(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(match),
                                                       "COUNT", RedisArgument(count)]), context: "Cannot scan keys")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw CacheError(.failed, "Cannot scan keys: unexpected reply to SCAN")
            }
            cursor = next
            let keys = (parts[1].array ?? []).compactMap { $0.bytes.map { String(decoding: $0, as: UTF8.self) } }
            if !keys.isEmpty { try body(keys) }
        } while cursor != "0"
    }
}

extension RedisTopologyBackend: RedisKeyspace {
    @discardableResult
    func check(_ reply: RESPValue, context: String) throws -> RESPValue {
        guard let error = RedisErrorReply(reply) else { return reply }
        throw error.cacheError(context: context, endpoint: endpointDescription)
    }

    func keyPipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try redis.pipeline(commands)
    }

    func scanStoreKeys(match: String, count: Int, _ body: ([String]) throws -> Void) throws {
        for primary in redis.primaries {
            try scan(node: primary, match: match, type: nil) { keys in
                try body(keys.map { String(decoding: $0, as: UTF8.self) })
            }
        }
    }
}
