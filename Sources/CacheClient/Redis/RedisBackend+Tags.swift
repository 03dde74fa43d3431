import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Tag invalidation, tag listing and pruning, and scoped flushes over SCAN, SSCAN and pipelined UNLINK.
///
/// Invalidation first RENAMEs the tag set to `<tag-set>:invalidating:<uuid>` in one atomic step, then
/// walks that private copy with SSCAN in batches, UNLINKing each batch in the same round trip as
/// the next SSCAN step, and UNLINKs the copy last. A writer that tags a key while this runs creates a fresh tag set, which survives:
/// no membership is lost between reading the members and deleting the set. Memory stays bounded by
/// the batch size, whatever the size of the tag. A run killed half-way leaves the temporary set
/// behind (some of its members already deleted); `tags` shows it and `tags prune` finishes it.
extension RedisBackend: TagIndexing, TagMemberWalking {
    /// Members read and keys unlinked per round trip.
    static let tagBatch = 2000
    /// Tag sets up to this many members are read in one SMEMBERS; larger ones stream by SSCAN.
    static let wholeSetLimit: Int64 = 100_000
    /// SCAN COUNT for flushes and tag listing: large steps, few round trips.
    static let scanCount = 5000

    // MARK: invalidate

    public func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation {
        try TagName.validate(tag)
        let start = ContinuousClock.now
        let tagKey = configuration.tagSetKey(tag)
        if dryRun {
            let context = "Cannot read tag \"\(tag)\""
            let replies = try connection.pipeline([["TYPE", RedisArgument(tagKey)], ["SCARD", RedisArgument(tagKey)]])
            try refuseOtherType(try check(replies[0], context: context).string ?? "none", tag: tag)
            let members = Int(try check(replies[1], context: context).integer ?? 0)
            return try previewInvalidation(tag: tag, tagKey: tagKey, members: members, listLimit: listLimit, start: start)
        }
        // A lost connection is retried like warmup's: the run starts over, and starting over
        // finishes whatever the interrupted attempt had moved aside.
        var movedAside: [String] = []
        var unconfirmed: [String] = []
        do {
            return try retrying {
                try invalidateOnce(tag: tag, tagKey: tagKey, start: start, movedAside: &movedAside, unconfirmed: &unconfirmed)
            }
        } catch let error as CacheError where error.kind == .unreachable || error.kind == .temporary {
            let left = Array(Set(movedAside)).sorted()
            // A move sent whose reply never came may or may not have happened: name it as such.
            let maybe = Array(Set(unconfirmed)).sorted()
            let where_ = !left.isEmpty ? "; its members are in \(left.joined(separator: ", "))"
                : !maybe.isEmpty ? "; if the move went through, its members are in \(maybe.joined(separator: ", "))" : ""
            throw CacheError(error.kind, "invalidate-tag \"\(tag)\" stopped: \(error.message)\(where_)",
                             hint: "run the same command again to finish it")
        }
    }

    /// The registry of invalidations in progress: a set of the moved-aside tag sets, so that a
    /// rerun finds what an interrupted run left without scanning the keyspace.
    private var invalidationRegistry: String { configuration.statsKey + ":invalidating" }

    /// The moved-aside sets of interrupted invalidations of `tagKey`, from the registry's SMEMBERS reply.
    private func interruptedInvalidations(of tagKey: String, registry reply: RESPValue) throws -> [String] {
        let reply = try check(reply, context: "Cannot read \(invalidationRegistry)")
        let prefix = tagKey + TagName.invalidatingMarker
        return (reply.array ?? []).compactMap(\.string).filter { $0.hasPrefix(prefix) && TagName.interruptedTag($0) != nil }.sorted()
    }

    private func refuseOtherType(_ type: String, tag: String) throws {
        guard type != "set", type != "none" else { return }
        throw CacheError(.badInput, "Cannot invalidate tag \"\(tag)\": \(configuration.tagSetKey(tag)) holds a \(type), not a tag index (a set); nothing was changed",
                         hint: "check --tag-prefix and --layout: this key belongs to something else")
    }

