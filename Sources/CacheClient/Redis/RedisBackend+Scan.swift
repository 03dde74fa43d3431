import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension RedisGlob {
    /// Whether `text` matches a Redis glob (`*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`), as
    /// `SCAN MATCH` and `KEYS` decide; used where the keys do not come from Redis.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: (p: Int, t: Int)?
        while t < text.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    star = (p, t)
                    p += 1
                    continue
                }
                if let next = single(pattern, at: p, matching: text[t]) {
                    p = next
                    t += 1
                    continue
                }
            }
            guard let backtrack = star else { return false }
            star = (backtrack.p, backtrack.t + 1)
            p = backtrack.p + 1
            t = backtrack.t + 1
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches one pattern element at `p` against `byte`; returns the index after it, or nil.
    private static func single(_ pattern: ArraySlice<UInt8>, at p: Int, matching byte: UInt8) -> Int? {
        switch pattern[p] {
        case UInt8(ascii: "?"): return p + 1
        case UInt8(ascii: "\\") where p + 1 < pattern.endIndex:
            return pattern[p + 1] == byte ? p + 2 : nil
        case UInt8(ascii: "["):
            var i = p + 1
            let negate = i < pattern.endIndex && pattern[i] == UInt8(ascii: "^")
            if negate { i += 1 }
            var matched = false
            while i < pattern.endIndex && pattern[i] != UInt8(ascii: "]") {
                if pattern[i] == UInt8(ascii: "\\"), i + 1 < pattern.endIndex {
                    if pattern[i + 1] == byte { matched = true }
                    i += 2
                } else if i + 2 < pattern.endIndex, pattern[i + 1] == UInt8(ascii: "-"), pattern[i + 2] != UInt8(ascii: "]") {
                    let (low, high) = (min(pattern[i], pattern[i + 2]), max(pattern[i], pattern[i + 2]))
                    if byte >= low && byte <= high { matched = true }
                    i += 3
                } else {
                    if pattern[i] == byte { matched = true }
                    i += 1
                }
            }
            return matched != negate ? min(i + 1, pattern.endIndex) : nil
        default:
            return pattern[p] == byte ? p + 1 : nil
        }
    }
}

/// Tag sets streamed one at a time, for copying them as sets (Redis→Redis).
public protocol TagSetSource: AnyObject {
    /// Calls `body` with pages of tag sets: each tag, its members in scope (entry keys matching
    /// `pattern`) and the set's remaining lifetime in ms (-1 = none); a large set comes in slices.
    func scanTagSets(pattern: String?, _ body: ([TagMembers]) throws -> Void) throws
}

/// Some members of one tag set.
public struct TagMembers: Sendable, Equatable {
    /// The tag's name, without the tag prefix.
    public var tag: String
    /// Entry keys (without the key prefix).
    public var keys: [String]
    /// The set's remaining lifetime in ms; -1 = none.
    public var lifetime: Int64
}

/// A sink that takes tag memberships as sets.
public protocol TagSetSink: AnyObject {
    /// Adds entry keys to tag sets, keeping each alive at least its `lifetime` (-1 = forever).
    func addTagMembers(_ sets: [TagMembers]) throws
}

/// A Redis server as a migrate source: SCAN, then pipelined TYPE + PTTL + GET/DUMP per batch.
///
/// Tags: copied as sets when the sink takes them (Redis→Redis); otherwise each record carries
/// its tags, looked up per batch in a key → tags file built once by SCAN + SSCAN over the tag
/// prefix (on disk, so memory stays flat in the number of keys and memberships).
public final class RedisEntrySource: EntrySource, TagSetSource {
    let backend: any RedisKeyspace
    private var memberships: TagMembershipFile?
    /// Read sets, lists, hashes and sorted sets element by element (and DUMP any other type) for
    /// a sink that takes them (JSON Lines); otherwise only strings carry values.
    public var includesCollections = false
    /// Read the content of every set, list, hash and sorted set into its record (`collection`,
    /// instead of the DUMP payload) for `migrate --verify`, which compares by content. Read here,
    /// on the scanning thread: the source's connection serves one thread at a time.
    public var readsContents = false

    /// Reads from an opened Redis backend.
    public init(_ backend: RedisBackend) { self.backend = backend }

    /// Reads from every primary of a cluster (or the primary Sentinel names), each key on its node.
    public init(_ backend: RedisTopologyBackend) { self.backend = backend }

