import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A cache that Django, Symfony or Laravel keeps in one Redis server, administered in the
/// framework's own layout: its key scheme, value encoding and tag index, applied at this
/// boundary over a `RedisBackend`'s connection. There are no app counters in a framework's
/// database: nothing here creates one.
///
/// Reads return the stored bytes in `value` and the decoded value in `decoded`; writes encode
/// `Entry.cacheValue()` with the layout's codec, every entry of a batch before the first write,
/// so a value the layout cannot hold is refused (`.badInput`) with nothing written.
public final class FrameworkBackend: CacheBackend {
    /// The configuration as given: `keyPrefix` is the connection's prefix, `layout` the framework's.
    public let configuration: CacheConfiguration
    /// The framework's layout.
    public let layout: CacheLayout
    public var kind: String { "redis" }
    public var endpointDescription: String { inner.endpointDescription }
    /// The Redis backend over the entries' full prefix, with no counters hash; member-set tag
    /// indexes (Symfony) are its tag sets.
    let inner: RedisBackend
    /// Laravel 9 and earlier: the tags' current ids, as read or created during this run.
    var tagIDs: [String: String] = [:]
    /// Laravel: the sha1 namespace of each tag list met (warmups repeat a few lists many times).
    var taggedNamespaces: [[String]: String] = [:]

    /// Connects to one Redis server holding a framework's cache.
    public init(address: RedisAddress, database: Int, credentials: RedisCredentials, configuration: CacheConfiguration) throws {
        self.configuration = configuration
        layout = configuration.layout
        entryPrefix = configuration.keyPrefix + configuration.layout.entryPrefix
        var innerConfiguration = configuration
        innerConfiguration.keyPrefix = configuration.keyPrefix + configuration.layout.entryPrefix
        switch configuration.layout.tagIndex {
        case .memberSets(let prefix, _): innerConfiguration.tagPrefix = configuration.keyPrefix + prefix
        default: innerConfiguration.tagPrefix = innerConfiguration.keyPrefix + "tag:"
        }
        innerConfiguration.statsKey = ""
        inner = try RedisBackend(address: address, database: database, credentials: credentials, configuration: innerConfiguration)
    }

    var connection: RedisConnection { inner.connection }
    /// The full prefix of entry keys: the connection's prefix and the framework's namespace.
    let entryPrefix: String

    // MARK: - Keys

    /// An entry's key below `entryPrefix`: the key itself, or Laravel's tagged form.
    func relativeKey(_ key: String, tags: [String]) throws -> String {
        guard !tags.isEmpty else { return key }
        let ids: [String]
        switch layout.tagIndex {
        case .laravelSortedSets: ids = tags.map { "tag:\($0):entries" }
        case .laravelReferenceSets: ids = try tags.map { try currentTagID($0) }
        default: return key
        }
        if let namespace = taggedNamespaces[ids] { return namespace + key }
        let namespace = String(CacheLayout.laravelTaggedKey("", tagIDs: ids))
        taggedNamespaces[ids] = namespace
        return namespace + key
    }

    // MARK: - Reads

    public func entries(_ keys: [String]) throws -> [Entry?] { try entries(keys, tags: []) }

    public func entries(_ keys: [String], tags: [String]) throws -> [Entry?] {
        try layout.validate(tags: tags)
        let relative = try keys.map { try relativeKey($0, tags: tags) }
        return try zip(keys, try inner.entries(relative)).map { key, stored in
            guard var entry = stored else { return nil }
            entry.key = key
            do throws(ValueDecodingError) {
                let decoded = try layout.codec.decode(entry.value)
                entry.decoded = decoded.value
                if let storedTags = decoded.tags { entry.tags = storedTags } else if !layout.hasTags { entry.tags = [] }
            } catch {
                entry.decodingFailure = error.reason
            }
            return entry
        }
    }

    public func exists(_ keys: [String]) throws -> [Bool] { try inner.exists(keys) }

    // MARK: - Writes

    /// One entry as the framework stores it: where, which bytes, for how long, and its tag index writes.
    struct Write {
        var key: String
        var bytes: [UInt8]
        var milliseconds: Int64?
        /// (index key, member, score for a sorted set)
        var index: [(key: String, member: String, score: String?)]
    }

    /// Checked without encoding (warmup asks for every entry before writing any): what a layout
    /// cannot hold is tags where it has none and objects that were never decoded; a manifest's
    /// JSON value was validated when it was read.
    public func refusal(of entry: Entry) -> String? {
        if let tags = entry.tags, !tags.isEmpty, !layout.hasTags {
            return "\"\(entry.key)\" has tags, and the \(layout.name.rawValue) layout keeps none"
        }
        if let name = entry.decoded?.opaqueClassNames.first {
            return "Cannot write \"\(entry.key)\" in the \(layout.name.rawValue) layout: it holds an opaque \(name) value"
        }
        return nil
    }