    /// One attempt: finishes interrupted invalidations of the tag, then moves the tag set aside
    /// (checking its type atomically with the move: WATCH, TYPE, MULTI/RENAME/EXEC, no script)
    /// and drains it.
    ///
    /// Round trips: the look (WATCH, TYPE, SCARD and the registry of interrupted runs), the move,
    /// the members (each group's UNLINK sent as soon as it is read), the counters.
    private func invalidateOnce(tag: String, tagKey: String, start: ContinuousClock.Instant,
                                movedAside: inout [String], unconfirmed: inout [String]) throws -> TagInvalidation {
        let context = "Cannot invalidate tag \"\(tag)\""
        let temporary = tagKey + TagName.invalidatingMarker + UUID().uuidString.lowercased()
        var moved: (members: Int64, existed: Bool)?
        var leftovers: [String] = []
        for _ in 0..<100 {
            let looked = try connection.pipeline([["WATCH", RedisArgument(tagKey)], ["TYPE", RedisArgument(tagKey)],
                                                  ["SCARD", RedisArgument(tagKey)], ["SMEMBERS", RedisArgument(invalidationRegistry)]])
            try check(looked[0], context: context)
            let type = try check(looked[1], context: context).string ?? "none"
            if type != "set" {
                try check(try connection.send("UNWATCH"), context: context)
                try refuseOtherType(type, tag: tag)
                leftovers = try interruptedInvalidations(of: tagKey, registry: looked[3])
                moved = (0, false)
                break
            }
            leftovers = try interruptedInvalidations(of: tagKey, registry: looked[3])
            // Unchanged until EXEC (WATCH), so the count is the moved set's: read whole when moderate,
            // and only when no interrupted run of the tag is to be finished first.
            // Queued only if the key is still the set we looked at; a writer in between makes EXEC null: look again.
            unconfirmed.append(temporary)
            let commands: [[RedisArgument]] = [["MULTI"], ["RENAME", RedisArgument(tagKey), RedisArgument(temporary)],
                                               ["SADD", RedisArgument(invalidationRegistry), RedisArgument(temporary)],
                                               ["SCARD", RedisArgument(temporary)], ["EXEC"]]
            let replies = try connection.pipeline(commands)
            for reply in replies.prefix(4) { try check(reply, context: context) }
            unconfirmed.removeAll { $0 == temporary }
            guard let results = try check(replies[4], context: context).array else { continue }
            for reply in results { try check(reply, context: context) }
            movedAside.append(temporary)
            moved = (results[2].integer ?? 0, true)
            break
        }
        guard let moved else {
            throw CacheError(.temporary, "\(context): the tag set kept changing while it was being moved aside")
        }
        var report = TagInvalidation(tag: tag, existed: moved.existed, deleted: 0, members: Int(moved.members), seconds: 0, dryRun: false)
        var invalidations = 0
        for leftover in leftovers {
            guard leftover != temporary else { continue }
            let drained = try drain(leftover, context: context)
            report.deleted += drained.deleted
            report.remaining += drained.remaining
            if drained.remaining > 0 {
                report.interrupted = true
                break
            }
            report.finishedInterrupted += 1
        }
        if moved.existed {
            if report.interrupted {
                report.remaining += Int(moved.members)
            } else {
                let drained = try drain(temporary, cardinality: moved.members, context: context)
                report.deleted += drained.deleted
                report.remaining += drained.remaining
                report.interrupted = drained.remaining > 0
                invalidations = 1
            }
        }
        try count(deletes: report.deleted, tagInvalidations: invalidations)
        report.seconds = secondsSince(start)
        return report
    }

