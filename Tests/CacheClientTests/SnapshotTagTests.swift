@testable import CacheClient
import Foundation
import Testing

/// A snapshot file in a fresh directory, removed when the test ends.
private func withSnapshot<T>(keyPrefix: String = "", _ body: (SnapshotBackend) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-tags-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let backend = try SnapshotBackend(path: directory.appendingPathComponent("cache.snapshot").path,
                                      configuration: CacheConfiguration(keyPrefix: keyPrefix))
    return try body(backend)
}

private func entry(_ key: String, tags: [String] = [], expiry: Expiry = .seconds(300)) -> Entry {
    Entry(key: key, value: Array("v".utf8), expiry: expiry, tags: tags)
}

@Suite("Snapshot tags and flush")
struct SnapshotTagTests {
    @Test("invalidate deletes the tag's entries and all their memberships, once counted")
    func invalidate() throws {
        try withSnapshot { backend in
            _ = try backend.write(batch: (0..<20).map { entry("a\($0)", tags: ["articles"]) }
                + [entry("both", tags: ["articles", "authors"]), entry("w1", tags: ["authors"]), entry("free")], onlyMissing: false)

            let dry = try backend.invalidate(tag: "articles", dryRun: true, listLimit: 5)
            #expect(dry.deleted == 21 && dry.keys == ["a0", "a1", "a10", "a11", "a12"])
            #expect(try backend.exists(["a0", "both"]) == [true, true])

            let report = try backend.invalidate(tag: "articles", dryRun: false, listLimit: 5)
            #expect(report.existed && report.deleted == 21 && report.members == 21)
            #expect(try backend.exists(["a0", "both", "w1", "free"]) == [false, false, true, true])
            #expect(try backend.tagSummaries(pattern: nil, orphans: true) == [TagSummary(tag: "authors", members: 1, orphans: 0)])
            let counters = try backend.statistics().app
            #expect(counters.deletes == 21 && counters.tagInvalidations == 1)

            #expect(try backend.invalidate(tag: "articles", dryRun: false, listLimit: 5).existed == false)
            #expect(throws: CacheError.self) { try backend.invalidate(tag: "", dryRun: false, listLimit: 5) }
        }
    }

    @Test("tags counts expired members as orphans and prune removes them")
    func prune() throws {
        try withSnapshot { backend in
            _ = try backend.write(batch: [entry("x1", tags: ["t", "u:1"]), entry("x2", tags: ["t"]),
                                          entry("gone", tags: ["t"], expiry: .milliseconds(1))], onlyMissing: false)
            usleep(20_000)
            #expect(try backend.tagSummaries(pattern: "t", orphans: true) == [TagSummary(tag: "t", members: 3, orphans: 1)])
            #expect(try backend.tagSummaries(pattern: "u:*", orphans: false).map(\.tag) == ["u:1"])
            #expect(try backend.pruneTags(pattern: nil, dryRun: true) == [TagPrune(tag: "t", members: 3, removed: 1)])
            #expect(try backend.pruneTags(pattern: nil, dryRun: false) == [TagPrune(tag: "t", members: 3, removed: 1)])
            #expect(try backend.tagSummaries(pattern: "t", orphans: true) == [TagSummary(tag: "t", members: 2, orphans: 0)])
        }
    }

    @Test("flush scopes: Redis-style globs, literal prefixes, all under the key prefix")
    func flush() throws {
        try withSnapshot(keyPrefix: "app:") { backend in
            _ = try backend.write(batch: (0..<10).map { entry("session:\($0)", tags: ["s"]) }
                + [entry("user:1"), entry("user:*"), entry("user[x]"), entry("a?b"), entry("axb")], onlyMissing: false)
            #expect(try backend.count(scope: .pattern("session:*")) == 10)
            let dry = try backend.flush(scope: .pattern("session:?"), dryRun: true, listLimit: 3)
            #expect(dry.deleted == 10 && dry.keys == ["app:session:0", "app:session:1", "app:session:2"])
            #expect(try backend.flush(scope: .pattern("session:*"), dryRun: false, listLimit: 0).deleted == 10)
            #expect(try backend.tagSummaries(pattern: nil, orphans: false).isEmpty)
            #expect(try backend.flush(scope: .pattern("a\\?b"), dryRun: false, listLimit: 0).deleted == 1)
            #expect(try backend.exists(["axb"]) == [true])
            #expect(try backend.flush(scope: .prefix("user:*"), dryRun: false, listLimit: 0).deleted == 1)
            #expect(try backend.flush(scope: .pattern("user\\[x]"), dryRun: false, listLimit: 0).deleted == 1)
            #expect(try backend.flush(scope: .all, dryRun: false, listLimit: 0).deleted == 2)
            #expect(try backend.statistics().app.deletes == 15)
            #expect(throws: CacheError.self) { try backend.flush(scope: .pattern(""), dryRun: true, listLimit: 0) }
        }
    }

    @Test("Redis globs become SQLite GLOB patterns", arguments: [
        ("a*b", "a*b"), ("a\\*b", "a[*]b"), ("a\\?", "a[?]"), ("[a-c]x", "[a-c]x"), ("[^a]", "[^a]"), ("x\\[y]", "x[[]y]"),
    ])
    func glob(redis: String, sqlite: String) {
        #expect(SQLiteGlob.translate(redis) == sqlite)
    }
}