    /// The stored bytes of an entry; `.badInput` for tags or a value the layout cannot hold.
    func encode(_ entry: Entry) throws -> [UInt8] {
        let tags = (entry.tags ?? []).uniqued()
        if !tags.isEmpty, !layout.hasTags {
            throw CacheError(.badInput, "\"\(entry.key)\" has tags, and the \(layout.name.rawValue) layout keeps none",
                             hint: "migrate --drop-tags leaves them out")
        }
        do {
            return try layout.codec.encode(try entry.cacheValue(), tags: tags)
        } catch let error as CacheError {
            throw CacheError(.badInput, "Cannot write \"\(entry.key)\" in the \(layout.name.rawValue) layout: \(error.message)")
        }
    }

    func plan(_ entry: Entry) throws -> Write {
        let tags = (entry.tags ?? []).uniqued()
        let bytes = try encode(entry)
        var milliseconds = entry.expiry.milliseconds
        if milliseconds == nil, let forever = layout.foreverLifetime { milliseconds = Int64(forever) * 1000 }
        if layout.codec == .laravel, let ms = milliseconds { milliseconds = max(1000, ms / 1000 * 1000) }  // whole seconds, at least 1
        let relative = try relativeKey(entry.key, tags: tags)
        let storeKey = entryPrefix + relative
        var index: [(String, String, String?)] = []
        switch layout.tagIndex {
        case .none: break
        case .memberSets(let prefix, _):
            for tag in tags { index.append((configuration.keyPrefix + prefix + tag, storeKey, nil)) }
        case .laravelSortedSets(let prefix):
            // RedisTagSet::addEntry: the score is the expiry time, -1 for ever.
            let score = milliseconds.map { String(Int64(time(nil)) + $0 / 1000) } ?? "-1"
            for tag in tags { index.append((configuration.keyPrefix + prefix + "tag:\(tag):entries", relative, score)) }
        case .laravelReferenceSets(let prefix):
            // RedisTaggedCache::pushKeys: members carry the store prefix, not the connection's.
            let reference = milliseconds == nil ? "forever_ref" : "standard_ref"
            for tag in tags { index.append((configuration.keyPrefix + prefix + (try currentTagID(tag)) + ":" + reference, prefix + relative, nil)) }
        }
        return Write(key: relative, bytes: bytes, milliseconds: milliseconds, index: index)
    }

    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool {
        let write = try plan(entry)
        var keys = [RedisArgument(entryPrefix + write.key)]
        var arguments = [RedisArgument(bytes: write.bytes), RedisArgument(write.milliseconds ?? -1), RedisArgument(ifAbsent ? "NX" : "")]
        for (key, member, score) in write.index {
            keys.append(RedisArgument(key))
            arguments += [RedisArgument(score ?? ""), RedisArgument(member)]
        }
        let reply = try connection.send(["EVAL", RedisArgument(FrameworkScripts.setEntry), RedisArgument(keys.count)] + keys + arguments)
        return try inner.check(reply, context: "Cannot write \"\(entry.key)\"").integer == 1
    }

    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] {
        guard !batch.isEmpty else { return [] }
        guard onlyMissing else { return try receive(try send(batch: batch)).map { $0 == .written } }
        let writes = try batch.map(plan)  // every value encoded before anything is written
        var sets = setCommands(writes, onlyMissing: true)
        var written = [Bool](repeating: true, count: batch.count)
        for (index, reply) in try connection.pipeline(sets).enumerated() {
            written[index] = try inner.check(reply, context: "Cannot write \"\(batch[index].key)\"") != .null
        }
        sets.removeAll()
        appendIndexWrites(writes, written: written, to: &sets)
        for reply in try connection.pipeline(sets) { try inner.check(reply, context: "Cannot write a tag index") }
        return written
    }

    /// SET commands for a batch, encoded straight into one buffer.
    func setCommands(_ writes: [Write], onlyMissing: Bool) -> RedisCommandBuffer {
        var sets = RedisCommandBuffer(capacity: writes.reduce(0) { $0 + $1.bytes.count + 96 })
        for write in writes {
            sets.begin(arguments: 3 + (write.milliseconds == nil ? 0 : 2) + (onlyMissing ? 1 : 0))
            sets.add("SET")
            sets.add(entryPrefix, write.key)
            sets.add(write.bytes)
            if let ms = write.milliseconds {
                sets.add("PX")
                sets.add(ms)
            }
            if onlyMissing { sets.add("NX") }
        }
        return sets
    }

    /// One SADD or ZADD per index key for the whole batch.
    func appendIndexWrites(_ writes: [Write], written: [Bool], to buffer: inout RedisCommandBuffer) {
        var order: [String] = []
        var members: [String: [(String, String?)]] = [:]
        for (write, done) in zip(writes, written) where done {
            for (key, member, score) in write.index {
                if members[key] == nil { order.append(key) }
                members[key, default: []].append((member, score))
            }
        }
        for key in order {
            let list = members[key]!
            let sorted = list.first?.1 != nil
            buffer.begin(arguments: 2 + list.count * (sorted ? 2 : 1))
            buffer.add(sorted ? "ZADD" : "SADD")
            buffer.add(key)
            for (member, score) in list {
                if let score { buffer.add(score) }
                buffer.add(member)
            }
        }
    }

    public func delete(_ keys: [String]) throws -> Int {
        var deleted = 0
        for chunk in keys.chunks(of: 1000) {
            var commands: [[RedisArgument]] = []
            // Symfony's deleteItems: the tags in each entry's envelope lose it as a member.
            if case .memberSets = layout.tagIndex {
                for (key, entry) in zip(chunk, try entries(Array(chunk))) {
                    for tag in entry?.tags ?? [] {
                        commands.append(["SREM", RedisArgument(inner.configuration.tagSetKey(tag)), RedisArgument(entryPrefix + key)])
                    }
                }
            }
            commands.append(["UNLINK"] + chunk.map { RedisArgument(entryPrefix + $0) })
            let replies = try connection.pipeline(commands)
            for reply in replies { try inner.check(reply, context: "Cannot delete keys") }
            deleted += Int(replies.last?.integer ?? 0)
        }
        return deleted
    }

    // MARK: - Server

    public func ping() throws -> PingReport { try inner.ping() }

    public func statistics() throws -> BackendStatistics {
        var statistics = try inner.statistics()
        statistics.app = AppCounters()
        var entries: Int64 = 0
        var indexes: Int64 = 0
        try scanKeys(match: RedisGlob.escape(entryPrefix) + "*") { keys in
            for key in keys {
                if layout.isIndexKey(key.dropFirst(entryPrefix.count)) { indexes += 1 } else { entries += 1 }
            }
        }
        statistics.entries = entries
        statistics.tags = try countTags(indexKeys: indexes)
        return statistics
    }

    /// A framework's database has no app counters: reads are not counted.
    public func recordReads(hits: Int, misses: Int) throws {}

    public func resetCounters() throws {
        throw CacheError(.usage, "The \(layout.name.rawValue) layout has no app counters to reset",
                         hint: "--reset --server resets the server's statistics")
    }

    public func resetServerStatistics() throws { try inner.resetServerStatistics() }

    // MARK: - Helpers

    /// Calls `body` with each SCAN step's keys as text.
    func scanKeys(match: String, type: String? = nil, _ body: ([String]) throws -> Void) throws {
        var cursor = "0"
        repeat {
            var command: [RedisArgument] = ["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(match), "COUNT", "5000"]
            if let type { command += ["TYPE", RedisArgument(type)] }
            let reply = try inner.check(try connection.send(command), context: "Cannot scan keys")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw CacheError(.failed, "Cannot scan keys: unexpected reply to SCAN")
            }
            cursor = next
            let keys = (parts[1].array ?? []).compactMap(\.bytes).map { String(decoding: $0, as: UTF8.self) }
            if !keys.isEmpty { try body(keys) }
        } while cursor != "0"
    }
}