    /// Walks the members of `setKey` with SSCAN and UNLINKs them, then UNLINKs the set itself;
    /// returns the members seen and the keys that existed.
    ///
    /// The next SSCAN goes out ahead of each batch's UNLINK, so the server deletes one batch while
    /// this process reads the next: server and client work at the same time, one batch in memory.
    ///
    /// SSCAN rather than SPOP: popping at random from a large set makes the server hunt through an
    /// ever sparser hash table. Nobody else writes to the private set, so SSCAN sees every member
    /// exactly once. (Deleting on the server with a script was measured too: no faster, and it
    /// would touch undeclared keys, which a cluster forbids.)
    private func drain(_ setKey: String, cardinality known: Int64? = nil,
                       context: String) throws -> (members: Int, deleted: Int, remaining: Int) {
        // A set of moderate size is read by SMEMBERS (a third of what the same members cost the
        // server through SSCAN), its members streamed: never all in memory at once.
        let cardinality = try known ?? check(try connection.send(["SCARD", RedisArgument(setKey)]), context: context).integer ?? 0
        let cancellation = configuration.cancellation
        if cancellation.isCancelled { return (0, 0, Int(cardinality)) }
        if cardinality <= Self.wholeSetLimit {
            // The members are read as they arrive, and each group's UNLINK goes out at once: the
            // server deletes the first keys while the rest of the reply is still being read.
            var buffer = RedisCommandBuffer(capacity: 64 * Self.tagBatch)
            buffer.append(["SMEMBERS", RedisArgument(setKey)])
            try connection.send(buffer)  // without waiting: the reply is read by streamArray
            var unlinks = 0
            let streamed = try connection.streamArray(group: Self.tagBatch) { keys in
                buffer.removeAll()
                buffer.begin(arguments: keys.count + 1)
                buffer.add("UNLINK")
                for key in keys { buffer.add(key) }
                try connection.send(buffer)
                unlinks += 1
            }
            let members: Int
            switch streamed {
            case .elements(let count): members = count
            case .other(let reply):
                try check(reply, context: context)
                members = 0
            }
            buffer.removeAll()
            buffer.begin(arguments: 2)
            buffer.add("UNLINK")
            buffer.add(setKey)
            buffer.append(["SREM", RedisArgument(invalidationRegistry), RedisArgument(setKey)])
            try connection.send(buffer)
            var deleted = 0
            let replies = try connection.receive(count: unlinks + 2)
            for reply in replies.dropLast(2) { deleted += Int(try check(reply, context: context).integer ?? 0) }
            for reply in replies.suffix(2) { try check(reply, context: context) }
            return (members, deleted, 0)
        }
        var members = 0
        var deleted = 0
        var unlinksInFlight = 0
        var buffer = RedisCommandBuffer(capacity: 64 * Self.tagBatch)
        func sscan(_ cursor: [UInt8]) {
            buffer.begin(arguments: 5)
            buffer.add("SSCAN")
            buffer.add(setKey)
            buffer.add(cursor)
            buffer.add("COUNT")
            buffer.add(Int64(Self.tagBatch))
        }
        func unlink(_ keys: [[UInt8]]) {
            buffer.begin(arguments: keys.count + 1)
            buffer.add("UNLINK")
            for key in keys { buffer.add(key) }
        }
        func collectUnlinks() throws {
            for reply in try connection.receive(count: unlinksInFlight) {
                deleted += Int(try check(reply, context: context).integer ?? 0)
            }
            unlinksInFlight = 0
        }
        sscan(Array("0".utf8))
        try connection.send(buffer)
        while true {
            let (cursor, batch) = try scanReply(try connection.receive(count: 1)[0], context: context)
            members += batch.count
            buffer.removeAll()
            if cancellation.isCancelled {
                // Stop at this batch boundary: the set keeps what is left, for the rerun.
                try collectUnlinks()
                let left = try check(try connection.send(["SCARD", RedisArgument(setKey)]), context: context).integer ?? 0
                return (members, deleted, Int(left))
            }
            let finished = cursor == Array("0".utf8)
            if !finished { sscan(cursor) }
            if !batch.isEmpty { unlink(batch) }
            if finished {
                unlink([Array(setKey.utf8)])
                buffer.append(["SREM", RedisArgument(invalidationRegistry), RedisArgument(setKey)])
            }
            try connection.send(buffer)
            // Replies arrive in order: the previous batch's UNLINK was sent after this SSCAN.
            try collectUnlinks()
            unlinksInFlight = (batch.isEmpty ? 0 : 1)
            if finished {
                try collectUnlinks()
                for reply in try connection.receive(count: 2) { try check(reply, context: context) }
                return (members, deleted, 0)
            }
        }
    }

    // MARK: tags and prune

