/// `dummy:` stores nothing, so it has no tags and nothing to flush; every operation reports zero.
extension DummyBackend: TagIndexing {
    public func invalidate(tag: String, dryRun: Bool, listLimit: Int) throws -> TagInvalidation {
        try TagName.validate(tag)
        return TagInvalidation(tag: tag, existed: false, deleted: 0, members: 0, seconds: 0, dryRun: dryRun)
    }

    public func tagSummaries(pattern: String?, orphans: Bool) throws -> [TagSummary] {
        try TagName.validate(pattern: pattern)
        return []
    }

    public func pruneTags(pattern: String?, dryRun: Bool) throws -> [TagPrune] {
        try TagName.validate(pattern: pattern)
        return []
    }

    public func count(scope: FlushScope) throws -> Int {
        try scope.validate()
        return 0
    }

    public func flush(scope: FlushScope, dryRun: Bool, listLimit: Int) throws -> FlushReport {
        try scope.validate()
        return FlushReport(scope: scope, deleted: 0, seconds: 0, dryRun: dryRun)
    }
}
