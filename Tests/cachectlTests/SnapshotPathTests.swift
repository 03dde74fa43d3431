import Foundation
import Testing

/// A mistyped snapshot path is reported, never silently created or read as an empty cache; a file
/// the user may not write is one clear 74 with nothing written.
@Suite struct SnapshotPathTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-path-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test(arguments: [["ping"], ["stats"], ["get", "k"], ["tags"], ["tags", "prune"], ["delete", "k"],
                      ["flush", "--all", "--yes"], ["invalidate-tag", "t"], ["stats", "--reset", "--yes"]])
    func readingAMissingSnapshotExits74NamingIt(args: [String]) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        for missing in [path("typo.snapshot"), path("missingdir/x.snapshot")] {
            let result = try CLI.run(args + ["--url", "file:" + missing])
            #expect(result.status == 74, "\(args) on \(missing): \(result.stdout.text) \(result.stderr.text)")
            #expect(result.stderr.text.contains(missing), "\(result.stderr.text)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing was created")
    }

    @Test func migrateFromAMissingSnapshotLeavesTheTargetAlone() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let backup = path("existing.jsonl")
        let contents = Data("{\"key\":\"a\",\"value\":\"precious\"}\n".utf8)
        try contents.write(to: URL(fileURLWithPath: backup))
        let result = try CLI.run(["migrate", "--from", "file:" + path("typo.snapshot"), "--to", "jsonl:" + backup])
        #expect(result.status == 74, "\(result.stderr.text)")
        #expect(result.stderr.text.contains(path("typo.snapshot")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == contents)
    }

    @Test func anExistingJSONLinesTargetIsAConflict() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = "file:" + path("s.snapshot")
        #expect(try CLI.run(["set", "b", "new", "--url", snapshot]).status == 0)
        let backup = path("existing.jsonl")
        let contents = Data("{\"key\":\"a\",\"value\":\"precious\"}\n".utf8)
        try contents.write(to: URL(fileURLWithPath: backup))
        let refused = try CLI.run(["migrate", "--from", snapshot, "--to", "jsonl:" + backup])
        #expect(refused.status == 65, "\(refused.stderr.text)")
        #expect(refused.stderr.text.contains(backup))
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == contents)
        let skip = try CLI.run(["migrate", "--from", snapshot, "--to", "jsonl:" + backup, "--on-conflict", "skip"])
        #expect(skip.status == 64, "\(skip.stderr.text)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: backup)) == contents)
        let replace = try CLI.run(["migrate", "--from", snapshot, "--to", "jsonl:" + backup, "--on-conflict", "replace"])
        #expect(replace.status == 0, "\(replace.stderr.text)")
        #expect(try String(contentsOfFile: backup, encoding: .utf8).contains("\"new\""))
        #expect(try !String(contentsOfFile: backup, encoding: .utf8).contains("precious"))
    }

    @Test func writesCreateTheFileOnlyInAnExistingDirectory() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let deep = path("missing/sub/x.snapshot")
        let set = try CLI.run(["set", "k", "v", "--url", "file:" + deep])
        #expect(set.status == 74, "\(set.stderr.text)")
        #expect(set.stderr.text.contains(deep))
        #expect(!FileManager.default.fileExists(atPath: path("missing")))
        let warmup = try CLI.run(["warmup", "--command", "echo '{\"key\":\"k\",\"value\":\"v\"}'", "--url", "file:" + deep])
        #expect(warmup.status == 74, "\(warmup.stderr.text)")
        #expect(!FileManager.default.fileExists(atPath: path("missing")))
        // In an existing directory the first write creates the file; so does the default directory.
        #expect(try CLI.run(["set", "k", "v", "--url", "file:" + path("x.snapshot")]).status == 0)
        #expect(try CLI.run(["get", "k", "--url", "file:" + path("x.snapshot")]).status == 0)
        let fresh = try CLI.run(["set", "k", "v"], directory: directory)
        #expect(fresh.status == 0, "\(fresh.stderr.text)")
        #expect(FileManager.default.fileExists(atPath: path(".cachectl/cache.snapshot")))
    }

    @Test func warmupIntoASnapshotTheUserMayNotWriteIsOne74() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = path("ro.snapshot")
        #expect(try CLI.run(["set", "before", "v", "--url", "file:" + snapshot]).status == 0)
        let manifest = path("m.jsonl")
        try Data((1...300).map { "{\"key\":\"k\($0)\",\"value\":\"v\"}\n" }.joined().utf8).write(to: URL(fileURLWithPath: manifest))
        let before = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        let result = try runWithoutWriteAccess(to: snapshot, ["warmup", "--from", manifest, "--batch", "3", "--url", "file:" + snapshot])
        #expect(result.status == 74, "\(result.stderr.text)")
        let lines = result.stderr.text.split(separator: "\n")
        #expect(lines.count == 1, "one clear line: \(result.stderr.text)")
        #expect(result.stderr.text.contains(snapshot))
        #expect(try Data(contentsOf: URL(fileURLWithPath: snapshot)) == before)
        let stats = try CLI.run(["stats", "--format", "json", "--url", "file:" + snapshot])
        let object = try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any]
        #expect(object?["entries"] as? Int == 1, "nothing written")
    }

    /// Runs cachectl as a user who may read `file` but not write it: as root (which ignores
    /// permissions) through `setpriv` as nobody; otherwise with the file made read-only.
    func runWithoutWriteAccess(to file: String, _ args: [String]) throws -> ProcessOutput {
        if geteuid() == 0 {
            for suffix in ["", "-wal", "-shm"] { chmod(file + suffix, 0o644) }
            chmod(directory.path, 0o755)
            return try ProcessRunner.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path] + args)
        }
        chmod(file, 0o444)
        defer { chmod(file, 0o644) }
        return try CLI.run(args)
    }
}