    public var endpointDescription: String { backend.endpointDescription }

    private var configuration: CacheConfiguration { backend.configuration }

    /// Whether a store key is the cache's own bookkeeping (tag sets, the counters hash).
    private func isBookkeeping(_ storeKey: String) -> Bool {
        storeKey.hasPrefix(configuration.tagPrefix) || storeKey == configuration.statsKey
            || storeKey.hasPrefix(configuration.statsKey + ":")
    }

    /// Whether a full copy hands over the tag sets its key scan meets; a migration that copies
    /// the tag sets before the entries turns this off.
    public var copiesTagSetsInline = true

    /// Whether a scan hands over the tag sets it meets (a full Redis→Redis copy whose key scan
    /// covers the tag prefix), so that `scanTagSets` is not needed afterwards.
    public func inlineTagSets(pattern: String?, serialized: Bool, keysOnly: Bool) -> Bool {
        copiesTagSetsInline && pattern == nil && serialized && !keysOnly && configuration.tagPrefix.hasPrefix(configuration.keyPrefix)
    }

    /// Calls `body` with each SCAN page of store keys under `match` (every primary of a cluster).
    func scanKeys(match: String, count: Int, _ body: ([String]) throws -> Void) throws {
        try backend.scanStoreKeys(match: match, count: count, body)
    }

    /// The keys of a walk that already happened (`scanTagSetsKeepingKeys`): the next full `scan`
    /// reads its pages from here instead of walking the keyspace again.
    private var keptKeys: KeySpool?

    /// Whether one walk of the keyspace can hand over both the tag sets and the keys of a copy:
    /// a full copy (no pattern) whose key walk covers the tag prefix.
    public func walksOnce(pattern: String?) -> Bool {
        pattern == nil && configuration.tagPrefix.hasPrefix(configuration.keyPrefix)
    }

    /// Walks the keyspace once: calls `body` with each page of tag sets (read whole), and keeps
    /// every other key (on disk: memory stays flat) for the next full `scan`. Walking it twice —
    /// once for the tag sets, which a Redis → Redis copy writes first, once for the keys — cost
    /// the source server 0.9 µs per key per walk.
    public func scanTagSetsKeepingKeys(_ body: ([TagMembers]) throws -> Void) throws {
        let spool = try KeySpool()
        try scanKeys(match: RedisGlob.escape(configuration.keyPrefix) + "*", count: 1000) { storeKeys in
            let tagKeys = storeKeys.filter { $0.hasPrefix(configuration.tagPrefix) }
            if !tagKeys.isEmpty {
                let page = try readTagSets(tagKeys, pattern: nil)
                if !page.isEmpty { try body(page) }
            }
            try spool.append(storeKeys.filter { !isBookkeeping($0) })
        }
        keptKeys = spool
    }

