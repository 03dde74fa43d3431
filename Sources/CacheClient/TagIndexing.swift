/// Tag indexes and scoped flushes: what `invalidate-tag`, `tags` and `flush` need from a backend.
///
/// Every backend conforms (Redis, the snapshot file and `dummy:`). Writes count themselves in the
/// app counters (`deletes`, `tag_invalidations`) once per batch, never per key; dry runs change
/// nothing and count nothing.
public protocol TagIndexing: CacheBackend {
    /// Deletes every entry of `tag` and the tag's index; members added while it runs stay indexed.
    ///
    /// A missing tag is not an error: nothing is deleted. With `dryRun`, nothing changes and the
    /// report lists up to `listLimit` of the store keys that would go. Throws `.usage` for an empty tag.
    func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation

    /// Lists the tags whose names match `pattern` (a glob; nil = all) with their member counts,
    /// sorted by name; with `orphans`, also how many members no longer exist.
    func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary]

    /// Removes members whose entries are gone from the tags matching `pattern`, and finishes
    /// interrupted invalidations; one report per tag that had anything to remove.
    func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune]

    /// How many keys `flush(scope:)` would delete now.
    func count(scope: FlushScope) throws -> Int

    /// Deletes the keys in `scope` in batches (never Redis KEYS); with `dryRun`, only counts and
    /// lists up to `listLimit` of them. Throws `.usage` for an empty pattern or prefix.
    func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport
}

extension TagIndexing {
    /// Invalidates each tag in order; after a cancellation, the tags not begun are left out of the result.
    public func invalidate(tags: [String], dryRun: Bool = false, listLimit: Int = 100) throws -> [TagInvalidation] {
        for tag in tags { try TagName.validate(tag) }
        var reports: [TagInvalidation] = []
        for tag in tags {
            if configuration.cancellation.isCancelled { break }
            let report = try invalidate(tag: tag, dryRun: dryRun, listLimit: listLimit)
            reports.append(report)
            if report.interrupted { break }
        }
        return reports
    }
}

/// Checks on tag names and tag patterns shared by every backend.
public enum TagName {
    /// Suffix inserted between a tag set's name and a UUID while it is being invalidated.
    static let invalidatingMarker = ":invalidating:"

    /// Throws a usage error for an empty tag name.
    public static func validate(_ tag: String) throws {
        if tag.isEmpty {
            throw CacheError(.usage, "A tag name must not be empty", hint: "name the tag, e.g. cachectl invalidate-tag articles")
        }
    }

    /// Throws a usage error for an empty `--pattern`.
    public static func validate(pattern: String?) throws {
        if pattern?.isEmpty == true {
            throw CacheError(.usage, "--pattern must not be empty", hint: "leave it out to list every tag")
        }
    }

    /// Splits a tag name of the form `<tag>:invalidating:<uuid>` into the tag; nil for ordinary names.
    static func interruptedTag(_ name: String) -> String? {
        guard let range = name.lastRange(of: invalidatingMarker) else { return nil }
        let uuid = name[range.upperBound...]
        guard uuid.count == 36, UUIDText.isUUID(String(uuid)) else { return nil }
        return String(name[..<range.lowerBound])
    }
}

/// UUID text without Foundation's parser dependency on locale.
enum UUIDText {
    static func isUUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}

/// Seconds since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).seconds
}

/// A Redis tag index read member by member: the single-server and cluster backends walk a tag
/// set in batches and ask which members still exist, so a dry run is written once over both.
protocol TagMemberWalking {
    /// Calls `body` with batches of the set's members.
    func forEachMemberBatch(of setKey: String, _ body: ([[UInt8]]) throws -> Void) throws
    /// Whether each key exists.
    func existence(of keys: [[UInt8]]) throws -> [Bool]
}

extension TagMemberWalking {
    /// What invalidating the tag would delete: its live members, the first `listLimit` by name.
    func previewInvalidation(tag: String, tagKey: String, members: Int, listLimit: Int,
                             start: ContinuousClock.Instant) throws -> TagInvalidation {
        var live = 0
        var listed: [String] = []
        try forEachMemberBatch(of: tagKey) { batch in
            for (member, exists) in zip(batch, try existence(of: batch)) where exists {
                live += 1
                if listed.count < listLimit { listed.append(String(decoding: member, as: UTF8.self)) }
            }
        }
        return TagInvalidation(tag: tag, existed: members > 0, deleted: live, members: members, keys: listed,
                               seconds: secondsSince(start), dryRun: true)
    }
}
