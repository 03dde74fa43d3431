import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Entry writes — one `set` or a warmup batch of thousands — as one MULTI/EXEC transaction per
/// batch: the tag memberships first, then the entries, then the `sets` counter.
///
/// Why a transaction: the server applies it whole or not at all. A process killed mid-batch, a
/// server out of memory, a read-only replica or a missing ACL permission refuse the whole
/// batch while it is queued (EXECABORT), so no entry is ever left outside its tags and the
/// counter moves only with writes the server acknowledged. A membership that fails while the
/// transaction runs (a tag key holding a string: WRONGTYPE) is the only partial case: the entries
/// it would have indexed are deleted again at once and reported failed.
///
/// No scripts: a tag set must live at least as long as its longest-living member. Inside the
/// transaction each tag gets `PTTL` (its state before), `SADD`, then `PEXPIRE ms GT` (extends a
/// shorter lifetime) and `PEXPIRE ms NX` (gives a new set its lifetime) — or just `SADD` and
/// `PERSIST` when a member never expires (no state before is needed then). `NX` would also give a lifetime to a set that was persistent on
/// purpose; the `PTTL` read says so, and a `PERSIST` follows right after the transaction (a
/// process killed in that one round trip leaves such a set expiring with its longest TTL member).
/// So EVAL and EVALSHA may be renamed away or denied by ACL: the writes stay consistent.
extension RedisBackend {
    /// One tag of a batch: its members (indexes into the batch) and the longest lifetime among them.
    struct TagWrite {
        var tag: String
        var lifetime: Int64
        var members: [Int]
    }

    /// Where each reply of an encoded transaction lands.
    struct TransactionLayout {
        var entries: [Entry]
        var onlyMissing: Bool
        /// Whether an entry that exists already gets the memberships too (a rerun repairs the index).
        var indexExisting: Bool
        var tags: [TagWrite]
        /// Replies to read: MULTI, every queued command, EXEC.
        var replies: Int
        /// Commands queued per tag (PTTL unless persistent, one SADD per member or one for all, and PERSIST or two PEXPIREs).
        func commandsPerTag(_ tag: TagWrite) -> Int { RedisBackend.lifetimeCommands(tag.lifetime) + (indexExisting ? 1 : tag.members.count) }
    }

