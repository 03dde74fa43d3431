import Foundation
import Testing

/// Snapshot files damaged at seeded random offsets: every command either works or refuses with 65,
/// a refused file (and its -wal) is left byte for byte, and `cachectl check` finds the damage.
/// `CACHECTL_FUZZ_SEED` replays another seed.
@Suite(.serialized) struct SnapshotDamageTests {
    static let seed = ProcessInfo.processInfo.environment["CACHECTL_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x9B_D4
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-damage-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A snapshot of 3,000 tagged entries (some values large enough for overflow pages, six
    /// kept in `large_values`), with its WAL merged into the file so that damage in the file is
    /// damage in live pages.
    func template() throws -> String {
        let manifest = path("fill.jsonl")
        var lines = ""
        for index in 0..<3000 {
            let size = index % 500 == 0 ? 100_000 : index % 100 == 0 ? 9000 : 200
            lines += "{\"key\":\"k:\(index)\",\"value\":\"\(String(repeating: "v", count: size))\",\"ttl\":null,\"tags\":[\"t:\(index % 7)\"]}\n"
        }
        try Data(lines.utf8).write(to: URL(fileURLWithPath: manifest))
        let file = path("template.snapshot")
        let warmup = try CLI.run(["warmup", "--from", manifest, "--url", "file:" + file])
        #expect(warmup.status == 0, "\(warmup.stderr.text)")
        let merge = try ProcessRunner.run("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()", file])
        #expect(merge.status == 0)
        return file
    }

    func contents(_ file: String) -> [String: Data] {
        var all: [String: Data] = [:]
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: file + suffix) { all[suffix] = data }
        }
        return all
    }

    @Test func randomDamageIsRefusedOrHarmlessAndCheckFindsIt() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Data(contentsOf: URL(fileURLWithPath: try template()))
        #expect(original.count > 1_000_000)
        var random = SplitMix(seed: Self.seed)
        let commands: [[String]] = [["get", "k:1500"], ["get", "k:17", "k:2999"], ["get", "k:1000", "--raw"], ["get", "k:2500", "--format", "jsonl"], ["set", "k:1500", "new"], ["ping"], ["stats"],
                                    ["tags"], ["delete", "k:100"], ["invalidate-tag", "t:3"], ["flush", "--prefix", "k:2", "--yes"],
                                    ["tags", "prune"], ["migrate", "--from", "file:SNAPSHOT", "--to", "jsonl:" + path("out.jsonl"),
                                                        "--on-conflict", "replace"]]
        var refusals = 0
        for run in 0..<12 {
            let file = path("damaged-\(run).snapshot")
            var bytes = original
            // 10 KB of random bytes past the 100-byte header (damage to the header is refused before SQLite sees it).
            let length = 10_240
            let offset = 100 + Int(random.next() % UInt64(bytes.count - 100 - length))
            bytes.replaceSubrange(offset..<offset + length, with: Data((0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
            try bytes.write(to: URL(fileURLWithPath: file))
            let context = "seed \(Self.seed), run \(run), offset \(offset)"

            let check = try CLI.run(["check", "--url", "file:" + file])
            #expect(check.status == 65, "\(context): check exit \(check.status): \(check.stdout.text) \(check.stderr.text)")
            #expect(contents(file) == ["": bytes], "\(context): check changed the file or left side files")

            for command in commands {
                let before = contents(file)
                let args = command.map { $0.replacingOccurrences(of: "SNAPSHOT", with: file) }
                let result = try CLI.run(args + (args.first == "migrate" ? [] : ["--url", "file:" + file]))
                let detail = "\(context): \(args.joined(separator: " ")) exit \(result.status): \(result.stderr.text)"
                #expect([0, 1, 65].contains(result.status), "\(detail)")
                if result.status == 65 {
                    refusals += 1
                    #expect(result.stderr.text.contains(file), "\(detail)")
                    #expect(contents(file)[""] == before[""], "\(context): the refused file was modified by \(args)")
                    #expect(contents(file)["-wal"] == before["-wal"], "\(context): the refused file's WAL was changed by \(args)")
                }
            }
        }
        #expect(refusals > 0, "seed \(Self.seed): no command noticed any damage")
    }

    @Test func aRefusedFileKeepsItsPendingWriteAheadLog() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try template()
        // Pending writes in the WAL (cachectl never checkpoints on exit), then damage to the file.
        #expect(try CLI.run(["set", "pending", "in-the-wal", "--url", "file:" + file]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        for offset in stride(from: 8192, to: bytes.count - 4096, by: 4096) {
            bytes.replaceSubrange(offset..<offset + 64, with: Data(repeating: 0x5A, count: 64))
        }
        try bytes.write(to: URL(fileURLWithPath: file))
        let before = contents(file)
        #expect(before["-wal"].map { !$0.isEmpty } == true)
        for args in [["get", "k:1500"], ["stats"], ["set", "k:1", "x"], ["check"], ["tags"]] {
            let result = try CLI.run(args + ["--url", "file:" + file])
            #expect(result.status == 65, "\(args): \(result.stderr.text)")
            // The -shm file is SQLite's shared-memory index, rewritten by any reader; it must stay, not stay identical.
            let after = contents(file)
            #expect(after[""] == before[""] && after["-wal"] == before["-wal"], "\(args) changed the damaged file or its WAL")
            #expect(after["-shm"] != nil, "\(args) removed the -shm file")
        }
    }

    @Test func damageInTheSchemaTextIsBadData() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try template()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        // Rename the column `key` in the stored CREATE TABLE text (same length, so SQLite still parses it).
        let needle = Data("entries(key TEXT".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes.replaceSubrange(range, with: Data("entries(kez TEXT".utf8))
        try bytes.write(to: URL(fileURLWithPath: file))
        let before = contents(file)
        for args in [["get", "k:1"], ["set", "k:1", "x"], ["stats"], ["ping"], ["check"]] {
            let result = try CLI.run(args + ["--url", "file:" + file])
            #expect(result.status == 65, "\(args): \(result.stderr.text)")
            #expect(result.stderr.text.contains(file))
            #expect(contents(file) == before)
        }
    }

    /// Format 2 keeps large values in their own table: an entry whose row there is gone (as
    /// another program could leave it) is refused as damage by the command that reads it and by
    /// `check`, and the file stays as it was; the other entries are still served.
    @Test func anEntryWithoutItsLargeValueIsRefusedAsDamage() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try template()
        let cut = try ProcessRunner.run("python3", ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("DELETE FROM large_values WHERE id = (SELECT value_id FROM entries WHERE key = 'k:1000')")
            c.commit(); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()
            """, file])
        #expect(cut.status == 0, "\(cut.stderr.text)")
        let before = contents(file)
        for args in [["get", "k:1000"], ["get", "k:1000", "--raw"], ["get", "k:1000", "--format", "json"], ["check"]] {
            let result = try CLI.run(args + ["--url", "file:" + file])
            #expect(result.status == 65, "\(args): \(result.status) \(result.stderr.text)")
            #expect((result.stderr.text + result.stdout.text).contains(args == ["check"] ? "large value" : file), "\(args): \(result.stderr.text)")
            #expect(contents(file)[""] == before[""], "\(args) changed the file")
        }
        let other = try CLI.run(["get", "k:1500", "--raw", "--url", "file:" + file])
        #expect(other.status == 0 && other.stdout.count == 100_000)
    }

    @Test func checkPassesOnAHealthyFileWithTableAndJSON() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try template()
        let table = try CLI.run(["check", "--url", "file:" + file])
        #expect(table.status == 0, "\(table.stderr.text)")
        #expect(table.stdout.text.contains("ok"))
        let json = try CLI.run(["check", "--url", "file:" + file, "--format", "json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect(object?["schema"] as? Int == 1)
        #expect(object?["ok"] as? Bool == true)
        #expect(object?["backend"] as? String == "snapshot")
        #expect((object?["problems"] as? [Any])?.isEmpty == true)
        let missing = try CLI.run(["check", "--url", "file:" + path("typo.snapshot")])
        #expect(missing.status == 74)
    }
}

/// SplitMix64, for seeded damage that replays exactly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