    public func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary] {
        try TagName.validate(pattern: pattern)
        var summaries: [TagSummary] = []
        for (name, interrupted) in try tagSetNames(pattern: pattern) {
            let setKey = configuration.tagSetKey(name)
            let replies = try connection.pipeline([["SCARD", RedisArgument(setKey)], ["PTTL", RedisArgument(setKey)]])
            let members = Int(try check(replies[0], context: "Cannot read tag \"\(name)\"").integer ?? 0)
            let pttl = replies[1].integer ?? -1
            var stale: Int?
            if orphans {
                var missing = 0
                try forEachMemberBatch(of: setKey) { batch in
                    missing += try existence(of: batch).lazy.filter { !$0 }.count
                }
                stale = missing
            }
            summaries.append(TagSummary(tag: name, members: members, orphans: stale,
                                        ttlMilliseconds: pttl >= 0 ? pttl : nil, interrupted: interrupted))
        }
        return summaries
    }

    public func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune] {
        try TagName.validate(pattern: pattern)
        var reports: [TagPrune] = []
        for (name, interrupted) in try tagSetNames(pattern: pattern) {
            let setKey = configuration.tagSetKey(name)
            let context = "Cannot prune tag \"\(name)\""
            let members = Int(try check(try connection.send(["SCARD", RedisArgument(setKey)]), context: context).integer ?? 0)
            if interrupted {
                var live = 0
                if dryRun {
                    try forEachMemberBatch(of: setKey) { live += try existence(of: $0).lazy.filter { $0 }.count }
                } else {
                    live = try drain(setKey, context: context).deleted
                    try count(deletes: live, tagInvalidations: 0)
                }
                reports.append(TagPrune(tag: name, members: members, removed: members, deleted: live, interrupted: true))
                continue
            }
            var removed = 0
            let sha = dryRun ? "" : try scriptDigest(RedisScripts.removeMissingMembers)
            try forEachMemberBatch(of: setKey) { batch in
                if dryRun {
                    removed += try existence(of: batch).lazy.filter { !$0 }.count
                } else {
                    // Checked and removed atomically on the server, so a member written between
                    // our look and the SREM is never removed.
                    let command: [RedisArgument] = ["EVALSHA", RedisArgument(sha), RedisArgument(batch.count + 1), RedisArgument(setKey)]
                        + batch.map { RedisArgument(bytes: $0) }
                    removed += Int(try check(try connection.send(command), context: context).integer ?? 0)
                }
            }
            if removed > 0 { reports.append(TagPrune(tag: name, members: members, removed: removed)) }
        }
        return reports
    }

    /// Tag names under the tag prefix matching `pattern`, sorted, each with whether it is the
    /// temporary set of an interrupted invalidation. Only sets count; SCAN, never KEYS.
    private func tagSetNames(pattern: String?) throws -> [(name: String, interrupted: Bool)] {
        let prefix = RedisGlob.escape(configuration.tagPrefix)
        var globs = [prefix + (pattern ?? "*")]
        // Interrupted runs are named after their tag; a pattern for the tag must still find them.
        if let pattern, !pattern.hasSuffix("*") { globs.append(prefix + pattern + TagName.invalidatingMarker + "*") }
        var names = Set<String>()
        for glob in globs {
            try scanKeys(match: glob, type: "set") { keys in
                for key in keys {
                    let text = String(decoding: key, as: UTF8.self)
                    if text.hasPrefix(configuration.tagPrefix) { names.insert(String(text.dropFirst(configuration.tagPrefix.count))) }
                }
            }
        }
        return names.sorted().map { ($0, TagName.interruptedTag($0) != nil) }
    }

    // MARK: flush

    public func count(scope: FlushScope) throws -> Int {
        try scope.validate()
        if case .all = scope, configuration.keyPrefix.isEmpty {
            return Int(try check(try connection.send("DBSIZE"), context: "Cannot count keys").integer ?? 0)
        }
        var total = 0
        try scanKeys(match: configuration.scanGlob(for: scope), type: nil) { total += configuration.flushable($0).count }
        return total
    }

    public func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport {
        try scope.validate()
        let start = ContinuousClock.now
        let context = "Cannot flush \(scope)"
        if case .all = scope, configuration.keyPrefix.isEmpty {
            let size = Int(try check(try connection.send("DBSIZE"), context: context).integer ?? 0)
            var listed: [String] = []
            if dryRun {
                try scanKeysWhile(match: "*", type: nil, { keys in
                    for key in keys.prefix(max(0, listLimit - listed.count)) { listed.append(String(decoding: key, as: UTF8.self)) }
                    return listed.count < listLimit
                })
            } else {
                try check(try connection.send("FLUSHDB", "ASYNC"), context: context)
                try count(deletes: size, tagInvalidations: 0)
            }
            return FlushReport(scope: scope, deleted: size, keys: listed, types: try types(of: listed), seconds: secondsSince(start), dryRun: dryRun)
        }
        let match = RedisArgument(configuration.scanGlob(for: scope))
        var cursor = RedisArgument("0")
        var pending: [RedisArgument] = []
        var deleted = 0
        var listed: [String] = []
        var interrupted = false
        repeat {
            if configuration.cancellation.isCancelled {
                interrupted = true
                break
            }
            // Each round trip carries the UNLINK of the previous batch and the next SCAN step;
            // SCAN still returns every key that exists from start to end, deletions or not.
            let step: [RedisArgument] = ["SCAN", cursor, "MATCH", match, "COUNT", RedisArgument(Self.scanCount)]
            let commands = pending.isEmpty ? [step] : [["UNLINK"] + pending, step]
            let replies = try connection.pipeline(commands)
            if !pending.isEmpty { deleted += Int(try check(replies[0], context: context).integer ?? 0) }
            let (next, keys) = try scanReply(replies[replies.count - 1], context: context)
            cursor = RedisArgument(bytes: next)
            let batch = configuration.flushable(keys)
            if dryRun {
                deleted += batch.count
                for key in batch.prefix(max(0, listLimit - listed.count)) { listed.append(String(decoding: key, as: UTF8.self)) }
                pending = []
            } else {
                pending = batch.map { RedisArgument(bytes: $0) }
            }
        } while cursor.bytes != Array("0".utf8)
        if !pending.isEmpty {
            deleted += Int(try check(try connection.send(["UNLINK"] + pending), context: context).integer ?? 0)
        }
        if !dryRun { try count(deletes: deleted, tagInvalidations: 0) }
        var report = FlushReport(scope: scope, deleted: deleted, keys: listed, types: try types(of: listed), seconds: secondsSince(start), dryRun: dryRun)
        report.interrupted = interrupted
        return report
    }

    /// The TYPE of each listed store key, in one round trip (a dry run lists a few).
    private func types(of storeKeys: [String]) throws -> [String] {
        guard !storeKeys.isEmpty else { return [] }
        return try connection.pipeline(storeKeys.map { ["TYPE", RedisArgument($0)] }).map {
            try check($0, context: "Cannot read the type of a key").string ?? "unknown"
        }
    }


    // MARK: helpers

    /// Adds to `deletes` and `tag_invalidations` in one round trip; nothing when both are zero.
    private func count(deletes: Int, tagInvalidations: Int) throws {
        // A framework layout's database has no counters hash (its statsKey is empty).
        guard !configuration.statsKey.isEmpty else { return }
        var commands: [[RedisArgument]] = []
        let stats = RedisArgument(configuration.statsKey)
        if deletes > 0 { commands.append(["HINCRBY", stats, "deletes", RedisArgument(deletes)]) }
        if tagInvalidations > 0 { commands.append(["HINCRBY", stats, "tag_invalidations", RedisArgument(tagInvalidations)]) }
        for reply in try connection.pipeline(commands) { try check(reply, context: "Cannot update \(configuration.statsKey)") }
    }

    /// Calls `body` with each SCAN step's keys; `body` returns false to stop early.
    private func scanKeysWhile(match: String, type: String?, _ body: ([[UInt8]]) throws -> Bool) throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            var command: [RedisArgument] = ["SCAN", RedisArgument(bytes: cursor), "MATCH", RedisArgument(match),
                                            "COUNT", RedisArgument(Self.scanCount)]
            if let type { command += ["TYPE", RedisArgument(type)] }
            let (next, keys) = try scanReply(try connection.send(command), context: "Cannot scan keys")
            cursor = next
            if !keys.isEmpty, try !body(keys) { return }
        } while cursor != Array("0".utf8)
    }

    private func scanKeys(match: String, type: String?, _ body: ([[UInt8]]) throws -> Void) throws {
        try scanKeysWhile(match: match, type: type, { (keys: [[UInt8]]) -> Bool in
            try body(keys)
            return true
        })
    }

    /// Calls `body` with each SSCAN step's members of a set.
    func forEachMemberBatch(of setKey: String, _ body: ([[UInt8]]) throws -> Void) throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try connection.send(["SSCAN", RedisArgument(setKey), RedisArgument(bytes: cursor), "COUNT", RedisArgument(Self.tagBatch)])
            let (next, members) = try scanReply(reply, context: "Cannot read the members of \(setKey)")
            cursor = next
            if !members.isEmpty { try body(members) }
        } while cursor != Array("0".utf8)
    }

    /// Whether each key exists, by pipelined EXISTS.
    func existence(of keys: [[UInt8]]) throws -> [Bool] {
        try connection.pipeline(keys.map { ["EXISTS", RedisArgument(bytes: $0)] }).map {
            try check($0, context: "Cannot check keys").integer == 1
        }
    }

    private func scanReply(_ reply: RESPValue, context: String) throws -> (cursor: [UInt8], keys: [[UInt8]]) {
        guard let parts = try check(reply, context: context).array, parts.count == 2, let cursor = parts[0].bytes else {
            throw CacheError(.failed, "\(context): unexpected reply to SCAN")
        }
        return (cursor, (parts[1].array ?? []).compactMap(\.bytes))
    }
}
