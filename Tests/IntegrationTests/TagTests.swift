@testable import CacheClient
import Foundation
import Testing

/// Keys written by the concurrent writer, shared with the test thread.
private final class WrittenKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String] = []
    private var stopped = false
    private var failure: String?

    func append(_ key: String) { lock.withLock { keys.append(key) } }
    var count: Int { lock.withLock { keys.count } }
    var all: [String] { lock.withLock { keys } }
    func stop() { lock.withLock { stopped = true } }
    var isStopped: Bool { lock.withLock { stopped } }
    func fail(_ message: String) { lock.withLock { failure = message } }
    var error: String? { lock.withLock { failure } }
}

@Suite("Tags on Redis", .serialized)
struct TagTests {
    @Test("invalidate-tag deletes exactly the tag's entries and the tag set, and counts once")
    func exactDeletion() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<50).map { "article:\($0)" }, tags: ["articles"], on: raw)
            try ns.seed((0..<10).map { "author:\($0)" }, tags: ["authors"], on: raw)
            try ns.seed(["both"], tags: ["articles", "authors"], on: raw)
            try raw.send(["SADD", RedisArgument(ns.tagSet("articles")), RedisArgument(ns.key("long-gone"))])
            let before = Set(try ns.allKeys(on: raw))

            let report = try ns.backend().invalidate(tag: "articles", dryRun: false, listLimit: 100)

            #expect(report.existed && report.deleted == 51 && report.members == 52)
            let expectedGone = Set((0..<50).map { ns.key("article:\($0)") } + [ns.key("both"), ns.tagSet("articles")])
            let after = Set(try ns.allKeys(on: raw)).subtracting([ns.configuration.statsKey])
            #expect(after == before.subtracting(expectedGone))
            #expect(try ns.counter("deletes", on: raw) == 51)
            #expect(try ns.counter("tag_invalidations", on: raw) == 1)
        }
    }

    @Test("a tag larger than one SMEMBERS streams through SSCAN and still deletes exactly its entries")
    func largeTagStreams() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            let count = Int(RedisBackend.wholeSetLimit) + 2_500
            for start in stride(from: 0, to: count, by: 5_000) {
                try ns.seed((start..<min(start + 5_000, count)).map { "big:\($0)" }, tags: ["big"], on: raw)
            }
            try ns.seed(["other"], tags: ["small"], on: raw)

            let report = try ns.backend().invalidate(tag: "big", dryRun: false, listLimit: 0)

            #expect(report.deleted == count && report.members == count)
            #expect(Set(try ns.allKeys(on: raw)).subtracting([ns.configuration.statsKey]) == [ns.key("other"), ns.tagSet("small")])
        }
    }

    @Test("a missing tag deletes nothing and is not an error; an empty tag name is a usage error")
    func missingTag() throws {
        try TagNamespace.with { ns in
            let backend = try ns.backend()
            let report = try backend.invalidate(tag: "nope", dryRun: false, listLimit: 10)
            #expect(!report.existed && report.deleted == 0)
            #expect(throws: CacheError.self) { try backend.invalidate(tag: "", dryRun: false, listLimit: 10) }
        }
    }

    @Test("a dry run lists the live members and changes nothing")
    func dryRun() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<300).map { "k\($0)" }, tags: ["t"], on: raw)
            try raw.send(["SADD", RedisArgument(ns.tagSet("t")), RedisArgument(ns.key("stale"))])
            let before = try ns.allKeys(on: raw)
            let report = try ns.backend().invalidate(tag: "t", dryRun: true, listLimit: 100)
            #expect(report.dryRun && report.deleted == 300 && report.members == 301 && report.keys.count == 100)
            #expect(try ns.allKeys(on: raw) == before)
            #expect(try ns.counter("deletes", on: raw) == 0)
        }
    }

    @Test("members tagged while the invalidation runs stay in the tag's index", arguments: 1...6)
    func concurrentWriters(run: Int) throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<20_000).map { "old:\($0)" }, tags: ["hot"], on: raw)
            let written = WrittenKeys()
            let tagSet = ns.tagSet("hot")
            let prefix = ns.key("new:")
            let address = ns.address
            let writer = Thread {
                do {
                    let connection = try RedisConnection(address: address, timeout: 10)
                    var index = 0
                    while !written.isStopped {
                        let key = prefix + String(index)
                        // The seeds' way: two separate commands, no transaction.
                        _ = try connection.send(["SET", RedisArgument(key), "v", "EX", "300"])
                        _ = try connection.send(["SADD", RedisArgument(tagSet), RedisArgument(key)])
                        written.append(key)
                        index += 1
                    }
                } catch {
                    written.fail("\(error)")
                }
            }
            writer.start()
            while written.count < 50 && written.error == nil { usleep(500) }
            let report = try ns.backend().invalidate(tag: "hot", dryRun: false, listLimit: 0)
            let atEnd = written.count
            while written.count < atEnd + 50 && written.error == nil { usleep(500) }
            written.stop()
            while !writer.isFinished { usleep(500) }
            #expect(written.error == nil)

            let members = try ns.members("hot", on: raw)
            var lost: [String] = []
            var kept = 0
            for key in written.all {
                let exists = try raw.send(["EXISTS", RedisArgument(key)]).integer == 1
                // Tagged before the rename: deleted with the tag. After: still indexed. Never an
                // existing entry that its tag no longer knows.
                if exists && !members.contains(key) { lost.append(key) }
                if members.contains(key) { kept += 1 }
            }
            #expect(lost.isEmpty, "run \(run): \(lost.count) memberships lost, e.g. \(lost.prefix(3))")
            #expect(kept >= 50)
            #expect(report.deleted >= 20_000)
            #expect(try raw.send(["EXISTS", RedisArgument(ns.key("old:0")), RedisArgument(ns.key("old:19999"))]).integer == 0)
            let leftovers = try ns.allKeys(on: raw).filter { $0.contains(":invalidating:") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test("tags lists member counts and orphans; prune removes only stale members")
    func listAndPrune() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<5).map { "a\($0)" }, tags: ["alpha"], on: raw)
            try ns.seed((0..<3).map { "b\($0)" }, tags: ["beta", "user:1"], on: raw)
            try raw.send(["UNLINK", RedisArgument(ns.key("a0")), RedisArgument(ns.key("a1")), RedisArgument(ns.key("b0"))])
            let backend = try ns.backend()

            let summaries = try backend.tagSummaries(pattern: nil, orphans: true)
            #expect(summaries.map(\.tag) == ["alpha", "beta", "user:1"])
            #expect(summaries.map(\.members) == [5, 3, 3])
            #expect(summaries.map(\.orphans) == [2, 1, 1])
            #expect(try backend.tagSummaries(pattern: "user:*", orphans: false).map(\.tag) == ["user:1"])

            let dry = try backend.pruneTags(pattern: nil, dryRun: true)
            #expect(dry.map(\.removed) == [2, 1, 1])
            #expect(try ns.members("alpha", on: raw).count == 5)

            let pruned = try backend.pruneTags(pattern: "[ab]*", dryRun: false)
            #expect(pruned.map(\.tag) == ["alpha", "beta"] && pruned.map(\.removed) == [2, 1])
            #expect(try ns.members("alpha", on: raw) == Set((2..<5).map { ns.key("a\($0)") }))
            #expect(try ns.members("user:1", on: raw).count == 3)
        }
    }

    @Test("an interrupted invalidation is listed as such and finished by prune")
    func interrupted() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<10).map { "x\($0)" }, tags: ["gamma"], on: raw)
            let temporary = ns.tagSet("gamma") + ":invalidating:" + UUID().uuidString.lowercased()
            try raw.send(["RENAME", RedisArgument(ns.tagSet("gamma")), RedisArgument(temporary)])
            let backend = try ns.backend()
            let summaries = try backend.tagSummaries(pattern: "gamma", orphans: false)
            #expect(summaries.count == 1 && summaries[0].interrupted)
            let pruned = try backend.pruneTags(pattern: nil, dryRun: false)
            #expect(pruned.count == 1 && pruned[0].interrupted && pruned[0].deleted == 10)
            #expect(try ns.allKeys(on: raw).filter { $0 != ns.configuration.statsKey }.isEmpty)
        }
    }
}
