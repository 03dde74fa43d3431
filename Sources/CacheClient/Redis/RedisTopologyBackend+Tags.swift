import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Tag invalidation, tag listing and pruning, and scoped flushes on a cluster or Sentinel setup.
///
/// Invalidation keeps RedisBackend's race-free design: the tag set is RENAMEd aside in one
/// atomic step, to a name in the same slot — `{<tag-set>}:invalidating:<uuid>`, whose hash tag
/// is the set's own name (or the set's own hash tag when it has one) — so RENAME never meets
/// CROSSSLOT. Its members are then deleted on their own nodes, one UNLINK per key in per-node
/// pipelines sent to every node at once. Flushes and tag listings SCAN every primary (never a
/// replica, which holds the same keys again).
extension RedisTopologyBackend: TagIndexing, TagMemberWalking {
    static let tagBatch = 5000

    // MARK: invalidate

    /// The private name a tag set is moved to while its members are deleted: same slot, on a cluster.
    func temporaryName(for tagKey: String) throws -> String {
        let suffix = TagName.invalidatingMarker + UUID().uuidString.lowercased()
        guard redis.isCluster else { return tagKey + suffix }
        let hashed = HashSlot.hashedPart(of: Array(tagKey.utf8))
        let name = hashed.count == tagKey.utf8.count ? "{\(tagKey)}" + suffix : tagKey + suffix
        guard HashSlot(key: name) == HashSlot(key: tagKey) else {
            throw CacheError(.usage, "Cannot invalidate the tag set \(tagKey) on a cluster: its name holds a \"}\" without a \"{\", so no name in its slot can be made for moving it aside")
        }
        return name
    }