extension FrameworkBackend: PipelinedBatchWriting {
    /// Encodes the whole batch (refusing it before anything is sent), then sends its SETs and
    /// tag index writes without waiting, so warmup overlaps encoding with the server's work.
    public func send(batch: [Entry]) throws -> PendingBatch {
        let writes = try batch.map(plan)
        var commands = setCommands(writes, onlyMissing: false)
        appendIndexWrites(writes, written: [Bool](repeating: true, count: writes.count), to: &commands)
        try connection.send(commands)
        return PendingBatch(entries: batch, replies: commands.count)
    }

    public func receive(_ pending: PendingBatch) throws -> [WriteOutcome] {
        for (index, reply) in try connection.receive(count: pending.replies).enumerated() {
            try inner.check(reply, context: index < pending.entries.count ? "Cannot write \"\(pending.entries[index].key)\"" : "Cannot write a tag index")
        }
        return [WriteOutcome](repeating: .written, count: pending.entries.count)
    }

    /// Every reply is read by `receive`: nothing is owed after the last batch.
    public func finishBatches() throws {}
}

/// The framework layouts' write script: entry and tag index in one step.
enum FrameworkScripts {
    /// KEYS[1] = entry key, KEYS[2…] = tag index keys; ARGV[1] = value, ARGV[2] = lifetime in ms
    /// (-1 = none), ARGV[3] = "NX" or "", then per index key a score ("" for a set) and a member.
    /// Returns 1 when written, 0 when NX found the key. Tag indexes get no expiry (Symfony's and
    /// Laravel's never do).
    static let setEntry = """
        local ttl = tonumber(ARGV[2])
        local ok
        if ttl >= 0 and ARGV[3] == 'NX' then ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl, 'NX')
        elseif ttl >= 0 then ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
        elseif ARGV[3] == 'NX' then ok = redis.call('SET', KEYS[1], ARGV[1], 'NX')
        else ok = redis.call('SET', KEYS[1], ARGV[1]) end
        if not ok then return 0 end
        for i = 2, #KEYS do
          local score = ARGV[2 + 2 * (i - 1)]
          local member = ARGV[3 + 2 * (i - 1)]
          if score == '' then redis.call('SADD', KEYS[i], member) else redis.call('ZADD', KEYS[i], score, member) end
        end
        return 1
        """
}
