import CacheClient
import Foundation
import Testing
import cachectlTests

/// `keys` and `usage` in the framework layouts, over what the frameworks' own libraries wrote
/// (Django, Symfony 5.4, Laravel 8) or the upstream-identical bytes cachectl writes (Laravel 10):
/// keys named inside the namespace as `get` names them, the framework's tag indexes marked as
/// tag sets, namespaces cut from the framework key, tags read from the framework's tag index.
@Suite(.serialized) struct FrameworkInsightTests {
    func cachectl(_ layout: String, _ namespace: String, _ args: [String]) throws -> ProcessOutput {
        try CLI.run(args + ["--url", try FrameworkLayoutTests.url(), "--layout", layout, "--namespace", namespace])
    }

    /// `keys --format json`: key → role.
    func roles(_ layout: String, _ namespace: String) throws -> [String: String] {
        let output = try cachectl(layout, namespace, ["keys", "--format", "json"])
        #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self))")
        let report = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any])
        let rows = try #require(report["keys"] as? [[String: Any]])
        return Dictionary(rows.map { ($0["key"] as! String, $0["role"] as! String) }, uniquingKeysWith: { $1 })
    }

    /// `usage --exact --format json`: group → keys.
    func usage(_ layout: String, _ namespace: String, by dimension: String) throws -> [String: Int] {
        let output = try cachectl(layout, namespace, ["usage", "--by", dimension, "--exact", "--top", "100", "--format", "json"])
        #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self))")
        let report = try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any])
        let groups = try #require(report["groups"] as? [[String: Any]])
        return Dictionary(groups.map { ($0["group"] as! String, $0["keys"] as! Int) }, uniquingKeysWith: { $1 })
    }

    /// The manifest's entries by tag, with "(no tag)" for the untagged, "nothing" left out.
    static var expectedTags: [String: Int] {
        var counts: [String: Int] = [:]
        for (key, _, tags) in FrameworkCodecTests.entries where key != "nothing" {
            for tag in tags.isEmpty ? [UsageGrouping.untagged] : tags { counts[tag, default: 0] += 1 }
        }
        return counts
    }

    @Test func djangoKeysAreNamedInsideTheNamespaceAndGroupedByTheirOwn() throws {
        let namespace = "ki\(UUID().uuidString.prefix(6))"
        let path = try FrameworkCodecTests.writeManifest([("user:1", "1"), ("user:2", #""two""#), ("session:a", "[1]"), ("plain", "true")])
        try Framework(kind: .django, url: try FrameworkLayoutTests.url(), namespace: namespace).write(path)
        // A neighbouring namespace (and the other version) stays out of sight.
        try Framework(kind: .django, url: try FrameworkLayoutTests.url(), namespace: namespace + "x").write(path)
        try Framework(kind: .django, url: try FrameworkLayoutTests.url(), namespace: namespace, djangoVersion: 2).write(path)
        #expect(try roles("django", namespace) == ["user:1": "entry", "user:2": "entry", "session:a": "entry", "plain": "entry"])
        #expect(try usage("django", namespace, by: "prefix") == ["user": 2, "session": 1, UsageGrouping.noPrefix: 1])
        #expect(try usage("django", namespace, by: "tag") == [UsageGrouping.untagged: 4])
        // The names are the ones `get` takes, and --prefix/--pattern apply to them.
        let listed = try cachectl("django", namespace, ["keys", "--prefix", "user:", "--format", "jsonl"])
        #expect(String(decoding: listed.stdout, as: UTF8.self).split(separator: "\n").count == 2)
        #expect(try cachectl("django", namespace, ["get", "user:1", "session:a"]).status == 0)
    }

    @Test func symfony54TagSetsAreMarkedAndReadForUsageByTag() throws {
        let namespace = "ks\(UUID().uuidString.prefix(6))"
        try Framework(kind: .symfony, url: try FrameworkLayoutTests.url(), namespace: namespace)
            .write(try FrameworkCodecTests.manifest(excluding: ["nothing"]))
        let roles = try roles("symfony-5.4", namespace)
        var expected: [String: String] = [:]
        for (key, _, _) in FrameworkCodecTests.entries where key != "nothing" { expected[key] = "entry" }
        for tag in ["articles", "home", "users"] { expected["\0tags\0" + tag] = "tag_set" }
        #expect(roles == expected)
        var tags = Self.expectedTags
        tags[UsageGrouping.tagSets] = 3
        #expect(try usage("symfony-5.4", namespace, by: "tag") == tags)
        // After Symfony's tag set is invalidated, its entries and the set are gone from both views.
        let moved = try cachectl("symfony-5.4", namespace, ["invalidate-tag", "users", "--format", "json"])
        #expect(moved.status == 0)
        let after = try usage("symfony-5.4", namespace, by: "tag")
        #expect(after["users"] == nil && after[UsageGrouping.untagged] == tags[UsageGrouping.untagged])
    }

    @Test func laravel8TagIdsAndReferenceSetsAreIndexes() throws {
        let namespace = "kl\(UUID().uuidString.prefix(6))"
        try Framework(kind: .laravel, url: try FrameworkLayoutTests.url(), namespace: namespace)
            .write(try FrameworkCodecTests.manifest(excluding: ["nothing"]))
        let roles = try roles("laravel-8", namespace)
        // Three tags: an id key each, and per id a reference set for the entries' lifetimes.
        let indexes = roles.filter { $0.value == "tag_set" }.keys
        #expect(indexes.filter { $0.hasPrefix("tag:") && $0.hasSuffix(":key") }.count == 3, "\(roles)")
        #expect(indexes.allSatisfy { $0.hasPrefix("tag:") || $0.hasSuffix("_ref") }, "\(roles)")
        #expect(roles.filter { $0.value == "entry" }.count == FrameworkCodecTests.entries.count - 1, "\(roles)")
        #expect(try usage("laravel-8", namespace, by: "tag") == Self.expectedTags.merging([UsageGrouping.tagSets: indexes.count]) { $1 })
    }

    @Test(arguments: ["laravel-10", "laravel"]) func laravelSortedSetMembersAreTheTags(_ layout: String) throws {
        let namespace = "kt\(UUID().uuidString.prefix(6))"
        let warmup = try cachectl(layout, namespace, ["warmup", "--from", try FrameworkCodecTests.manifest(excluding: ["nothing"]).path])
        #expect(warmup.status == 0, "\(String(decoding: warmup.stderr, as: UTF8.self))")
        let roles = try roles(layout, namespace)
        #expect(Set(roles.filter { $0.value == "tag_set" }.keys) == ["tag:articles:entries", "tag:home:entries", "tag:users:entries"])
        // A tagged entry is named as Laravel names it: sha1 of its tag ids, then the key.
        #expect(roles[CacheLayout.laravelTaggedKey("profile", tagIDs: ["tag:users:entries"])] == "entry", "\(roles)")
        #expect(roles["count"] == "entry")
        #expect(try usage(layout, namespace, by: "tag") == Self.expectedTags.merging([UsageGrouping.tagSets: 3]) { $1 })
        // By prefix, Laravel's own namespaces: one per tag list, and its tag indexes under "tag".
        let prefixes = try usage(layout, namespace, by: "prefix")
        #expect(prefixes["tag"] == 3 && prefixes[UsageGrouping.noPrefix] == 6, "\(prefixes)")
    }
}