    public func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool,
                     _ body: (MigrationBatch) throws -> Void) throws {
        if !serialized && !keysOnly && memberships == nil { memberships = try membershipFile(pattern: pattern) }
        let match = RedisGlob.escape(configuration.keyPrefix) + (pattern ?? "*")
        let kept = pattern == nil ? keptKeys : nil
        if kept != nil { keptKeys = nil }  // one copy reads them; a later scan (--verify) walks again
        let walk = { (page: ([String]) throws -> Void) throws in
            if let kept { try kept.forEachPage(size: batchSize, page) } else { try self.scanKeys(match: match, count: batchSize, page) }
        }
        try walk { storeKeys in
            let keys = storeKeys.filter { !isBookkeeping($0) }
            // A full copy meets every tag set on its way: copy them as they come rather than
            // walking the whole keyspace a second time for them.
            let tagSets = inlineTagSets(pattern: pattern, serialized: serialized, keysOnly: keysOnly)
                ? try readTagSets(storeKeys.filter { $0.hasPrefix(configuration.tagPrefix) }, pattern: nil) : []
            guard !keys.isEmpty || !tagSets.isEmpty else { return }
            // DUMP carries every type, so a serialized copy needs no TYPE round: listing keys
            // for the conflict check then costs nothing but the SCAN.
            let withType = !serialized
            if keysOnly && serialized {
                try body(MigrationBatch(records: keys.compactMap { configuration.entryKey($0) }
                    .map { MigrationRecord(key: $0, type: "unknown", value: nil, expiry: .never, tags: nil) }))
                return
            }
            var commands: [[RedisArgument]] = []
            let perKey = (withType ? 1 : 0) + (keysOnly ? 0 : 2)
            commands.reserveCapacity(keys.count * perKey)
            for key in keys {
                let argument = RedisArgument(key)
                if withType { commands.append(["TYPE", argument]) }
                if !keysOnly {
                    commands.append(["PTTL", argument])
                    // Strings, nearly all of a cache, travel as GET → SET (cheaper on both servers
                    // than DUMP → RESTORE); GET's WRONGTYPE marks the others, DUMPed next.
                    commands.append(["GET", argument])
                }
            }
            let replies = try backend.keyPipeline(commands)
            var dumpLater: [(index: Int, storeKey: String)] = []
            let tagsOfKeys = try memberships?.tags(for: keys.map { configuration.entryKey($0) ?? $0 })
            var batch = MigrationBatch()
            batch.records.reserveCapacity(keys.count)
            let offset = withType ? 1 : 0
            for (index, storeKey) in keys.enumerated() {
                guard let key = configuration.entryKey(storeKey) else { continue }
                let type = withType ? try backend.check(replies[index * perKey], context: "Cannot read the type of \"\(key)\"").string ?? "none" : "unknown"
                if type == "none" {
                    batch.expired.append(key)
                    continue
                }
                if keysOnly {
                    batch.records.append(MigrationRecord(key: key, type: type, value: nil, expiry: .never, tags: nil))
                    continue
                }
                let pttl = try backend.check(replies[index * perKey + offset], context: "Cannot read the TTL of \"\(key)\"").integer ?? -2
                let payload = replies[index * perKey + offset + 1]
                if pttl == -2 || pttl == 0 || payload == .null {
                    batch.expired.append(key)
                    continue
                }
                let expiry: Expiry = pttl > 0 ? .milliseconds(pttl) : .never
                var record = MigrationRecord(key: key, type: type, value: nil, expiry: expiry,
                                             tags: serialized ? nil : tagsOfKeys?[index] ?? [])
                if serialized, payload.errorMessage?.hasPrefix("WRONGTYPE") == true {
                    dumpLater.append((batch.records.count, storeKey))
                } else if serialized {
                    record.type = "string"
                    record.value = try backend.check(payload, context: "Cannot read \"\(key)\"").bytes
                } else if type == "string" {
                    record.value = try backend.check(payload, context: "Cannot read \"\(key)\"").bytes
                } else if includesCollections {
                    dumpLater.append((batch.records.count, storeKey))
                }
                batch.records.append(record)
            }
            if includesCollections, !dumpLater.isEmpty {
                // Collections travel element by element; what cannot (streams, bytes that are not
                // UTF-8) stays in `dumpLater` for a DUMP.
                let contents = try backend.collections(dumpLater.map(\.storeKey))
                var remaining: [(index: Int, storeKey: String)] = []
                for (item, content) in zip(dumpLater, contents) {
                    if let content, content.isText {
                        batch.records[item.index].collection = content
                    } else {
                        remaining.append(item)
                    }
                }
                dumpLater = remaining
            }
            if !dumpLater.isEmpty { try dump(dumpLater, into: &batch) }
            if readsContents {
                let others = batch.records.indices.filter { batch.records[$0].value == nil }
                let contents = try backend.collections(others.map { configuration.storeKey(batch.records[$0].key) })
                for (index, content) in zip(others, contents) where content != nil {
                    batch.records[index].collection = content
                    batch.records[index].serialized = nil
                }
            }
            batch.tagSets = tagSets
            try body(batch)
        }
    }

    /// DUMPs the keys that are not strings, with their TTL read again alongside.
    private func dump(_ pending: [(index: Int, storeKey: String)], into batch: inout MigrationBatch) throws {
        let replies = try backend.keyPipeline(pending.flatMap {
            [["TYPE", RedisArgument($0.storeKey)], ["PTTL", RedisArgument($0.storeKey)], ["DUMP", RedisArgument($0.storeKey)]]
        })
        var gone = Set<Int>()
        for (offset, item) in pending.enumerated() {
            let key = batch.records[item.index].key
            if let type = replies[3 * offset].string, type != "none" { batch.records[item.index].type = type }
            let pttl = try backend.check(replies[3 * offset + 1], context: "Cannot read the TTL of \"\(key)\"").integer ?? -2
            let payload = try backend.check(replies[3 * offset + 2], context: "Cannot DUMP \"\(key)\"")
            guard pttl != -2, pttl != 0, let bytes = payload.bytes else {
                gone.insert(item.index)
                batch.expired.append(key)
                continue
            }
            batch.records[item.index].expiry = pttl > 0 ? .milliseconds(pttl) : .never
            batch.records[item.index].serialized = bytes
        }
        if !gone.isEmpty {
            batch.records = batch.records.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        }
    }

    /// Builds key → tags for the keys in scope from every tag set under the tag prefix, on disk.
    func membershipFile(pattern: String?) throws -> TagMembershipFile {
        let file = try TagMembershipFile()
        try scanTagSets(pattern: pattern) { page in try file.add(page) }
        try file.finishLoading()
        return file
    }

    public func scanTagSets(pattern: String?, _ body: ([TagMembers]) throws -> Void) throws {
        try scanKeys(match: RedisGlob.escape(configuration.tagPrefix) + "*", count: 1000) { tagKeys in
            let page = try readTagSets(tagKeys, pattern: pattern)
            if !page.isEmpty { try body(page) }
        }
    }

    /// Reads tag sets in full (large ones slice by slice), keeping members whose entry keys match `pattern`.
    func readTagSets(_ tagKeys: [String], pattern: String?) throws -> [TagMembers] {
        // One pipeline per page of tag sets: type, lifetime and the first page of members.
        var commands: [[RedisArgument]] = []
        for tagKey in tagKeys {
            let argument = RedisArgument(tagKey)
            commands += [["TYPE", argument], ["PTTL", argument], ["SSCAN", argument, "0", "COUNT", "1000"]]
        }
        let replies = try backend.keyPipeline(commands)
        var page: [TagMembers] = []
        for (index, tagKey) in tagKeys.enumerated() {
            guard replies[3 * index].string == "set" else { continue }
            let lifetime = replies[3 * index + 1].integer ?? -2
            if lifetime == -2 { continue }
            let tag = String(tagKey.dropFirst(configuration.tagPrefix.count))
            var reply = try backend.check(replies[3 * index + 2], context: "Cannot read the tag set \(tagKey)")
            while true {
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                    throw CacheError(.failed, "Cannot read the tag set \(tagKey): unexpected reply to SSCAN")
                }
                let keys = (parts[1].array ?? []).compactMap { member -> String? in
                    guard let bytes = member.bytes, let key = configuration.entryKey(String(decoding: bytes, as: UTF8.self)) else { return nil }
                    return pattern.map { RedisGlob.matches($0, key) } ?? true ? key : nil
                }
                if !keys.isEmpty { page.append(TagMembers(tag: tag, keys: keys, lifetime: lifetime)) }
                if next == "0" { break }
                reply = try backend.check(try backend.keyPipeline([["SSCAN", RedisArgument(tagKey), RedisArgument(next), "COUNT", "1000"]])[0],
                                          context: "Cannot read the tag set \(tagKey)")
            }
        }
        return page
    }
}

