import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What `migrate` prints: a summary line (or a few for a dry run or verify) and the JSON report.
struct MigrateResult: Renderable {
    let report: MigrationReport

    private enum Keys: String, CodingKey {
        case source, target, dryRun = "dry_run", onConflict = "on_conflict", scanned, copied, conflicts
        case conflictKeys = "conflict_keys", expired, tagMemberships = "tag_memberships", skippedTypes = "skipped_types"
        case skipped, verify, seconds, rate = "entries_per_second", interrupted, unacknowledged
    }
    private enum SkipKeys: String, CodingKey { case key, type }
    private enum VerifyKeys: String, CodingKey { case checked, mismatches, problems }
    private enum ProblemKeys: String, CodingKey { case key, problem }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(report.source, forKey: .source)
        try c.encode(report.target, forKey: .target)
        try c.encode(report.dryRun, forKey: .dryRun)
        try c.encode(report.onConflict.rawValue, forKey: .onConflict)
        try c.encode(report.scanned, forKey: .scanned)
        try c.encode(report.copied, forKey: .copied)
        try c.encode(report.conflicts, forKey: .conflicts)
        try c.encode(report.conflictKeys, forKey: .conflictKeys)
        try c.encode(report.expired, forKey: .expired)
        try c.encode(report.tagMemberships, forKey: .tagMemberships)
        try c.encode(report.skippedTypes, forKey: .skippedTypes)
        var skipped = c.nestedUnkeyedContainer(forKey: .skipped)
        for skip in report.skippedKeys {
            var item = skipped.nestedContainer(keyedBy: SkipKeys.self)
            try item.encode(skip.key, forKey: .key)
            try item.encode(skip.type, forKey: .type)
        }
        if let verification = report.verification {
            var v = c.nestedContainer(keyedBy: VerifyKeys.self, forKey: .verify)
            try v.encode(verification.checked, forKey: .checked)
            try v.encode(verification.mismatches, forKey: .mismatches)
            var problems = v.nestedUnkeyedContainer(forKey: .problems)
            for problem in verification.problems {
                var item = problems.nestedContainer(keyedBy: ProblemKeys.self)
                try item.encode(problem.key, forKey: .key)
                try item.encode(problem.problem, forKey: .problem)
            }
        } else {
            try c.encodeNil(forKey: .verify)
        }
        try c.encode(report.seconds, forKey: .seconds)
        try c.encode(report.rate, forKey: .rate)
        try c.encode(report.interrupted, forKey: .interrupted)
        try c.encode(report.unacknowledged, forKey: .unacknowledged)
    }

    func text(style: TextStyle) -> String {
        var lines: [String] = []
        let head = report.dryRun ? "dry run, would have: " : ""
        lines.append("migrate \(report.source.displayEscaped) → \(report.target.displayEscaped): \(head)\(report.countsSentence), "
            + "\(report.tagMemberships) tag memberships, " + "\(Human.fixed(report.seconds, 2)) s, \(Human.fixed(report.rate, 0)) entries/s")
        if report.dryRun, !report.conflictKeys.isEmpty {
            lines.append("existing at the target (\(report.conflicts)): " + report.conflictKeys.map(\.displayEscaped).joined(separator: ", "))
        }
        if !report.skippedKeys.isEmpty {
            lines.append("not copied (type the target cannot hold): " + report.skippedKeys.map { "\($0.key.displayEscaped) (\($0.type))" }.joined(separator: ", "))
        }
        if let verification = report.verification {
            lines.append(verification.mismatches == 0
                ? "verify: \(style.green("OK")), \(verification.checked) entries match"
                : "verify: \(style.red("\(verification.mismatches) of \(verification.checked) entries differ"))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
