import Foundation
import Testing

/// The built binary on a real snapshot file, no server needed.
@Suite struct SnapshotCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-cli-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("cache.snapshot").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func run(_ args: [String], stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(args + ["--url", "file:" + path], stdin: stdin)
    }

    @Test func megabyteBinaryValueRoundTripsThroughStdin() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SystemRandomNumberGenerator()
        let value = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(try run(["set", "blob", "-"], stdin: value).status == 0)
        let get = try run(["get", "blob", "--raw"])
        #expect(get.status == 0)
        #expect(get.stdout == value)
    }

    @Test func tagsAreKnownInTheSnapshot() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try run(["set", "ключ с пробелом", "v", "--tag", "b", "--tag", "a", "--ttl", "none"]).status == 0)
        let get = try run(["get", "ключ с пробелом", "--format", "jsonl"])
        let object = try JSONSerialization.jsonObject(with: get.stdout) as? [String: Any]
        #expect(object?["tags"] as? [String] == ["a", "b"])
        #expect(object?["ttl"] is NSNull)
        #expect(object?["value"] as? String == "v")
    }

    /// The Quick start on a fresh clone: no `.cachectl/` yet, and the lock file lives in it.
    @Test func lockFileInTheDefaultDirectoryWorksOnAFreshCheckout() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let result = try CLI.run(["warmup", "--command", "echo '{\"key\":\"k\",\"value\":\"v\"}'",
                                  "--lock-file", ".cachectl/warmup.lock"], directory: directory)
        #expect(result.status == 0, "\(result.stderr.text)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".cachectl/cache.snapshot").path))
        // Elsewhere a missing directory is a typo to report, not a tree to create.
        let typo = try CLI.run(["warmup", "--command", "true", "--lock-file", "missing-dir/warmup.lock"], directory: directory)
        #expect(typo.status == 74)
        #expect(typo.stderr.text.contains("missing-dir/warmup.lock"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("missing-dir").path))
    }

    @Test func readsDoNotCreateTheFile() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run(["get", "nothing"])
        #expect(result.status == 74, "a missing file is reported, not read as an empty cache")
        #expect(result.stderr.text.contains(path))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test(arguments: [Data("this is a text file, not a cache\n".utf8), Data(repeating: 0xAB, count: 8192), Data()])
    func foreignFileIsRefusedAndLeftUnchanged(contents: Data) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: path))
        for args in [["set", "k", "v"], ["get", "k"], ["stats"], ["delete", "k"]] {
            let result = try run(args)
            #expect(result.status == 65, "\(args)")
            #expect(String(decoding: result.stderr, as: UTF8.self).contains(path))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cache.snapshot"])
    }

    @Test func damagedSnapshotExits65AndIsLeftByteForByte() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Fill through the CLI, then damage pages in the middle of the file.
        for chunk in 0..<3 {
            #expect(try run(["set", "big:\(chunk)", "-"], stdin: Data(repeating: 0x78, count: 200_000)).status == 0)
        }
        // Merge the WAL (which outlives each command) into the file, as any SQLite program can.
        let merge = try ProcessRunner.run("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()", path])
        #expect(merge.status == 0)
        let url = URL(fileURLWithPath: path)
        var bytes = try Data(contentsOf: url)
        #expect(bytes.count > 100_000)
        for offset in stride(from: 8192, to: bytes.count - 4096, by: 4096) {
            bytes.replaceSubrange(offset..<offset + 64, with: Data(repeating: 0x5A, count: 64))
        }
        try bytes.write(to: url)
        var refused = 0
        for args in [["get", "big:1"], ["set", "big:2", "y"], ["stats"]] {
            let result = try run(args)
            if result.status == 65 { refused += 1 }
            #expect(result.status != 0, "\(args) succeeded on a damaged file")
        }
        #expect(refused > 0)
        #expect(try Data(contentsOf: url) == bytes)
    }

    @Test func fourProcessesWritingAtOnceLoseNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writers = 4
        let perWriter = 40
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            for index in 0..<perWriter {
                do {
                    let result = try run(["set", "w\(writer):\(index)", "v", "--tag", "w\(writer)", "-q"])
                    if result.status != 0 { failures.add(String(decoding: result.stderr, as: UTF8.self)) }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        let keys = (0..<writers).flatMap { writer in (0..<perWriter).map { "w\(writer):\($0)" } }
        let get = try run(["get"] + keys + ["--format", "jsonl"])
        #expect(get.status == 0)
        #expect(String(decoding: get.stdout, as: UTF8.self).split(separator: "\n").count == writers * perWriter)
        let stats = try run(["stats", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any]
        #expect((object?["app"] as? [String: Any])?["sets"] as? Int == writers * perWriter)
    }

    @Test func valueFromAFileAndRawOutputOfSeveralKeys() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("value.bin")
        try Data([0, 1, 2, 255]).write(to: file)
        #expect(try run(["set", "a", "--file", file.path]).status == 0)
        #expect(try run(["set", "b", "text"]).status == 0)
        let raw = try run(["get", "a", "b", "--raw"])
        #expect(raw.stdout == Data([0, 1, 2, 255, 0x0A]) + Data("text".utf8))
        let deleted = try run(["delete", "a", "missing", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: deleted.stdout) as? [String: Any]
        #expect(object?["deleted"] as? Int == 1)
        #expect(try run(["get", "a"]).status == 1)
    }

    @Test func unreadableFilesExit74NamingThePath() throws {
        let missing = "/nonexistent/\(UUID().uuidString)"
        let value = try CLI.run(["set", "k", "--file", missing, "--url", "dummy:"])
        #expect(value.status == 74)
        #expect(String(decoding: value.stderr, as: UTF8.self).contains(missing))
        let password = try CLI.run(["ping", "--url", "redis://127.0.0.1:1", "--password-file", missing])
        #expect(password.status == 74)
        #expect(String(decoding: password.stderr, as: UTF8.self).contains(missing))
    }

    @Test(arguments: [["--timeout", "0"], ["--timeout", "-1"], ["--format", "yaml"], ["--tag-prefix", ""]])
    func badGlobalOptionsAreUsageErrors(option: [String]) throws {
        let result = try CLI.run(["get", "k", "--url", "dummy:"] + option)
        #expect(result.status == 64)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains(option[0]))
    }

    @Test func quietAndNoColorKeepStdoutPlain() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let set = try CLI.run(["set", "k", "v", "-q", "--no-color", "--url", "file:" + path], environment: ["NO_COLOR": "1"])
        #expect(set.status == 0)
        #expect(!set.stdout.contains(0x1B))
        #expect(set.stderr.isEmpty)
    }

    @Test func warmupReadsCSVFromStandardInputWithInputFormat() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = "key,value,ttl,tags\na,\"x, y\",60,t1|t2\nb,plain,,t1\n"
        let result = try run(["warmup", "--from", "-", "--input-format", "csv", "--format", "json"], stdin: Data(csv.utf8))
        #expect(result.status == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        #expect(report?["written"] as? Int == 2)
        let get = try run(["get", "a", "--format", "jsonl"])
        let entry = try JSONSerialization.jsonObject(with: get.stdout) as? [String: Any]
        #expect(entry?["value"] as? String == "x, y")
        #expect(entry?["tags"] as? [String] == ["t1", "t2"])
        #expect(entry?["ttl"] as? Int == 60)
        let unknown = try run(["warmup", "--from", "-"], stdin: Data(csv.utf8))
        #expect(unknown.status == 65, "without --input-format, stdin is read as JSON Lines")
        #expect(String(decoding: unknown.stderr, as: UTF8.self).contains("<stdin>:1"))
    }

    @Test func dryRunListsAtMostTheLimit() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = (0..<30).map { #"{"key":"k\#($0)","value":"v","tags":["many"]}"# }.joined(separator: "\n")
        #expect(try run(["warmup", "--from", "-", "-q"], stdin: Data(lines.utf8)).status == 0)
        let dry = try run(["invalidate-tag", "many", "--dry-run", "--limit", "5", "--format", "json"])
        let report = try JSONSerialization.jsonObject(with: dry.stdout) as? [String: Any]
        let tag = (report?["tags"] as? [[String: Any]])?.first
        #expect(tag?["deleted"] as? Int == 30)
        #expect((tag?["keys"] as? [String])?.count == 5)
        let text = try run(["invalidate-tag", "many", "--dry-run", "--limit", "5"])
        #expect(String(decoding: text.stdout, as: UTF8.self).contains("… and 25 more"))
        #expect(try run(["get", "k0"]).status == 0, "a dry run deletes nothing")
    }

    @Test func unknownSchemeExits64() throws {
        let result = try CLI.run(["get", "k", "--url", "memcached://h:11211"])
        #expect(result.status == 64)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("Unknown URL scheme"))
    }

    @Test func badTTLIsAUsageErrorNamingTheOption() throws {
        let result = try CLI.run(["set", "k", "v", "--ttl", "soon", "--url", "dummy:"])
        #expect(result.status == 64)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("--ttl"))
    }

    @Test func dummyAcceptsWritesAndMissesReads() throws {
        #expect(try CLI.run(["set", "k", "v", "--url", "dummy:"]).status == 0)
        #expect(try CLI.run(["get", "k", "--url", "dummy:"]).status == 1)
    }

    @Test func jsonModeErrorsAreJSONOnStderr() throws {
        let result = try CLI.run(["get", "k", "--url", "memcached://h", "--format", "json"])
        #expect(result.status == 64)
        let object = try JSONSerialization.jsonObject(with: result.stderr) as? [String: [String: Any]]
        #expect(object?["error"]?["code"] as? Int == 64)
        #expect((object?["error"]?["message"] as? String)?.contains("memcached") == true)
    }
}

/// Failures collected from concurrent writers.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