/// How a Redis target (one server or a cluster) writes each record of a migrate batch.
enum RedisWriteKinds {
    /// The indices of the strings (the batch write), of `DUMP` payloads (`RESTORE`) and of other
    /// types given element by element (from JSON Lines).
    static func split(_ records: [MigrationRecord]) -> (strings: [Int], dumped: [Int], collections: [Int]) {
        (records.indices.filter { records[$0].serialized == nil && records[$0].value != nil },
         records.indices.filter { records[$0].serialized != nil && records[$0].value == nil },
         records.indices.filter { records[$0].collection != nil && records[$0].serialized == nil && records[$0].value == nil })
    }
}

/// A Redis server as a migrate target: strings through the backend's batch write (value, TTL
/// and tags), every other type through pipelined RESTORE of `DUMP` payloads.
///
/// A batch of strings only (nearly every batch of a cache) is submitted as one transaction
/// without waiting for its replies, so it travels while the previous batch's replies are read;
/// anything else is written at once, after the replies still owed have been read.
public final class RedisEntrySink: EntrySink, TagSetSink, PipelinedEntrySink {
    let backend: RedisBackend
    /// Batches submitted and not collected, oldest first: a transaction awaiting its replies, or
    /// the outcomes of a batch written at once.
    private var submitted: [Submitted] = []

