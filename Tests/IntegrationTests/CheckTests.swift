import Foundation
import Testing
import cachectlTests

/// `cachectl check` on a real redis-server: orphan members, leftovers of an interrupted
/// invalidation and untagged entries under --pattern, each reported with exit 1; a healthy
/// index exits 0. Each test in its own namespace, cleaned up even when it fails.
@Suite("check", .serialized)
struct CheckTests {
    let url: String
    let namespace = "chk-\(UInt32.random(in: 0...UInt32.max)):"

    init() throws { url = try TestEnvironment.redisURL + "/3" }

    var options: [String] { ["--url", url, "--key-prefix", namespace, "--tag-prefix", namespace + "tag:", "--stats-key", namespace + "stats"] }

    func redis(_ args: String...) throws {
        #expect(try ProcessRunner.run("redis-cli", ["-u", url] + args).status == 0)
    }

    func cleaned(_ body: () throws -> Void) throws {
        defer {
            let keys = (try? ProcessRunner.run("redis-cli", ["-u", url, "--scan", "--pattern", namespace + "*"]).stdout.text)?
                .split(separator: "\n").map(String.init) ?? []
            if !keys.isEmpty { _ = try? ProcessRunner.run("redis-cli", ["-u", url, "DEL"] + keys) }
        }
        try body()
    }

    @Test("healthy index exits 0; orphans, interrupted invalidations and untagged entries exit 1, listed")
    func findsEachProblem() throws {
        try cleaned {
            for index in 0..<5 {
                #expect(try CLI.run(["set", "article:\(index)", "v", "--tag", "articles"] + options).status == 0)
            }
            let healthy = try CLI.run(["check", "--pattern", "article:*", "--format", "json"] + options)
            #expect(healthy.status == 0, "\(healthy.stdout.text) \(healthy.stderr.text)")
            let object = try JSONSerialization.jsonObject(with: healthy.stdout) as? [String: Any]
            #expect(object?["schema"] as? Int == 1)
            #expect(object?["ok"] as? Bool == true)
            #expect(object?["backend"] as? String == "redis")

            // An entry deleted behind the index's back, one written without its tag, and a tag set
            // moved aside by an invalidation that never finished.
            try redis("DEL", namespace + "article:0")
            try redis("SET", namespace + "article:untagged", "v")
            try redis("SADD", namespace + "tag:old:invalidating:123e4567-e89b-12d3-a456-426614174000", namespace + "article:1")
            let sick = try CLI.run(["check", "--pattern", "article:*", "--format", "json"] + options)
            #expect(sick.status == 1, "\(sick.stdout.text) \(sick.stderr.text)")
            let report = try JSONSerialization.jsonObject(with: sick.stdout) as? [String: Any]
            #expect(report?["ok"] as? Bool == false)
            let problems = (report?["problems"] as? [[String: Any]]) ?? []
            let counts = Dictionary(uniqueKeysWithValues: problems.compactMap { p in (p["kind"] as? String).map { ($0, p["count"] as? Int ?? -1) } })
            #expect(counts == ["orphans": 1, "interrupted": 1, "untagged": 1], "\(problems)")
            #expect(sick.stderr.text.contains("article:untagged"))
            #expect(sick.stderr.text.contains("old:invalidating:"))

            // The table names the same problems; nothing was changed by either run.
            let table = try CLI.run(["check", "--pattern", "article:*"] + options)
            #expect(table.status == 1)
            #expect(table.stdout.text.contains("orphans") && table.stdout.text.contains("untagged"))
            let members = try ProcessRunner.run("redis-cli", ["-u", url, "SCARD", namespace + "tag:articles"]).stdout.text
            #expect(members.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        }
    }
}
