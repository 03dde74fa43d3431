import CacheClient
import cachectlTests
import Foundation
import Testing

/// The README's names against real output: every Prometheus metric (and labelled sample) it
/// mentions exists, every metric printed is documented, and every JSON field of its shapes table
/// appears in the command's `--format json` output. Alert rules and scripts written from the
/// README then match what the tool prints.
@Suite(.serialized) struct DocumentationDriftTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-docs-\(UUID().uuidString)")

    var readme: String { get throws { try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8) } }

    // MARK: Prometheus

    @Test func everyDocumentedMetricIsPrintedAndEveryPrintedOneDocumented() throws {
        let readme = try readme
        let documented = Set(readme.matches(of: /cachectl_[a-z_]+/).map { String($0.output) })
        let labelled = readme.matches(of: /(cachectl_[a-z_]+)\{([a-z_]+)="([^"]*)"\}/).map {
            Sample(name: String($0.output.1), labels: [String($0.output.2): String($0.output.3)])
        }
        #expect(documented.count >= 10, "the README lists too few metrics: \(documented)")
        #expect(!labelled.isEmpty)

        let ns = try RedisNamespace()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = "file:" + directory.appendingPathComponent("cache.snapshot").path
        var printed: [Sample] = []
        try ns.withCleanup {
            for url in [ns.url, snapshot] {
                // Reads through the library (hits and misses in the app counters), and a CLI read
                // (the server's keyspace hits and misses on Redis), so every hit rate is printed.
                let cache = try Cache(url: url, configuration: ns.configuration)
                try cache.set("k", "v", tags: ["t"])
                _ = try cache.get("k")
                _ = try cache.get("absent")
                _ = try CLI.run(["get", "k", "absent", "--url", url, "--key-prefix", ns.prefix])
                // --per-node (Redis only) prints the cachectl_node_* families.
                let result = try CLI.run(["stats", "--format", "prometheus", "--url", url, "--key-prefix", ns.prefix,
                                          "--tag-prefix", ns.prefix + "tag:", "--stats-key", ns.prefix + "stats"]
                                         + (url == ns.url ? ["--per-node"] : []))
                #expect(result.status == 0, "\(url): \(result.stderr.text)")
                printed += Sample.parse(result.stdout.text)
            }
        }
        let names = Set(printed.map(\.name))
        for name in documented.sorted() {
            #expect(names.contains(name), "README mentions \(name), which stats --format prometheus never prints")
        }
        for name in names.sorted() {
            #expect(documented.contains(name), "stats --format prometheus prints \(name), which the README does not list")
        }
        for sample in labelled {
            #expect(printed.contains { seen in seen.name == sample.name && sample.labels.allSatisfy { seen.labels[$0.key] == $0.value } },
                    "README shows \(sample.name)\(sample.labels), which is never printed")
        }
    }

    // MARK: JSON

    /// The README's "Shapes of the main results" table: command → documented field names.
    func documentedShapes() throws -> [String: Set<String>] {
        let readme = try readme
        guard let start = readme.range(of: "| command | fields |") else {
            Issue.record("README has no shapes table (| command | fields |)")
            return [:]
        }
        var shapes: [String: Set<String>] = [:]
        for line in readme[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2) {
            guard line.hasPrefix("| `") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2 else { continue }
            let command = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            // Remarks in parentheses without code, `(dry run)`, `(with --orphans)`, name no field.
            var fields = cells[1]
            while let remark = fields.firstMatch(of: /\s*\([^()`]*\)/) { fields.removeSubrange(remark.range) }
            var names: Set<String> = []
            for code in fields.matches(of: /`([^`]+)`/) {
                for name in code.output.1.matches(of: /[a-z][a-z0-9_]*/) { names.insert(String(name.output)) }
            }
            shapes[command] = names
        }
        return shapes
    }

    @Test func everyDocumentedJSONFieldIsPrinted() throws {
        let shapes = try documentedShapes()
        #expect(shapes.count >= 10, "\(shapes.keys.sorted())")
        let ns = try RedisNamespace()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshotURL = "file:" + directory.appendingPathComponent("target.snapshot").path
        let options = ["--key-prefix", ns.prefix, "--tag-prefix", ns.prefix + "tag:", "--stats-key", ns.prefix + "stats", "--format", "json"]
        try ns.withCleanup {
            var printed: [String: Set<String>] = [:]
            func json(_ command: String, _ args: [String], url: String? = nil, stdin: Data? = nil) throws {
                let result = try CLI.run(args + options + ["--url", url ?? ns.url], stdin: stdin)
                guard let object = try? JSONSerialization.jsonObject(with: result.stdout) else {
                    Issue.record("\(args) printed no JSON (exit \(result.status)): \(result.stderr.text)")
                    return
                }
                printed[command, default: []].formUnion(Self.fieldNames(object))
            }
            try json("set", ["set", "a", "v", "--tag", "t1"])
            try json("set", ["set", "b", "v", "--tag", "t2"])
            try json("get", ["get", "a", "absent"])
            _ = try ProcessRunner.run("redis-cli", ["-u", ns.url, "HSET", ns.prefix + "hh", "f", "v"])
            try json("get", ["get", "a", "hh"])  // a key of another type: other_types [{key, type}]
            try json("ping", ["ping"])
            try json("invalidate-tag", ["invalidate-tag", "t1", "--dry-run"])
            try json("invalidate-tag", ["invalidate-tag", "t1"])
            try json("delete", ["delete", "b"])  // leaves a stale member in t2 for tags and tags prune
            try json("tags", ["tags", "--orphans"])
            try json("tags prune", ["tags", "prune", "--dry-run"])
            try json("check", ["check"])  // finds the stale member: a problem with all its fields
            try json("flush", ["flush", "--pattern", "zz*", "--dry-run"])
            try json("flush", ["flush", "--prefix", "zz", "--yes"])
            try json("warmup", ["warmup", "--from", "-", "--skip-invalid"],
                     stdin: Data((#"{"key":"w","value":"v"}"# + "\n" + #"{"key":"bad","value":"v","ttl":-1}"#).utf8))
            try json("stats", ["stats", "--window", "200ms", "--assert", "hit_rate>=0"])
            try json("stats", ["stats", "--per-node"])
            // A key the target already holds with another value (a conflict, skipped, then a
            // verify mismatch), and a hash the snapshot cannot hold (skipped by type).
            #expect(try CLI.run(["set", "w", "other"] + options + ["--url", snapshotURL]).status == 0)
            try json("stats", ["stats"], url: snapshotURL)
            _ = try ProcessRunner.run("redis-cli", ["-u", ns.url, "HSET", ns.prefix + "h", "f", "v"])
            try json("migrate", ["migrate", "--from", ns.url, "--to", snapshotURL, "--on-conflict", "skip", "--verify"])
            try json("migrate", ["migrate", "--from", ns.url, "--to", snapshotURL, "--dry-run"])
            // A key that is not UTF-8 (key_base64), the biggest of the biggest group (usage's biggest_key).
            let binary = RedisArgument(bytes: Array(ns.prefix.utf8) + [0x62, 0xFF, 0xFE])
            _ = try ns.connection().send(["SET", binary, RedisArgument(String(repeating: "x", count: 20_000))])
            defer { _ = try? ns.connection().send(["UNLINK", binary]) }
            // Two groups (the entries, the tag sets) so that --top 1 also prints `other`.
            try json("keys", ["keys"])
            try json("usage", ["usage", "--exact", "--top", "1", "--assert", "keys>0"])
            // JSON Lines: the row names the fields of each line.
            let lines = try CLI.run(["keys", "--url", ns.url] + options.dropLast(2) + ["--format", "jsonl"])
            for line in lines.stdout.text.split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) {
                    printed["keys --format jsonl", default: []].formUnion(Self.fieldNames(object))
                }
            }

            for (command, fields) in shapes.sorted(by: { $0.key < $1.key }) {
                guard let output = printed[command] else {
                    Issue.record("the shapes table lists \(command), which this test does not run: add it")
                    continue
                }
                let missing = fields.subtracting(output)
                #expect(missing.isEmpty, "README lists \(missing.sorted()) for \(command); its --format json printed \(output.sorted())")
            }
        }
    }

    /// Every object key at any depth.
    static func fieldNames(_ value: Any) -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set(object.keys)) { $0.formUnion(fieldNames($1.value)) }
        }
        if let array = value as? [Any] { return array.reduce(into: []) { $0.formUnion(fieldNames($1)) } }
        return []
    }
}

/// One line of exposition text: the metric name and its labels.
struct Sample {
    let name: String
    let labels: [String: String]

    static func parse(_ text: String) -> [Sample] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            guard let name = line.firstMatch(of: /^[a-z_]+/) else { return nil }
            var labels: [String: String] = [:]
            for label in line.matches(of: /([a-z_]+)="([^"]*)"/) { labels[String(label.output.1)] = String(label.output.2) }
            return Sample(name: String(name.output), labels: labels)
        }
    }
}