    private enum Submitted {
        case pending(PendingBatch)
        case done([SinkOutcome])
    }

    /// Writes to an opened Redis backend.
    public init(_ backend: RedisBackend) { self.backend = backend }

    public func submit(_ records: [MigrationRecord], replace: Bool) throws {
        guard !records.isEmpty, records.allSatisfy({ $0.serialized == nil && $0.value != nil }) else {
            let outcomes = try write(records, replace: replace)
            submitted.append(.done(outcomes))
            return
        }
        submitted.append(.pending(try backend.send(batch: records.compactMap(\.entry), onlyMissing: !replace)))
    }

    public func collect() throws -> [SinkOutcome] {
        guard !submitted.isEmpty else { throw CacheError(.unreachable, "No batch is waiting for its replies at \(endpointDescription)") }
        switch submitted.removeFirst() {
        case .done(let outcomes): return outcomes
        case .pending(let pending): return try Self.sinkOutcomes(try backend.receive(pending))
        }
    }

    /// A batch's outcomes as `write(batch:onlyMissing:)` gives them: the first failure is thrown.
    private static func sinkOutcomes(_ outcomes: [WriteOutcome]) throws -> [SinkOutcome] {
        try outcomes.map { outcome in
            switch outcome {
            case .written: return .written
            case .existed: return .existed
            case .failed(let error): throw error
            }
        }
    }

    /// Reads every reply still owed, so the connection is free for a round trip of its own.
    private func settle() throws {
        for index in submitted.indices {
            if case .pending(let pending) = submitted[index] {
                submitted[index] = .done(try Self.sinkOutcomes(try backend.receive(pending)))
            }
        }
        try backend.finishBatches()
    }

    public func finish() throws { try settle() }

    public func finishSubmitted() throws { try settle() }

    public var endpointDescription: String { backend.endpointDescription }
    public var acceptsSerialized: Bool { true }
    public var hasExistingKeys: Bool { true }
    public func accepts(_ record: MigrationRecord) -> Bool {
        record.value != nil || record.serialized != nil || record.collection != nil
    }

    public func isEmpty() throws -> Bool {
        try backend.check(try backend.connection.send("DBSIZE"), context: "Cannot read DBSIZE").integer == 0
    }

    public func exists(_ keys: [String]) throws -> [Bool] {
        try settle()
        return try backend.exists(keys)
    }

    public func write(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        guard !records.isEmpty else { return [] }
        try settle()
        // Strings go through the batch write (SET, or SET NX when not replacing); the rest RESTOREs.
        let (strings, dumped, collections) = RedisWriteKinds.split(records)
        var outcomes = [SinkOutcome](repeating: .expired, count: records.count)
        if !strings.isEmpty {
            let written = try backend.write(batch: strings.compactMap { records[$0].entry }, onlyMissing: !replace)
            for (index, wrote) in zip(strings, written) { outcomes[index] = wrote ? .written : .existed }
        }
        if !dumped.isEmpty {
            for (index, outcome) in zip(dumped, try restore(dumped.map { records[$0] }, replace: replace)) { outcomes[index] = outcome }
        }
        if !collections.isEmpty {
            for (index, outcome) in zip(collections, try writeCollections(collections.map { records[$0] }, replace: replace)) { outcomes[index] = outcome }
        }
        // Tags of the other types (from JSON Lines; Redis→Redis copies tag sets as sets instead).
        var byTag: [String: TagMembers] = [:]
        for index in dumped + collections where outcomes[index] == .written {
            let record = records[index]
            for tag in record.tags ?? [] {
                let lifetime = record.expiry.milliseconds ?? -1
                var members = byTag[tag] ?? TagMembers(tag: tag, keys: [], lifetime: lifetime)
                members.keys.append(record.key)
                if members.lifetime != -1 { members.lifetime = lifetime == -1 ? -1 : max(members.lifetime, lifetime) }
                byTag[tag] = members
            }
        }
        if !byTag.isEmpty { try addTagMembers(byTag.keys.sorted().compactMap { byTag[$0] }) }
        return outcomes
    }