    public func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation {
        try TagName.validate(tag)
        let start = ContinuousClock.now
        let tagKey = configuration.tagSetKey(tag)
        let context = "Cannot invalidate tag \"\(tag)\""
        if dryRun {
            let members = Int(try redis.send(["SCARD", RedisArgument(tagKey)]).checked(context: context).integer ?? 0)
            return try previewInvalidation(tag: tag, tagKey: tagKey, members: members, listLimit: listLimit, start: start)
        }
        let temporary = try temporaryName(for: tagKey)
        let rename = try redis.send(["RENAME", RedisArgument(tagKey), RedisArgument(temporary)])
        if let message = rename.errorMessage, message.lowercased().contains("no such key") {
            return TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: secondsSince(start), dryRun: false)
        }
        try rename.checked(context: context)
        let (members, deleted) = try drain(temporary, context: context)
        try count(field: "deletes", deleted)
        try count(field: "tag_invalidations", 1)
        return TagInvalidation(tag: tag, existed: true, deleted: deleted, members: members, seconds: secondsSince(start), dryRun: false)
    }

    /// Deletes every member of a private set on its own node, then the set; returns the members
    /// seen and the keys that existed. One SSCAN step at a time: memory stays bounded.
    func drain(_ setKey: String, context: String) throws -> (members: Int, deleted: Int) {
        var members = 0
        var deleted = 0
        try forEachMemberBatch(of: setKey) { batch in
            members += batch.count
            deleted += try unlink(batch, context: context)
        }
        try redis.send(["UNLINK", RedisArgument(setKey)]).checked(context: context)
        return (members, deleted)
    }

    /// UNLINKs keys on their own nodes, every node's pipeline in flight at once; returns how many existed.
    func unlink(_ keys: [[UInt8]], context: String) throws -> Int {
        var batch = redis.batch()
        for key in keys {
            batch.begin(key: key, arguments: 2)
            batch.add("UNLINK")
            batch.add(key)
        }
        var deleted = 0
        for reply in try redis.run(batch) { deleted += Int(try reply.checked(context: context).integer ?? 0) }
        return deleted
    }

    // MARK: tags and prune

    public func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary] {
        try TagName.validate(pattern: pattern)
        var summaries: [TagSummary] = []
        for (name, setKey, interrupted) in try tagSets(pattern: pattern) {
            let replies = try redis.pipeline([["SCARD", RedisArgument(setKey)], ["PTTL", RedisArgument(setKey)]])
            let members = Int(try replies[0].checked(context: "Cannot read tag \"\(name)\"").integer ?? 0)
            let pttl = replies[1].integer ?? -1
            var stale: Int?
            if orphans {
                var missing = 0
                try forEachMemberBatch(of: setKey) { missing += try existence(of: $0).lazy.filter { !$0 }.count }
                stale = missing
            }
            summaries.append(TagSummary(tag: name, members: members, orphans: stale, ttlMilliseconds: pttl >= 0 ? pttl : nil,
                                        interrupted: interrupted))
        }
        return summaries
    }

    /// Removes members whose entries are gone. Without a script spanning nodes the check and the
    /// removal are two steps: a member whose entry reappears in between is added back at once.
    public func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune] {
        try TagName.validate(pattern: pattern)
        var reports: [TagPrune] = []
        for (name, setKey, interrupted) in try tagSets(pattern: pattern) {
            let context = "Cannot prune tag \"\(name)\""
            let members = Int(try redis.send(["SCARD", RedisArgument(setKey)]).checked(context: context).integer ?? 0)
            if interrupted {
                var live = 0
                if dryRun {
                    try forEachMemberBatch(of: setKey) { live += try existence(of: $0).lazy.filter { $0 }.count }
                } else {
                    live = try drain(setKey, context: context).deleted
                    try count(field: "deletes", live)
                }
                reports.append(TagPrune(tag: name, members: members, removed: members, deleted: live, interrupted: true))
                continue
            }
            var stale: [[UInt8]] = []
            try forEachMemberBatch(of: setKey) { batch in
                for (member, exists) in zip(batch, try existence(of: batch)) where !exists { stale.append(member) }
            }
            guard !stale.isEmpty else { continue }
            if !dryRun {
                for chunk in stale.chunks(of: Self.tagBatch) {
                    try redis.send(["SREM", RedisArgument(setKey)] + chunk.map { RedisArgument(bytes: $0) }).checked(context: context)
                    let back = zip(chunk, try existence(of: Array(chunk))).filter(\.1).map(\.0)
                    if !back.isEmpty {
                        try redis.send(["SADD", RedisArgument(setKey)] + back.map { RedisArgument(bytes: $0) }).checked(context: context)
                    }
                }
            }
            reports.append(TagPrune(tag: name, members: members, removed: stale.count))
        }
        return reports
    }

    /// Tag sets under the tag prefix matching `pattern`, from every primary, sorted by name: the
    /// tag's name, the set's key, and whether it is the set of an interrupted invalidation.
    func tagSets(pattern: String?) throws -> [(name: String, key: String, interrupted: Bool)] {
        let prefix = RedisGlob.escape(configuration.tagPrefix)
        var globs = [prefix + (pattern ?? "*"), "\\{" + prefix + (pattern ?? "*") + "\\}" + TagName.invalidatingMarker + "*"]
        if let pattern, !pattern.hasSuffix("*") { globs.append(prefix + pattern + TagName.invalidatingMarker + "*") }
        var found: [String: String] = [:]
        for primary in redis.primaries {
            for glob in globs {
                try scan(node: primary, match: glob, type: "set") { keys in
                    for key in keys {
                        var text = String(decoding: key, as: UTF8.self)
                        let stored = text
                        if text.hasPrefix("{"), let close = text.firstIndex(of: "}") {
                            text = String(text[text.index(after: text.startIndex)..<close]) + text[text.index(after: close)...]
                        }
                        if text.hasPrefix(configuration.tagPrefix) { found[String(text.dropFirst(configuration.tagPrefix.count))] = stored }
                    }
                }
            }
        }
        return found.keys.sorted().map { ($0, found[$0]!, TagName.interruptedTag($0) != nil) }
    }

    // MARK: flush

    public func count(scope: FlushScope) throws -> Int {
        try scope.validate()
        var total = 0
        for primary in redis.primaries {
            if case .all = scope, configuration.keyPrefix.isEmpty {
                total += Int(try redis.send(["DBSIZE"], to: primary).checked(context: "Cannot count keys").integer ?? 0)
            } else {
                try scan(node: primary, match: configuration.scanGlob(for: scope), type: nil) { total += configuration.flushable($0).count }
            }
        }
        return total
    }

    /// Passes over every primary are repeated while slots move during one (a live reshard can
    /// carry a key from a primary not yet scanned to one already scanned), up to `movingPasses`.
    public func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport {
        try scope.validate()
        let start = ContinuousClock.now
        let context = "Cannot flush \(scope)"
        var deleted = 0
        var listed: [String] = []
        if case .all = scope, configuration.keyPrefix.isEmpty, !dryRun {
            for primary in redis.primaries {
                let size = Int(try redis.send(["DBSIZE"], to: primary).checked(context: context).integer ?? 0)
                try redis.send(["FLUSHDB", "ASYNC"], to: primary).checked(context: "\(context) on \(primary)")
                deleted += size
            }
        } else {
            var before = try redis.slotMovement()
            for pass in 1...Self.movingPasses {
                for primary in before.map.primaries {
                    try scan(node: primary, match: configuration.scanGlob(for: scope), type: nil) { keys in
                        let batch = configuration.flushable(keys)
                        if dryRun {
                            deleted += batch.count
                            for key in batch.prefix(max(0, listLimit - listed.count)) { listed.append(String(decoding: key, as: UTF8.self)) }
                        } else {
                            // Routed per key, not sent back to the node SCAN came from: during a
                            // reshard a key may have moved on since.
                            deleted += try unlink(batch, context: context)
                        }
                    }
                }
                let after = try redis.slotMovement()
                if dryRun || (after == before && !after.isMoving) || pass == Self.movingPasses { break }
                before = after
            }
        }
        if !dryRun { try count(field: "deletes", deleted) }
        return FlushReport(scope: scope, deleted: deleted, keys: listed, seconds: secondsSince(start), dryRun: dryRun)
    }

    /// Most passes of a flush while slots keep moving.
    static let movingPasses = 50


    // MARK: helpers

    func forEachMemberBatch(of setKey: String, _ body: ([[UInt8]]) throws -> Void) throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try redis.send(["SSCAN", RedisArgument(setKey), RedisArgument(bytes: cursor), "COUNT", RedisArgument(Self.tagBatch)])
                .checked(context: "Cannot read the members of \(setKey)")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes else {
                throw CacheError(.failed, "Cannot read the members of \(setKey): unexpected reply to SSCAN")
            }
            cursor = next
            let members = (parts[1].array ?? []).compactMap(\.bytes)
            if !members.isEmpty { try body(members) }
        } while cursor != Array("0".utf8)
    }

    func existence(of keys: [[UInt8]]) throws -> [Bool] {
        var batch = redis.batch()
        for key in keys {
            batch.begin(key: key, arguments: 2)
            batch.add("EXISTS")
            batch.add(key)
        }
        return try redis.run(batch).map { try $0.checked(context: "Cannot check keys").integer == 1 }
    }
}
