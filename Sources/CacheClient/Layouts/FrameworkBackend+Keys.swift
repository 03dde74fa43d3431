/// `keys` and `usage` in a framework's layout: the inner Redis backend's scan over the
/// namespace (so keys are named below it, as `get` names them), with the framework's tag
/// indexes marked as such and, for `usage --by tag`, each entry's tags read from the
/// framework's own index (Symfony's tag sets, Laravel's sorted sets or reference sets).
extension FrameworkBackend: KeyScanning {
    public func keyCount() throws -> Int64 { try inner.keyCount() }

    public var samplesKeys: Bool { inner.samplesKeys }

    public func keyTypes(_ keys: [KeyInfo]) throws -> [String?] { try inner.keyTypes(keys) }

    public func scanKeys(_ filter: KeyFilter, details: KeyDetails, shouldStop: () -> Bool, scanned: (Int) -> Void,
                         _ body: ([KeyInfo]) throws -> Void) throws {
        let tags = details.contains(.tags) ? try tagsByEntry() : nil
        try inner.scanKeys(filter, details: details.subtracting(.tags), shouldStop: shouldStop, scanned: scanned) { page in
            try body(page.map { framed($0, tags: tags) })
        }
    }

    public func sampleKeys(count: Int, details: KeyDetails, shouldStop: () -> Bool, _ body: ([KeyInfo?]) throws -> Void) throws {
        let tags = details.contains(.tags) ? try tagsByEntry() : nil
        try inner.sampleKeys(count: count, details: details.subtracting(.tags), shouldStop: shouldStop) { page in
            try body(page.map { $0.map { framed($0, tags: tags) } })
        }
    }

    /// A key of the namespace with the framework's role: a tag index, or an entry with its tags.
    func framed(_ info: KeyInfo, tags: [String: [String]]?) -> KeyInfo {
        var info = info
        info.role = layout.isIndexKey(info.key) ? .tagSet : .entry
        info.tags = info.role == .entry && tags != nil ? tags?[info.key] ?? [] : nil
        return info
    }

    /// Entry key (below the namespace) → its tags, from every tag index of the namespace; indexes
    /// moved aside by an interrupted invalidation are left out (their entries are on the way out).
    func tagsByEntry() throws -> [String: [String]] {
        var indexes: [LaravelTag] = []
        switch layout.tagIndex {
        case .none: break
        case .memberSets:
            let prefix = inner.configuration.tagPrefix
            try scanKeys(match: RedisGlob.escape(prefix) + "*", type: "set") { keys in
                for key in keys where !key.contains(TagName.invalidatingMarker) {
                    indexes.append(LaravelTag(name: String(key.dropFirst(prefix.count)), sets: [key], sorted: false, interrupted: false))
                }
            }
        case .laravelSortedSets, .laravelReferenceSets:
            indexes = try laravelTags(pattern: nil).filter { !$0.interrupted }
        }
        var map: [String: [String]] = [:]
        for index in indexes {
            for set in index.sets {
                try forEachMemberBatch(of: set, sorted: index.sorted) { members in
                    for member in members {
                        // Symfony's members are whole store keys; Laravel's lack one prefix or both.
                        let whole = layout.tagIndex.isMemberSets ? member : entryKey(ofMember: member, sorted: index.sorted)
                        let key = String(decoding: whole, as: UTF8.self)
                        guard key.hasPrefix(entryPrefix) else { continue }
                        map[String(key.dropFirst(entryPrefix.count)), default: []].append(index.name)
                    }
                }
            }
        }
        return map
    }
}

extension CacheLayout.TagIndex {
    var isMemberSets: Bool {
        if case .memberSets = self { return true }
        return false
    }
}
