import CacheClient
import Foundation
import Testing
import cachectlTests

@Suite("Flush on Redis", .serialized)
struct FlushTests {
    @Test("--pattern deletes exactly the matching entries, never tag sets or counters")
    func pattern() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<12_000).map { "session:\($0)" }, tags: ["sessions"], on: raw)
            try ns.seed((0..<100).map { "user:\($0)" } + ["session", "sessions:x", "user:*lit"], tags: [], on: raw)
            try raw.send(["HSET", RedisArgument(ns.configuration.statsKey), "hits", "1"])
            let backend = try ns.backend()

            #expect(try backend.count(scope: .pattern("session:*")) == 12_000)
            let dry = try backend.flush(scope: .pattern("session:*"), dryRun: true, listLimit: 5)
            #expect(dry.deleted == 12_000 && dry.keys.count == 5)
            #expect(try ns.allKeys(on: raw).count == 12_000 + 103 + 2)

            let report = try backend.flush(scope: .pattern("session:*"), dryRun: false, listLimit: 5)
            #expect(report.deleted == 12_000)
            let remaining = try ns.allKeys(on: raw)
            #expect(remaining.count == 103 + 2)
            #expect(remaining.contains(ns.tagSet("sessions")) && remaining.contains(ns.key("session")))
            #expect(try ns.counter("deletes", on: raw) == 12_000)

            let literal = try backend.flush(scope: .prefix("user:*"), dryRun: false, listLimit: 0)
            #expect(literal.deleted == 1)
            #expect(try backend.flush(scope: .all, dryRun: false, listLimit: 0).deleted == 102)
            #expect(Set(try ns.allKeys(on: raw)) == [ns.tagSet("sessions"), ns.configuration.statsKey])
        }
    }

    @Test("an empty pattern or prefix is a usage error")
    func emptyScope() throws {
        try TagNamespace.with { ns in
            let backend = try ns.backend()
            #expect(throws: CacheError(.usage, "--pattern must not be empty", hint: "use --all to flush everything")) {
                try backend.flush(scope: .pattern(""), dryRun: false, listLimit: 0)
            }
            #expect(throws: CacheError.self) { try backend.flush(scope: .prefix(""), dryRun: true, listLimit: 0) }
        }
    }

    @Test("the binary refuses without a scope and, without a terminal, without --yes; nothing is deleted")
    func refusals() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed((0..<20).map { "k\($0)" }, tags: [], on: raw)

            let noScope = try CLI.run(["flush", "--yes"] + ns.cliOptions)
            #expect(noScope.status == 64)
            #expect(noScope.stderr.text.contains("--pattern"))

            let noYes = try CLI.run(["flush", "--pattern", "k*"] + ns.cliOptions)
            #expect(noYes.status == 64)
            #expect(noYes.stderr.text.contains("--yes"))
            #expect(try ns.allKeys(on: raw).count == 20)

            let dry = try CLI.run(["flush", "--pattern", "k1*", "--dry-run", "--format", "json"] + ns.cliOptions)
            #expect(dry.status == 0)
            let object = try JSONSerialization.jsonObject(with: dry.stdout) as? [String: Any]
            #expect(object?["deleted"] as? Int == 11 && object?["dry_run"] as? Bool == true && object?["schema"] as? Int == 1)

            let done = try CLI.run(["flush", "--pattern", "k1*", "--yes"] + ns.cliOptions)
            #expect(done.status == 0, "\(done.stderr.text)")
            #expect(try ns.allKeys(on: raw).filter { $0 != ns.configuration.statsKey }.count == 9)
        }
    }

    @Test("global options before the subcommand reach tags prune and invalidate-tag")
    func globalOptionsFirst() throws {
        try TagNamespace.with { ns in
            let raw = try ns.connection()
            try ns.seed(["a", "b"], tags: ["t"], on: raw)
            try raw.send(["UNLINK", RedisArgument(ns.key("a"))])
            let prune = try CLI.run(ns.cliOptions + ["--format", "json", "tags", "prune"])
            #expect(prune.status == 0, "\(prune.stderr.text)")
            #expect((try JSONSerialization.jsonObject(with: prune.stdout) as? [String: Any])?["removed"] as? Int == 1)
            let invalidate = try CLI.run(ns.cliOptions + ["--format", "json", "invalidate-tag", "t"])
            let object = try JSONSerialization.jsonObject(with: invalidate.stdout) as? [String: Any]
            let tags = object?["tags"] as? [[String: Any]]
            #expect(object?["deleted"] as? Int == 1 && tags?.first?["tag"] as? String == "t" && tags?.first?["seconds"] is Double)
        }
    }
}