    /// Writes sets, lists, hashes and sorted sets element by element, each in one MULTI/EXEC
    /// with its lifetime; without `replace` an existing key is left as it is.
    private func writeCollections(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        let configuration = backend.configuration
        var existing = [Bool](repeating: false, count: records.count)
        if !replace {
            let replies = try backend.connection.pipeline(records.map { ["EXISTS", RedisArgument(configuration.storeKey($0.key))] })
            for (index, reply) in replies.enumerated() {
                existing[index] = try backend.check(reply, context: "Cannot check \"\(records[index].key)\"").integer == 1
            }
        }
        var commands: [[RedisArgument]] = []
        var written: [Int] = []
        for (index, record) in records.enumerated() where !existing[index] {
            guard let collection = record.collection else { continue }
            let key = RedisArgument(configuration.storeKey(record.key))
            commands.append(["MULTI"])
            commands.append(["DEL", key])
            commands.append(collection.writeCommand(storeKey: configuration.storeKey(record.key)))
            if let milliseconds = record.expiry.milliseconds { commands.append(["PEXPIRE", key, RedisArgument(milliseconds)]) }
            commands.append(["EXEC"])
            written.append(index)
        }
        var outcomes = existing.map { $0 ? SinkOutcome.existed : .written }
        guard !commands.isEmpty else { return outcomes }
        let replies = try backend.connection.pipeline(commands)
        var position = 0
        for index in written {
            let count = records[index].expiry.milliseconds == nil ? 4 : 5
            let exec = replies[position + count - 1]
            for reply in replies[position..<position + count] {
                try backend.check(reply, context: "Cannot write \"\(records[index].key)\" at \(endpointDescription)")
            }
            if let results = exec.array {
                for result in results { try backend.check(result, context: "Cannot write \"\(records[index].key)\" at \(endpointDescription)") }
            } else {
                outcomes[index] = .expired
            }
            position += count
        }
        try backend.check(try backend.connection.send(["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(written.count)]),
                          context: "Cannot count the writes")
        return outcomes
    }

    /// Pipelined RESTORE of DUMP payloads; BUSYKEY (without REPLACE) counts as existing.
    private func restore(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        var commands: [[RedisArgument]] = []
        commands.reserveCapacity(records.count + 1)
        for record in records {
            guard let payload = record.serialized else { continue }
            var command: [RedisArgument] = ["RESTORE", RedisArgument(backend.configuration.storeKey(record.key)),
                                            RedisArgument(record.expiry.milliseconds ?? 0), RedisArgument(bytes: payload)]
            if replace { command.append("REPLACE") }
            commands.append(command)
        }
        let replies = try backend.connection.pipeline(commands)
        var outcomes: [SinkOutcome] = []
        outcomes.reserveCapacity(records.count)
        for (record, reply) in zip(records, replies) {
            if let message = reply.errorMessage, message.hasPrefix("BUSYKEY") {
                outcomes.append(.existed)
            } else {
                try backend.check(reply, context: "Cannot RESTORE \"\(record.key)\" at \(endpointDescription)")
                outcomes.append(.written)
            }
        }
        let written = outcomes.lazy.filter { $0 == .written }.count
        if written > 0 {
            try backend.check(try backend.connection.send(["HINCRBY", RedisArgument(backend.configuration.statsKey), "sets", RedisArgument(written)]),
                              context: "Cannot count the writes")
        }
        return outcomes
    }

    public func addTagMembers(_ sets: [TagMembers]) throws {
        guard !sets.isEmpty else { return }
        try settle()
        var buffer = RedisCommandBuffer()
        for members in sets {
            backend.encodeTagWrite(members.tag, lifetime: members.lifetime, members: members.keys, into: &buffer)
        }
        let replies = try backend.connection.pipeline(buffer)
        var repairs: [[RedisArgument]] = []
        var position = 0
        for members in sets {
            let step = RedisBackend.lifetimeCommands(members.lifetime) + 1  // SADD, PERSIST or PTTL + PEXPIRE GT + NX
            for reply in replies[position..<(position + step)] {
                try backend.check(reply, context: "Cannot write the tag set of \"\(members.tag)\"")
            }
            if members.lifetime >= 0, replies[position].integer == -1 {
                repairs.append(["PERSIST", RedisArgument(backend.configuration.tagSetKey(members.tag))])
            }
            position += step
        }
        for reply in try backend.connection.pipeline(repairs) { try backend.check(reply, context: "Cannot keep a tag set persistent") }
    }

    public func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?] {
        try settle()
        return try backend.readBack(records, serialized: serialized)
    }
}
