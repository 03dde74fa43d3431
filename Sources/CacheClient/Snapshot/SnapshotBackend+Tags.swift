/// Tag invalidation, tag listing and pruning, and scoped flushes in the snapshot file.
///
/// Each operation is one transaction: the entries of a tag, every tag row of those entries and the
/// counters change together or not at all, and a writer in another process waits for the lock
/// instead of interleaving (so no membership is lost). Stale tag rows only arise from expired
/// entries here, because deletes remove an entry's tag rows with it.
extension SnapshotBackend: TagIndexing {
    // MARK: invalidate

    public func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation {
        try TagName.validate(tag)
        let start = ContinuousClock.now
        let members = "SELECT key FROM tags WHERE tag = ?2"
        let live = "key IN (\(members)) AND \(Self.liveCondition(nowParameter: 1))"
        let body = { (database: SQLiteDatabase) throws -> TagInvalidation in
            let now = self.nowMilliseconds()
            let memberCount = Int(try database.scalar("SELECT count(*) FROM tags WHERE tag = ?1", [.text(tag)])?.integerValue ?? 0)
            let deleted = Int(try database.scalar("SELECT count(*) FROM entries WHERE \(live)", [.integer(now), .text(tag)])?.integerValue ?? 0)
            var keys: [String] = []
            if dryRun {
                try database.query("SELECT key FROM entries WHERE \(live) ORDER BY key LIMIT ?3",
                                   [.integer(now), .text(tag), .integer(Int64(listLimit))]) { keys.append($0.text(0)) }
            } else if memberCount > 0 {
                try database.execute(Self.deleteLargeValues(where: "key IN (\(members))"), [.null, .text(tag)])
                try database.execute("DELETE FROM entries WHERE key IN (\(members))", [.null, .text(tag)])
                // Every membership of the deleted entries goes too, the tag's own rows included.
                try database.execute("DELETE FROM tags WHERE key IN (\(members))", [.null, .text(tag)])
                try self.addToCounters(["deletes": Int64(deleted), "tag_invalidations": 1], in: database)
            }
            return TagInvalidation(tag: tag, existed: memberCount > 0, deleted: deleted, members: memberCount, keys: keys,
                                   seconds: 0, dryRun: dryRun)
        }
        var report = try dryRun || existingDatabase() == nil
            ? try read(empty: TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: 0, dryRun: dryRun), body)
            : try transaction(body)
        report.seconds = secondsSince(start)
        return report
    }

    // MARK: tags and prune

    public func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary] {
        try TagName.validate(pattern: pattern)
        return try read(empty: []) { database in
            var summaries: [TagSummary] = []
            let sql = """
                SELECT t.tag, count(*), sum(CASE WHEN e.key IS NULL OR NOT \(Self.liveCondition(nowParameter: 1)) THEN 1 ELSE 0 END)
                FROM tags t LEFT JOIN entries e ON e.key = t.key
                WHERE t.tag GLOB ?2 GROUP BY t.tag ORDER BY t.tag
                """
            try database.query(sql, [.integer(nowMilliseconds()), .text(SQLiteGlob.translate(pattern ?? "*"))]) { row in
                summaries.append(TagSummary(tag: row.text(0), members: Int(row.integer(1)),
                                            orphans: orphans ? Int(row.integer(2)) : nil))
            }
            return summaries
        }
    }

    public func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune] {
        try TagName.validate(pattern: pattern)
        let body = { (database: SQLiteDatabase) throws -> [TagPrune] in
            let now = self.nowMilliseconds()
            let stale = "NOT EXISTS (SELECT 1 FROM entries e WHERE e.key = tags.key AND \(Self.liveCondition(nowParameter: 1)))"
            var reports: [TagPrune] = []
            let bindings: [SQLiteValue] = [.integer(now), .text(SQLiteGlob.translate(pattern ?? "*"))]
            try database.query("""
                SELECT tag, count(*), sum(CASE WHEN \(stale) THEN 1 ELSE 0 END) FROM tags
                WHERE tag GLOB ?2 GROUP BY tag ORDER BY tag
                """, bindings) { row in
                if row.integer(2) > 0 { reports.append(TagPrune(tag: row.text(0), members: Int(row.integer(1)), removed: Int(row.integer(2)))) }
            }
            if !dryRun, !reports.isEmpty {
                try database.execute("DELETE FROM tags WHERE tag GLOB ?2 AND \(stale)", bindings)
            }
            return reports
        }
        if try dryRun || existingDatabase() == nil { return try read(empty: [], body) }
        // Not `transaction`: its purge of expired entries would take their tag rows first and
        // leave this report saying nothing was stale.
        let database = try writableDatabase()
        return try database.writeTransaction { try body(database) }
    }

    // MARK: flush

    public func count(scope: FlushScope) throws -> Int {
        try scope.validate()
        return try read(empty: 0) { database in
            let (condition, bindings) = scopeCondition(scope)
            return Int(try database.scalar("SELECT count(*) FROM entries WHERE \(condition) AND \(Self.liveCondition(nowParameter: 1))",
                                           [.integer(nowMilliseconds())] + bindings)?.integerValue ?? 0)
        }
    }

    public func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport {
        try scope.validate()
        let start = ContinuousClock.now
        let (condition, scopeBindings) = scopeCondition(scope)
        let body = { (database: SQLiteDatabase) throws -> FlushReport in
            let bindings = [SQLiteValue.integer(self.nowMilliseconds())] + scopeBindings
            let live = "\(condition) AND \(Self.liveCondition(nowParameter: 1))"
            let deleted = Int(try database.scalar("SELECT count(*) FROM entries WHERE \(live)", bindings)?.integerValue ?? 0)
            var keys: [String] = []
            if dryRun {
                try database.query("SELECT key FROM entries WHERE \(live) ORDER BY key LIMIT \(max(0, listLimit))", bindings) {
                    keys.append($0.text(0))
                }
            } else if case .all = scope, self.configuration.keyPrefix.isEmpty {
                try database.execute("DELETE FROM tags")
                try database.execute("DELETE FROM large_values")
                try database.execute("DELETE FROM entries")
                try self.addToCounters(["deletes": Int64(deleted)], in: database)
            } else {
                // Expired rows in scope go too; only live ones count as deleted.
                try database.execute("DELETE FROM tags WHERE key IN (SELECT key FROM entries WHERE \(condition))", bindings)
                try database.execute(Self.deleteLargeValues(where: condition), bindings)
                try database.execute("DELETE FROM entries WHERE \(condition)", bindings)
                try self.addToCounters(["deletes": Int64(deleted)], in: database)
            }
            return FlushReport(scope: scope, deleted: deleted, keys: keys, seconds: 0, dryRun: dryRun)
        }
        var report = try dryRun || existingDatabase() == nil
            ? try read(empty: FlushReport(scope: scope, deleted: 0, seconds: 0, dryRun: dryRun), body)
            : try transaction(body)
        report.seconds = secondsSince(start)
        return report
    }

    /// The SQL condition on `entries.key` for a scope, its parameters numbered from ?2
    /// (?1 is the current time).
    private func scopeCondition(_ scope: FlushScope) -> (String, [SQLiteValue]) {
        let prefix: String
        switch scope {
        case .pattern(let glob):
            return ("key GLOB ?2", [.text(SQLiteGlob.literal(configuration.keyPrefix) + SQLiteGlob.translate(glob))])
        case .prefix(let literal): prefix = configuration.keyPrefix + literal
        case .all: prefix = configuration.keyPrefix
        }
        guard let range = Self.keyRange(prefix: prefix) else { return ("1", []) }
        return ("key >= ?2 AND key < ?3", [range.lower, range.upper])
    }
}

/// Redis glob patterns in SQLite's GLOB dialect, which has the same `*`, `?` and `[…]` (with `^`
/// for negation) but no backslash escape: a literal metacharacter is written as a one-character class.
enum SQLiteGlob {
    /// Text that GLOB matches literally.
    static func literal(_ text: String) -> String {
        var out = ""
        for character in text {
            if "*?[".contains(character) { out += "[\(character)]" } else { out.append(character) }
        }
        return out
    }

    /// A Redis glob (`\` escapes the next character, also inside a class) rewritten for GLOB.
    static func translate(_ glob: String) -> String {
        var out = ""
        var characters = glob.makeIterator()
        var inClass = false
        while let character = characters.next() {
            if character == "\\" {
                guard let escaped = characters.next() else { break }
                if inClass {
                    // Inside a class only `]` is special, and only where it would close the class.
                    out.append(escaped)
                } else {
                    out += literal(String(escaped))
                }
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
                out.append(character)
            } else {
                if character == "[" { inClass = true }
                out.append(character)
            }
        }
        return out
    }
}
