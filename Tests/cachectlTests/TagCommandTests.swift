import Foundation
import Testing

@Suite("invalidate-tag, tags and flush commands")
struct TagCommandTests {
    private func snapshotURL() -> (url: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-cli-tags-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ("file:" + directory.appendingPathComponent("cache.snapshot").path, directory)
    }

    @Test("an empty tag, an empty pattern and a missing scope are usage errors (64) naming the option")
    func usageErrors() throws {
        let empty = try CLI.run(["invalidate-tag", "", "--url", "dummy:"])
        #expect(empty.status == 64 && empty.stderr.text.contains("TAG"))
        let pattern = try CLI.run(["tags", "--pattern", "", "--url", "dummy:"])
        #expect(pattern.status == 64 && pattern.stderr.text.contains("--pattern"))
        let scope = try CLI.run(["flush", "--url", "dummy:", "--format", "json"])
        #expect(scope.status == 64)
        #expect(scope.stderr.text.contains("\"code\":64") && scope.stderr.text.contains("--pattern GLOB, --prefix P or --all"))
    }

    @Test("flush without a terminal refuses without --yes and deletes nothing; JSON reports have schema 1")
    func snapshotFlow() throws {
        let (url, directory) = snapshotURL()
        defer { try? FileManager.default.removeItem(at: directory) }
        for key in ["a:1", "a:2", "b:1"] {
            #expect(try CLI.run(["set", key, "v", "--tag", "t", "--url", url]).status == 0)
        }
        let refused = try CLI.run(["flush", "--all", "--url", url])
        #expect(refused.status == 64 && refused.stderr.text.contains("--yes"))
        #expect(try CLI.run(["get", "a:1", "--url", url]).status == 0)

        let invalidated = try CLI.run(["invalidate-tag", "t", "--url", url, "--format", "json", "--dry-run"])
        let object = try #require(try JSONSerialization.jsonObject(with: invalidated.stdout) as? [String: Any])
        #expect(object["schema"] as? Int == 1 && object["deleted"] as? Int == 3 && object["dry_run"] as? Bool == true)
        let tags = try #require(object["tags"] as? [[String: Any]])
        #expect(tags.first?["keys"] as? [String] == ["a:1", "a:2", "b:1"])

        let listed = try CLI.run(["tags", "--url", url, "--format", "json", "--orphans"])
        let list = try #require(try JSONSerialization.jsonObject(with: listed.stdout) as? [String: Any])
        #expect((list["tags"] as? [[String: Any]])?.first?["members"] as? Int == 3)

        let flushed = try CLI.run(["flush", "--prefix", "a:", "--yes", "--url", url, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: flushed.stdout) as? [String: Any])
        #expect(report["deleted"] as? Int == 2 && report["scope"] as? String == "prefix" && report["prefix"] as? String == "a:")
        #expect(try CLI.run(["get", "b:1", "--url", url]).status == 0)
    }
}