    /// Groups a batch's tags: one write per tag, carrying all its members and the longest lifetime.
    static func tagWrites(for batch: [Entry]) -> [TagWrite] {
        var slots: [String: Int] = [:]
        var tags: [TagWrite] = []
        for (index, entry) in batch.enumerated() {
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
                    tags.append(TagWrite(tag: tag, lifetime: lifetime, members: [index]))
                }
            }
        }
        return tags
    }

    /// Commands a tag write sends besides its SADDs: PERSIST (-1 = forever), or PTTL and two PEXPIREs.
    static func lifetimeCommands(_ lifetime: Int64) -> Int { lifetime < 0 ? 1 : 3 }

    /// Adds members to a tag set and keeps it alive at least `lifetime` ms (-1 = forever): SADD
    /// then PERSIST, or PTTL (the state before), SADD, PEXPIRE GT and PEXPIRE NX. A reply of -1
    /// to the PTTL means NX gave a persistent set a lifetime: PERSIST it again.
    /// `members` are entry keys (the key prefix is added here). With `oneByOne`, each member gets
    /// its own SADD, whose reply tells whether it was new.
    func encodeTagWrite<Members: Collection<String>>(_ tag: String, lifetime: Int64, members: Members, oneByOne: Bool = false,
                                                     into buffer: inout RedisCommandBuffer) {
        let tagPrefix = configuration.tagPrefix, keyPrefix = configuration.keyPrefix
        if lifetime >= 0 {
            buffer.begin(arguments: 2)
            buffer.add("PTTL")
            buffer.add(tagPrefix, tag)
        }
        if oneByOne {
            for member in members {
                buffer.begin(arguments: 3)
                buffer.add("SADD")
                buffer.add(tagPrefix, tag)
                buffer.add(keyPrefix, member)
            }
        } else {
            buffer.begin(arguments: 2 + members.count)
            buffer.add("SADD")
            buffer.add(tagPrefix, tag)
            for member in members { buffer.add(keyPrefix, member) }
        }
        if lifetime < 0 {
            buffer.begin(arguments: 2)
            buffer.add("PERSIST")
            buffer.add(tagPrefix, tag)
        } else {
            encodeExpiry(tag, lifetime: lifetime, condition: "GT", into: &buffer)
            encodeExpiry(tag, lifetime: lifetime, condition: "NX", into: &buffer)
        }
    }

    private func encodeExpiry(_ tag: String, lifetime: Int64, condition: String, into buffer: inout RedisCommandBuffer) {
        buffer.begin(arguments: 4)
        buffer.add("PEXPIRE")
        buffer.add(configuration.tagPrefix, tag)
        buffer.add(lifetime)
        buffer.add(condition)
    }

    /// Encodes a batch as one transaction into `buffer`; returns where its replies land.
    ///
    /// With `onlyMissing`, existing entries are left as they are; with `indexExisting` too, they
    /// still get the memberships (a warmup rerun repairs what an earlier run left), else
    /// memberships this write added for an entry it did not write are taken back (`set --if-absent`).
    func encodeTransaction(_ batch: [Entry], onlyMissing: Bool, indexExisting: Bool = true,
                           into buffer: inout RedisCommandBuffer) -> TransactionLayout {
        let tags = Self.tagWrites(for: batch)
        let before = buffer.count
        buffer.begin(arguments: 1)
        buffer.add("MULTI")
        for write in tags {
            encodeTagWrite(write.tag, lifetime: write.lifetime, members: write.members.lazy.map { batch[$0].key },
                           oneByOne: !indexExisting, into: &buffer)
        }
        for entry in batch {
            buffer.begin(arguments: RedisCommandBuffer.setArguments(entry, onlyMissing: onlyMissing))
            buffer.addSet(entry, prefix: configuration.keyPrefix, onlyMissing: onlyMissing)
        }
        if !onlyMissing {
            // Overwriting SETs cannot fail once queued: the counter rides in the transaction.
            buffer.append(["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(batch.count)])
        }
        if let sequenceKey {
            buffer.append(["SET", RedisArgument(sequenceKey), RedisArgument(batchSequence), "PX", "3600000"])
        }
        buffer.begin(arguments: 1)
        buffer.add("EXEC")
        return TransactionLayout(entries: batch, onlyMissing: onlyMissing, indexExisting: indexExisting || !onlyMissing, tags: tags,
                                 replies: buffer.count - before)
    }

    /// Turns a transaction's replies into one outcome per entry, each from its own reply, and
    /// returns the commands that must follow (repairs, the counter of conditional writes).
    func outcomes(of layout: TransactionLayout, replies: [RESPValue]) -> (outcomes: [WriteOutcome], followUps: [[RedisArgument]]) {
        let entryStart = 1 + layout.tags.reduce(0) { $0 + layout.commandsPerTag($1) }
        let exec = replies.last ?? .null
        let describe = { (count: Int) in count == 1 ? "\"\(layout.entries[0].key)\"" : "a batch of \(count) entries" }
        // Refused while queued (out of memory, read-only, ACL, loading): the server discarded
        // the whole transaction. Each entry's outcome is its own SET's refusal, else the one
        // that discarded the batch.
        if let first = replies.lazy.compactMap({ RedisErrorReply($0) }).first(where: { $0.kind != .transactionAborted }) ?? RedisErrorReply(exec) {
            let batchError = first.cacheError(context: "Cannot write \(describe(layout.entries.count)); nothing of it was written",
                                              endpoint: endpointDescription)
            let outcomes = layout.entries.indices.map { index -> WriteOutcome in
                if let own = RedisErrorReply(replies[entryStart + index]) {
                    return .failed(own.cacheError(context: "Cannot write \"\(layout.entries[index].key)\"", endpoint: endpointDescription))
                }
                return .failed(batchError)
            }
            return (outcomes, [])
        }
        guard let results = exec.array else {
            let error = CacheError(.unavailable, "Cannot write \(describe(layout.entries.count)): the transaction was not executed")
            return (layout.entries.map { _ in .failed(error) }, [])
        }
        var outcomes: [WriteOutcome] = []
        outcomes.reserveCapacity(layout.entries.count)
        let setOffset = entryStart - 1
        for index in layout.entries.indices {
            let reply = results[setOffset + index]
            if let error = RedisErrorReply(reply) {
                outcomes.append(.failed(error.cacheError(context: "Cannot write \"\(layout.entries[index].key)\"", endpoint: endpointDescription)))
            } else {
                outcomes.append(reply == .null ? .existed : .written)
            }
        }
        var followUps: [[RedisArgument]] = []
        var position = 0
        var unindexed = Set<Int>()
        for write in layout.tags {
            let tagKey = RedisArgument(configuration.tagSetKey(write.tag))
            // The PTTL comes first when the set gets a lifetime; a persistent one starts with its SADDs.
            let before = write.lifetime >= 0 ? results[position].integer ?? -2 : -2
            let firstAddition = position + (write.lifetime >= 0 ? 1 : 0)
            let additions = results[firstAddition...].prefix(layout.indexExisting ? 1 : write.members.count)
            if let error = additions.lazy.compactMap({ RedisErrorReply($0) }).first {
                // The membership failed: its entries must not stay outside the tag.
                let failure = error.kind == .wrongType
                    ? CacheError(.badInput, "Cannot index in tag \"\(write.tag)\": \(configuration.tagSetKey(write.tag)) holds another type than a set; the entry was not written")
                    : error.cacheError(context: "Cannot index in tag \"\(write.tag)\"; the entry was not written", endpoint: endpointDescription)
                for index in write.members where !unindexed.contains(index) {
                    unindexed.insert(index)
                    if case .written = outcomes[index] {
                        followUps.append(["UNLINK", RedisArgument(configuration.storeKey(layout.entries[index].key))])
                    }
                    outcomes[index] = .failed(failure)
                }
            } else {
                if before == -1, write.lifetime >= 0 {
                    followUps.append(["PERSIST", tagKey])  // it was persistent on purpose: NX gave it a lifetime
                }
                if !layout.indexExisting {
                    for (index, added) in zip(write.members, additions) where outcomes[index] == .existed && added.integer == 1 {
                        followUps.append(["SREM", tagKey, RedisArgument(configuration.storeKey(layout.entries[index].key))])
                    }
                }
            }
            position += layout.commandsPerTag(write)
        }
        let written = outcomes.lazy.filter { if case .written = $0 { return true } else { return false } }.count
        let counted = layout.onlyMissing ? 0 : layout.entries.count
        if written != counted {
            followUps.append(["HINCRBY", RedisArgument(configuration.statsKey), "sets", RedisArgument(written - counted)])
        }
        return (outcomes, followUps)
    }

    // MARK: the backend's writes

    public func write(_ entry: Entry, ifAbsent: Bool) throws -> Bool {
        try write(entry, ifAbsent: ifAbsent, replacingOtherTypes: true)
    }

    /// Unless `replacingOtherTypes`, the key is watched and its type checked first: a key of
    /// another type is left alone, and a writer that changes the key in between makes the
    /// transaction void (EXEC answers null), so the check is made again. No script needed.
    public func write(_ entry: Entry, ifAbsent: Bool, replacingOtherTypes: Bool) throws -> Bool {
        let storeKey = RedisArgument(configuration.storeKey(entry.key))
        for _ in 0..<100 {
            try settleFollowUps()
            if !replacingOtherTypes {
                let looked = try connection.pipeline([["WATCH", storeKey], ["TYPE", storeKey]])
                try check(looked[0], context: "Cannot write \"\(entry.key)\"")
                let type = try check(looked[1], context: "Cannot write \"\(entry.key)\"").string ?? "none"
                if type != "none" && type != "string" {
                    _ = try? connection.send("UNWATCH")
                    throw CacheError.otherType(type, key: entry.key)
                }
            }
            var buffer = RedisCommandBuffer(capacity: 256 + entry.value.count)
            let layout = encodeTransaction([entry], onlyMissing: ifAbsent, indexExisting: false, into: &buffer)
            let replies = try connection.pipeline(buffer)
            if !replacingOtherTypes, replies.last == .null { continue }  // the key changed under WATCH: look again
            let (outcomes, followUps) = outcomes(of: layout, replies: replies)
            if !followUps.isEmpty {
                for reply in try connection.pipeline(followUps) { try check(reply, context: "Cannot complete the write of \"\(entry.key)\"") }
            }
            switch outcomes[0] {
            case .written: return true
            case .existed: return false
            case .failed(let error): throw error
            }
        }
        throw CacheError(.temporary, "Cannot write \"\(entry.key)\": the key kept changing while it was written")
    }

    public func write(batch: [Entry], onlyMissing: Bool) throws -> [Bool] {
        try writeEach(batch: batch, onlyMissing: onlyMissing).map { outcome in
            switch outcome {
            case .written: return true
            case .existed: return false
            case .failed(let error): throw error
            }
        }
    }

    public func writeEach(batch: [Entry], onlyMissing: Bool) throws -> [WriteOutcome] {
        try writeEach(batch: batch, onlyMissing: onlyMissing, indexExisting: true)
    }

    func writeEach(batch: [Entry], onlyMissing: Bool, indexExisting: Bool) throws -> [WriteOutcome] {
        guard !batch.isEmpty else { return [] }
        try settleFollowUps()
        var buffer = RedisCommandBuffer(capacity: batch.count * 96 + batch.reduce(0) { $0 + $1.value.count })
        let layout = encodeTransaction(batch, onlyMissing: onlyMissing, indexExisting: indexExisting, into: &buffer)
        let (outcomes, followUps) = outcomes(of: layout, replies: try connection.pipeline(buffer))
        if !followUps.isEmpty {
            for reply in try connection.pipeline(followUps) { try check(reply, context: "Cannot complete the batch write") }
        }
        return outcomes
    }

    /// Reads the replies of every follow-up sent without waiting (see `receive(_:)`); batches
    /// must all have been received.
    func settleFollowUps() throws {
        while let first = outstanding.first {
            guard case .followUps(let count) = first else {
                throw CacheError(.unreachable, "A batch sent on this connection was never received")
            }
            outstanding.removeFirst()
            for reply in try connection.receive(count: count) { try check(reply, context: "Cannot complete a batch write") }
        }
    }
}

/// Replies a connection still owes, in the order the commands went out.
enum OutstandingReplies {
    /// A batch transaction sent by `send(batch:)`.
    case batch(RedisBackend.TransactionLayout)
    /// Follow-up commands (repairs, counter corrections) sent without waiting.
    case followUps(Int)
}

extension RedisBackend: PipelinedBatchWriting {
    public func send(batch: [Entry]) throws -> PendingBatch {
        try send(batch: batch, onlyMissing: false)
    }

    /// Sends a batch transaction without waiting, also a conditional one (`SET … NX`): an entry
    /// that exists still gets its memberships (as `writeEach(batch:onlyMissing:)` does), so
    /// nothing in the transaction depends on an earlier reply. The counter of the entries really
    /// written follows when the replies are received.
    func send(batch: [Entry], onlyMissing: Bool) throws -> PendingBatch {
        var buffer = batchBuffer
        buffer.removeAll()
        defer { batchBuffer = buffer }
        let layout = encodeTransaction(batch, onlyMissing: onlyMissing, into: &buffer)
        try connection.send(buffer)
        outstanding.append(.batch(layout))
        return PendingBatch(entries: batch, replies: layout.replies)
    }

    public func receive(_ pending: PendingBatch) throws -> [WriteOutcome] {
        var layout: TransactionLayout?
        while layout == nil {
            guard !outstanding.isEmpty else { throw CacheError(.unreachable, "No batch is waiting for its replies on this connection") }
            switch outstanding.removeFirst() {
            case .followUps(let count):
                for reply in try connection.receive(count: count) { try check(reply, context: "Cannot complete a batch write") }
            case .batch(let sent):
                layout = sent
            }
        }
        let (outcomes, followUps) = outcomes(of: layout!, replies: try connection.receive(count: layout!.replies))
        if !followUps.isEmpty {
            var buffer = RedisCommandBuffer()
            for command in followUps { buffer.append(command) }
            try connection.send(buffer)
            outstanding.append(.followUps(followUps.count))
        }
        return outcomes
    }

    public func finishBatches() throws {
        try settleFollowUps()
    }
}

extension RedisBackend: BatchSequencing {
    public func sequenceBatches(under key: String) throws {
        sequenceKey = key
        // An error reply (CLIENT denied by ACL) leaves the id unknown; a lost connection throws.
        connectionID = try connection.send("CLIENT", "ID").integer
    }

    public func lastAppliedBatch(closing previous: Int64?) throws -> Int {
        guard let sequenceKey else { return 0 }
        if let previous {
            // Refused without the @admin category: then nothing is closed, and a batch the old
            // connection still had queued may be applied twice (counted twice at worst).
            _ = try connection.send(["CLIENT", "KILL", "ID", RedisArgument(previous)])
        }
        let reply = try check(try connection.send(["GET", RedisArgument(sequenceKey)]), context: "Cannot read \(sequenceKey)")
        return Int(reply.integer ?? 0)
    }

    public func finishSequencing() {
        guard let sequenceKey else { return }
        _ = try? connection.send(["UNLINK", RedisArgument(sequenceKey)])
    }
}
