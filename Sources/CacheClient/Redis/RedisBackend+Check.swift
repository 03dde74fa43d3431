import FoundationEssentials

extension RedisBackend: HealthChecking {
    /// Walks every tag set under the tag prefix (SCAN + SSCAN, pipelined EXISTS per page of
    /// members): members whose entry is gone, and sets left by an invalidation that did not
    /// finish. With `pattern`, also SCANs the entries under it for ones in no tag set, looked up
    /// in an on-disk membership file so that memory stays flat. Changes nothing.
    public func checkHealth(pattern: String?) throws -> HealthReport {
        let start = ContinuousClock.now
        var report = HealthReport(backend: kind, endpoint: endpointDescription)
        let source = RedisEntrySource(self)
        report.checked.append("tag memberships")
        report.checked.append("interrupted invalidations")
        var orphans = 0
        var orphanTags: [String] = []
        var interrupted: [String] = []
        var interruptedMembers = 0
        try source.scanKeys(match: RedisGlob.escape(configuration.tagPrefix) + "*", count: 1000) { tagKeys in
            for members in try source.readTagSets(tagKeys, pattern: nil) {
                if TagName.interruptedTag(members.tag) != nil {
                    if !interrupted.contains(members.tag) { interrupted.append(members.tag) }
                    interruptedMembers += members.keys.count
                    continue
                }
                let replies = try connection.pipeline(members.keys.map { ["EXISTS", RedisArgument(configuration.storeKey($0))] })
                let missing = try replies.reduce(0) { $0 + (try check($1, context: "Cannot check the members of \(members.tag)").integer == 0 ? 1 : 0) }
                if missing > 0 {
                    orphans += missing
                    if orphanTags.count < 5, !orphanTags.contains(members.tag) { orphanTags.append(members.tag) }
                }
            }
        }
        if orphans > 0 {
            report.problems.append(HealthProblem(kind: .orphans, count: orphans,
                                                 detail: "\(orphans) tag member\(orphans == 1 ? "" : "s") name entries that no longer exist (in \(orphanTags.map { "\"\($0)\"" }.joined(separator: ", ")))",
                                                 hint: "cachectl tags prune removes them"))
        }
        if !interrupted.isEmpty {
            let names = interrupted.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            report.problems.append(HealthProblem(kind: .interrupted, count: interrupted.count,
                                                 detail: "\(interrupted.count) invalidation\(interrupted.count == 1 ? "" : "s") did not finish: \(names) still hold \(interruptedMembers) member\(interruptedMembers == 1 ? "" : "s")",
                                                 hint: "rerun cachectl invalidate-tag for the tag, or cachectl tags prune"))
        }
        if let pattern {
            report.checked.append("untagged entries under \(pattern)")
            let memberships = try source.membershipFile(pattern: pattern)
            var untagged = 0
            var examples: [String] = []
            try source.scanKeys(match: RedisGlob.escape(configuration.keyPrefix) + pattern, count: 1000) { storeKeys in
                let keys = storeKeys.filter { !$0.hasPrefix(configuration.tagPrefix) && $0 != configuration.statsKey }
                    .compactMap { configuration.entryKey($0) }
                for (key, tags) in zip(keys, try memberships.tags(for: keys)) where tags.isEmpty {
                    untagged += 1
                    if examples.count < 5 { examples.append("\"\(key)\"") }
                }
            }
            if untagged > 0 {
                report.problems.append(HealthProblem(kind: .untagged, count: untagged,
                                                     detail: "\(untagged) entr\(untagged == 1 ? "y" : "ies") under \(pattern) in no tag set: \(examples.joined(separator: ", "))",
                                                     hint: "write them again with their tags (an invalidation would leave them alive)"))
            }
        }
        report.seconds = (ContinuousClock.now - start).seconds
        return report
    }
}
