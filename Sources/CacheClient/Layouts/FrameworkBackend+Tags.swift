import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Tags and flushes in a framework's layout, each following the framework's own structure and
/// algorithm, with cachectl's guarantees: a tag's index is moved aside (or, for Laravel 9 and
/// earlier, its id rotated) in one atomic step before anything is deleted, so entries tagged
/// while an invalidation runs are never lost; what an interrupted run leaves, `tags` shows and
/// `tags prune` finishes; counts are what Redis reported deleting.
///
/// - Symfony: tag sets of full keys, invalidated like the seeds' sets (never given an expiry).
/// - Laravel 10+: `tag:<name>:entries` sorted sets, RENAMEd aside, then walked with ZSCAN.
/// - Laravel 9 and earlier: the tag's id in `tag:<name>:key` is replaced with a new one
///   (`SET … GET`, as `TagSet::resetTag` does), then the old id's reference sets are drained.
extension FrameworkBackend: TagIndexing {
    static let batch = 2000

    // MARK: invalidate

    public func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation {
        try TagName.validate(tag)
        try layout.validate(tags: [tag])
        let start = ContinuousClock.now
        let context = "Cannot invalidate tag \"\(tag)\""
        switch layout.tagIndex {
        case .none, .memberSets:
            return try inner.invalidate(tag: tag, dryRun: dryRun, listLimit: listLimit)
        case .laravelSortedSets(let prefix):
            let zset = configuration.keyPrefix + prefix + "tag:\(tag):entries"
            let size = Int(try inner.check(try connection.send(["ZCARD", RedisArgument(zset)]), context: context).integer ?? 0)
            if dryRun {
                let (live, listed) = try liveMembers(of: [zset], sorted: true, listLimit: listLimit)
                return TagInvalidation(tag: tag, existed: size > 0, deleted: live, members: size, keys: listed,
                                       seconds: secondsSince(start), dryRun: true)
            }
            let aside = zset + TagName.invalidatingMarker + UUID().uuidString.lowercased()
            let reply = try connection.send(["RENAME", RedisArgument(zset), RedisArgument(aside)])
            if let message = reply.errorMessage, message.lowercased().contains("no such key") {
                return TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: secondsSince(start), dryRun: false)
            }
            try inner.check(reply, context: context)
            let (members, deleted) = try drain([aside], sorted: true, context: context)
            return TagInvalidation(tag: tag, existed: true, deleted: deleted, members: members, seconds: secondsSince(start), dryRun: false)
        case .laravelReferenceSets:
            if dryRun {
                guard let id = try currentTagID(tag, create: false) else {
                    return TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: secondsSince(start), dryRun: true)
                }
                let sets = referenceSets(of: id)
                let size = try sets.reduce(0) { $0 + Int(try inner.check(try connection.send(["SCARD", RedisArgument($1)]), context: context).integer ?? 0) }
                let (live, listed) = try liveMembers(of: sets, sorted: false, listLimit: listLimit)
                return TagInvalidation(tag: tag, existed: true, deleted: live, members: size, keys: listed, seconds: secondsSince(start), dryRun: true)
            }
            // The rotation: from this reply on, every reader and writer of the tag uses the new id.
            let idKey = tagIDKey(tag)
            let newID = Self.newTagID()
            let reply = try inner.check(try connection.send(["SET", RedisArgument(idKey), RedisArgument(bytes: try layout.codec.encode(.string(newID))), "GET"]),
                                        context: context)
            tagIDs[tag] = newID
            guard case .bulk(let stored) = reply, let oldID = Self.tagID(decoding: stored, codec: layout.codec) else {
                return TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: secondsSince(start), dryRun: false)
            }
            let (members, deleted) = try drain(referenceSets(of: oldID), sorted: false, context: context)
            return TagInvalidation(tag: tag, existed: true, deleted: deleted, members: members, seconds: secondsSince(start), dryRun: false)
        }
    }

    // MARK: tags and prune

    public func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary] {
        try TagName.validate(pattern: pattern)
        switch layout.tagIndex {
        case .none: return []
        case .memberSets: return try inner.tagSummaries(pattern: pattern, orphans: orphans)
        case .laravelSortedSets, .laravelReferenceSets:
            return try laravelTags(pattern: pattern).map { tag in
                let size = try tag.sets.reduce(0) { $0 + (try cardinality(of: $1, sorted: tag.sorted)) }
                let stale = orphans ? try tag.sets.reduce(0) { total, set in total + (try liveMembers(of: [set], sorted: tag.sorted, listLimit: 0).live) } : nil
                return TagSummary(tag: tag.name, members: size, orphans: stale.map { size - $0 }, interrupted: tag.interrupted)
            }
        }
    }

    public func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune] {
        try TagName.validate(pattern: pattern)
        switch layout.tagIndex {
        case .none: return []
        case .memberSets: return try inner.pruneTags(pattern: pattern, dryRun: dryRun)
        case .laravelSortedSets, .laravelReferenceSets:
            var reports: [TagPrune] = []
            for tag in try laravelTags(pattern: pattern) {
                let context = "Cannot prune tag \"\(tag.name)\""
                let size = try tag.sets.reduce(0) { $0 + (try cardinality(of: $1, sorted: tag.sorted)) }
                if tag.interrupted {
                    let live = dryRun ? try liveMembers(of: tag.sets, sorted: tag.sorted, listLimit: 0).live
                                      : try drain(tag.sets, sorted: tag.sorted, context: context).deleted
                    reports.append(TagPrune(tag: tag.name, members: size, removed: size, deleted: live, interrupted: true))
                    continue
                }
                var removed = 0
                for set in tag.sets { removed += try removeMissingMembers(of: set, sorted: tag.sorted, dryRun: dryRun, context: context) }
                if removed > 0 { reports.append(TagPrune(tag: tag.name, members: size, removed: removed)) }
            }
            return reports
        }
    }

    // MARK: flush

    public func count(scope: FlushScope) throws -> Int {
        try scope.validate()
        var total = 0
        try scanKeys(match: match(for: scope)) { total += flushable($0, scope: scope).count }
        return total
    }

    /// Deletes the entries in scope; `--all` deletes the namespace's tag indexes too, as the
    /// frameworks' own `clear()`/`flush()` do, while a pattern or prefix leaves them.
    public func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport {
        try scope.validate()
        let start = ContinuousClock.now
        let context = "Cannot flush \(scope)"
        var deleted = 0
        var listed: [String] = []
        try scanKeys(match: match(for: scope)) { keys in
            let batch = flushable(keys, scope: scope)
            if dryRun {
                deleted += batch.count
                listed += batch.prefix(max(0, listLimit - listed.count))
            } else if !batch.isEmpty {
                deleted += Int(try inner.check(try connection.send(["UNLINK"] + batch.map { RedisArgument($0) }), context: context).integer ?? 0)
            }
        }
        return FlushReport(scope: scope, deleted: deleted, keys: listed, seconds: secondsSince(start), dryRun: dryRun)
    }

    func match(for scope: FlushScope) -> String {
        let base = RedisGlob.escape(entryPrefix)
        switch scope {
        case .pattern(let glob): return base + glob
        case .prefix(let prefix): return base + RedisGlob.escape(prefix) + "*"
        case .all: return base + "*"
        }
    }

    func flushable(_ keys: [String], scope: FlushScope) -> [String] {
        if case .all = scope { return keys }
        return keys.filter { !layout.isIndexKey($0.dropFirst(entryPrefix.count)) }
    }

    /// Tag indexes (sets and sorted sets) that are not entries, for `stats`.
    func countTags(indexKeys: Int64) throws -> Int64 {
        switch layout.tagIndex {
        case .none: return 0
        case .memberSets: return indexKeys
        case .laravelSortedSets, .laravelReferenceSets: return Int64(try laravelTags(pattern: nil).count)
        }
    }

    // MARK: Laravel tag structures

    struct LaravelTag {
        var name: String
        var sets: [String]
        var sorted: Bool
        var interrupted: Bool
    }

    /// Laravel's tags matching `pattern`: 10+ by their sorted sets (and sets moved aside by an
    /// interrupted invalidation); 9 and earlier by their id keys, plus reference sets of ids no
    /// tag holds any more (left by an interrupted invalidation), named `id:<id>`.
    func laravelTags(pattern: String?) throws -> [LaravelTag] {
        let base = entryPrefix + "tag:"
        var tags: [LaravelTag] = []
        switch layout.tagIndex {
        case .laravelSortedSets:
            try scanKeys(match: RedisGlob.escape(base) + "*", type: "zset") { keys in
                for key in keys {
                    let rest = String(key.dropFirst(base.count))
                    if rest.hasSuffix(":entries") {
                        let name = String(rest.dropLast(":entries".count))
                        if pattern.map({ RedisGlob.matches($0, name) }) ?? true { tags.append(LaravelTag(name: name, sets: [key], sorted: true, interrupted: false)) }
                    } else if let range = rest.lastRange(of: ":entries" + TagName.invalidatingMarker) {
                        let name = String(rest[..<range.lowerBound])
                        if pattern.map({ RedisGlob.matches($0, name) }) ?? true {
                            tags.append(LaravelTag(name: name + TagName.invalidatingMarker + rest[range.upperBound...], sets: [key], sorted: true, interrupted: true))
                        }
                    }
                }
            }
        case .laravelReferenceSets:
            var current = Set<String>()
            try scanKeys(match: RedisGlob.escape(base) + "*:key", type: "string") { keys in
                for key in keys {
                    let name = String(key.dropFirst(base.count).dropLast(":key".count))
                    guard let id = try currentTagID(name, create: false) else { continue }
                    current.insert(id)
                    if pattern.map({ RedisGlob.matches($0, name) }) ?? true {
                        tags.append(LaravelTag(name: name, sets: referenceSets(of: id), sorted: false, interrupted: false))
                    }
                }
            }
            var stale = Set<String>()
            for suffix in [":standard_ref", ":forever_ref"] {
                try scanKeys(match: RedisGlob.escape(entryPrefix) + "*" + suffix, type: "set") { keys in
                    for key in keys {
                        let id = String(key.dropFirst(entryPrefix.count).dropLast(suffix.count))
                        if !current.contains(id), pattern == nil { stale.insert(id) }
                    }
                }
            }
            tags += stale.sorted().map { LaravelTag(name: "id:" + $0, sets: referenceSets(of: $0), sorted: false, interrupted: true) }
        default: break
        }
        return tags.sorted { $0.name < $1.name }
    }

    func tagIDKey(_ tag: String) -> String { entryPrefix + "tag:\(tag):key" }

    func referenceSets(of id: String) -> [String] {
        [entryPrefix + id + ":standard_ref", entryPrefix + id + ":forever_ref"]
    }

    /// The tag's current id (`TagSet::tagId`), created as Laravel creates it when missing.
    func currentTagID(_ tag: String, create: Bool = true) throws -> String? {
        if let id = tagIDs[tag] { return id }
        let key = tagIDKey(tag)
        let context = "Cannot read the id of tag \"\(tag)\""
        var reply = try inner.check(try connection.send(["GET", RedisArgument(key)]), context: context)
        if reply == .null, create {
            // SET NX: when two writers race, both end up with the one id that won.
            let encoded = try layout.codec.encode(.string(Self.newTagID()))
            reply = try inner.check(try connection.pipeline([["SET", RedisArgument(key), RedisArgument(bytes: encoded), "NX"], ["GET", RedisArgument(key)]])[1],
                                    context: context)
        }
        guard case .bulk(let stored) = reply else { return nil }
        guard let id = Self.tagID(decoding: stored, codec: layout.codec) else {
            throw CacheError(.badInput, "\(context): \(key) does not hold a tag id")
        }
        tagIDs[tag] = id
        return id
    }

    func currentTagID(_ tag: String) throws -> String {
        guard let id = try currentTagID(tag, create: true) else { throw CacheError(.failed, "Cannot create an id for tag \"\(tag)\"") }
        return id
    }

    static func tagID(decoding stored: [UInt8], codec: ValueCodec) -> String? {
        switch try? codec.decode(stored).value {
        case .string(let id): return id
        case .int(let number): return String(number)
        default: return nil
        }
    }

    /// An id as `str_replace('.', '', uniqid('', true))` makes them: 8 + 5 hex digits of the
    /// time, 9 more digits.
    static func newTagID() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        func hex(_ value: Int, width: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let digits = (0..<9).map { _ in String(Int.random(in: 0...9)) }.joined()
        return hex(now.tv_sec, width: 8) + hex(now.tv_nsec / 1000, width: 5) + digits
    }

    // MARK: walking index members

    func cardinality(of key: String, sorted: Bool) throws -> Int {
        Int(try inner.check(try connection.send([sorted ? "ZCARD" : "SCARD", RedisArgument(key)]), context: "Cannot read \(key)").integer ?? 0)
    }

    /// The entry key a member of an index names: Laravel's members lack the connection prefix
    /// (10+: and the store prefix).
    func entryKey(ofMember member: [UInt8], sorted: Bool) -> [UInt8] {
        sorted ? Array(entryPrefix.utf8) + member : Array(configuration.keyPrefix.utf8) + member
    }

    /// Calls `body` with each scan step's members of a set or sorted set.
    func forEachMemberBatch(of key: String, sorted: Bool, _ body: ([[UInt8]]) throws -> Void) throws {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try inner.check(try connection.send([sorted ? "ZSCAN" : "SSCAN", RedisArgument(key), RedisArgument(bytes: cursor),
                                                             "COUNT", RedisArgument(Self.batch)]), context: "Cannot read the members of \(key)")
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes else {
                throw CacheError(.failed, "Cannot read the members of \(key): unexpected reply")
            }
            cursor = next
            var members = (parts[1].array ?? []).compactMap(\.bytes)
            if sorted { members = stride(from: 0, to: members.count, by: 2).map { members[$0] } }  // member, score pairs
            if !members.isEmpty { try body(members) }
        } while cursor != Array("0".utf8)
    }

    /// How many members of the indexes name existing entries, and up to `listLimit` of those keys.
    func liveMembers(of keys: [String], sorted: Bool, listLimit: Int) throws -> (live: Int, listed: [String]) {
        var live = 0
        var listed: [String] = []
        for key in keys {
            try forEachMemberBatch(of: key, sorted: sorted) { members in
                let entryKeys = members.map { entryKey(ofMember: $0, sorted: sorted) }
                let replies = try connection.pipeline(entryKeys.map { ["EXISTS", RedisArgument(bytes: $0)] })
                for (entryKey, reply) in zip(entryKeys, replies) where try inner.check(reply, context: "Cannot check keys").integer == 1 {
                    live += 1
                    if listed.count < listLimit { listed.append(String(decoding: entryKey, as: UTF8.self)) }
                }
            }
        }
        return (live, listed)
    }

    /// UNLINKs the entries the indexes name, in batches, then the indexes; returns the members
    /// seen and the entries that existed. Nobody else writes to these indexes any more (moved
    /// aside, or of an id no longer current), so the scan sees every member once.
    func drain(_ keys: [String], sorted: Bool, context: String) throws -> (members: Int, deleted: Int) {
        var members = 0
        var deleted = 0
        for key in keys {
            try forEachMemberBatch(of: key, sorted: sorted) { batch in
                members += batch.count
                let reply = try connection.send(["UNLINK"] + batch.map { RedisArgument(bytes: entryKey(ofMember: $0, sorted: sorted)) })
                deleted += Int(try inner.check(reply, context: context).integer ?? 0)
            }
        }
        try inner.check(try connection.send(["UNLINK"] + keys.map { RedisArgument($0) }), context: context)
        return (members, deleted)
    }

    /// Removes members whose entries are gone, checked and removed atomically on the server.
    func removeMissingMembers(of key: String, sorted: Bool, dryRun: Bool, context: String) throws -> Int {
        var removed = 0
        try forEachMemberBatch(of: key, sorted: sorted) { members in
            let entryKeys = members.map { RedisArgument(bytes: entryKey(ofMember: $0, sorted: sorted)) }
            if dryRun {
                for reply in try connection.pipeline(entryKeys.map { ["EXISTS", $0] }) where try inner.check(reply, context: context).integer == 0 {
                    removed += 1
                }
                return
            }
            let command: [RedisArgument] = ["EVAL", RedisArgument(FrameworkScripts.removeMissingMembers), RedisArgument(entryKeys.count + 1),
                                            RedisArgument(key)] + entryKeys + [RedisArgument(sorted ? "ZREM" : "SREM")] + members.map { RedisArgument(bytes: $0) }
            removed += Int(try inner.check(try connection.send(command), context: context).integer ?? 0)
        }
        return removed
    }
}

extension FrameworkScripts {
    /// KEYS[1] = index, KEYS[2…] = entry keys; ARGV[1] = "SREM" or "ZREM", ARGV[2…] = the members
    /// naming those entries. Removes each member whose entry is gone; returns how many.
    static let removeMissingMembers = """
        local removed = 0
        for i = 2, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 0 then
            removed = removed + redis.call(ARGV[1], KEYS[1], ARGV[i])
          end
        end
        return removed
        """
}
