import FoundationEssentials

extension SnapshotBackend: HealthChecking {
    /// SQLite's full `PRAGMA integrity_check` (every page, every index against its table), then
    /// the format's own consistency: tag rows without their entry and, under `pattern`, entries
    /// without any tag. A damaged file is reported and left exactly as it was found.
    public func checkHealth(pattern: String?) throws -> HealthReport {
        let start = ContinuousClock.now
        var report = HealthReport(backend: kind, endpoint: endpointDescription)
        guard let database = try existingDatabase() else {
            throw CacheError(.io, "No snapshot file at \(path)")
        }
        report.checked.append("integrity_check")
        var findings: [String] = []
        do {
            try database.query("PRAGMA integrity_check(20)") { findings.append($0.text(0)) }
        } catch let error as CacheError where error.kind == .badInput {
            findings = [error.message]
        }
        if findings != ["ok"] {
            database.refuse()
            report.problems.append(HealthProblem(kind: .damaged, count: findings.count,
                                                 detail: "\(path) failed SQLite's integrity check: " + findings.prefix(5).joined(separator: "; "),
                                                 hint: "move it aside; the next write starts a new, empty snapshot"))
            report.seconds = (ContinuousClock.now - start).seconds
            return report
        }
        try readTransaction(database) {
            if fileVersion >= 2 {
                // Each large value belongs to one entry: one without it is damage (the entry
                // cannot be read), one without its entry is space no command would free.
                report.checked.append("large values")
                let missing = try database.scalar("""
                    SELECT count(*) FROM entries WHERE value_id IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM large_values WHERE id = entries.value_id)
                    """)?.integerValue ?? 0
                if missing > 0 {
                    report.problems.append(HealthProblem(kind: .damaged, count: Int(missing),
                                                         detail: "\(missing) entr\(missing == 1 ? "y names a large value" : "ies name large values") that \(missing == 1 ? "does" : "do") not exist",
                                                         hint: "delete those entries, or move the file aside"))
                }
                let unowned = try database.scalar("""
                    SELECT count(*) FROM large_values WHERE id NOT IN (SELECT value_id FROM entries WHERE value_id IS NOT NULL)
                    """)?.integerValue ?? 0
                if unowned > 0 {
                    report.problems.append(HealthProblem(kind: .damaged, count: Int(unowned),
                                                         detail: "\(unowned) large value\(unowned == 1 ? " belongs" : "s belong") to no entry",
                                                         hint: "move the file aside, or copy what it holds with migrate"))
                }
            }
            report.checked.append("tag memberships")
            let orphans = try database.scalar("""
                SELECT count(*) FROM tags WHERE NOT EXISTS (SELECT 1 FROM entries WHERE entries.key = tags.key)
                """)?.integerValue ?? 0
            if orphans > 0 {
                report.problems.append(HealthProblem(kind: .orphans, count: Int(orphans),
                                                     detail: "\(orphans) tag membership\(orphans == 1 ? "" : "s") name entries that do not exist",
                                                     hint: "cachectl tags prune removes them"))
            }
        }
        if let pattern {
            report.checked.append("untagged entries under \(pattern)")
            var untagged = 0
            var examples: [String] = []
            var after: String?
            while true {
                let page = try entryPage(after: after, limit: 1000)
                guard let last = page.last else { break }
                after = configuration.storeKey(last.key)
                for entry in page where (entry.tags ?? []).isEmpty && RedisGlob.matches(pattern, entry.key) {
                    untagged += 1
                    if examples.count < 5 { examples.append("\"\(entry.key)\"") }
                }
                if page.count < 1000 { break }
            }
            if untagged > 0 {
                report.problems.append(HealthProblem(kind: .untagged, count: untagged,
                                                     detail: "\(untagged) entr\(untagged == 1 ? "y" : "ies") under \(pattern) in no tag: \(examples.joined(separator: ", "))",
                                                     hint: "rewrite them with their tags (warmup --only-missing does not)"))
            }
        }
        report.seconds = (ContinuousClock.now - start).seconds
        return report
    }
}
