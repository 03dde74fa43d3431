import CacheClient
import cachectlTests
import Foundation
import Testing

/// Issue 8 against the real redis-servers: password files from Windows and old Macs, `?db=N`,
/// other Redis types under `set` and `flush --dry-run`.
@Suite(.serialized) struct FirstContactRedisTests {
    func run(_ ns: RedisNamespace, _ args: [String], url: String? = nil, stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(args + ["--url", url ?? ns.url, "--key-prefix", ns.prefix, "--tag-prefix", ns.prefix + "tag:",
                            "--stats-key", ns.prefix + "stats"], stdin: stdin)
    }

    func redisCLI(_ url: String, _ args: [String]) throws -> String {
        let result = try ProcessRunner.run("redis-cli", ["-u", url] + args)
        #expect(result.status == 0, "redis-cli \(args): \(result.stderr.text)")
        return result.stdout.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func passwordFileLosesOneLineEndingAndARefusedTrailingCRIsNamed() throws {
        let url = try TestEnvironment.redisAuthURL
        let password = try TestEnvironment.redisPassword
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        // Windows (CRLF), Unix (LF), no line ending at all, and a second line that is ignored.
        for contents in [password + "\r\n", password + "\n", password, password + "\nsecond line\n"] {
            try Data(contents.utf8).write(to: file)
            let result = try CLI.run(["ping", "--url", url, "--password-file", file.path])
            #expect(result.status == 0, "\(contents.debugDescription): \(result.stderr.text)")
        }
        // A line that still ends in CR after one line ending is gone (old Mac files, CR CR LF):
        // the CR is part of the password, so the server refuses it, and the error says why.
        for contents in [password + "\r", password + "\r\r\n", "wrong\r"] {
            try Data(contents.utf8).write(to: file)
            let result = try CLI.run(["ping", "--url", url, "--password-file", file.path])
            #expect(result.status == 77)
            #expect(result.stderr.text.contains("carriage return"), "\(result.stderr.text)")
            #expect(result.stderr.text.contains(file.path))
            #expect(!result.stderr.text.contains(password) && !result.stderr.text.contains("wrong"))
        }
        // A wrong password without a CR gets no such hint.
        try Data("wrong\r\n".utf8).write(to: file)
        let plain = try CLI.run(["ping", "--url", url, "--password-file", file.path])
        #expect(plain.status == 77)
        #expect(!plain.stderr.text.contains("carriage return"))
    }

    @Test func databaseFromTheQuery() throws {
        let ns = try RedisNamespace()
        let db3 = ns.url + "/3"
        defer { _ = try? ProcessRunner.run("redis-cli", ["-u", db3, "DEL", ns.prefix + "k"]) }
        let set = try run(ns, ["set", "k", "in db 3"], url: ns.url + "?db=3")
        #expect(set.status == 0, "\(set.stderr.text)")
        #expect(try redisCLI(db3, ["GET", ns.prefix + "k"]) == "in db 3")
        #expect(try redisCLI(ns.url, ["EXISTS", ns.prefix + "k"]) == "0")
    }

    @Test(arguments: [("hash", ["HSET", "f", "v"]), ("list", ["RPUSH", "a", "b"]), ("set", ["SADD", "m"])])
    func setLeavesOtherTypesAloneWithoutForce(type: String, command: [String]) throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let key = ns.prefix + "other"
            _ = try redisCLI(ns.url, [command[0], key] + command.dropFirst())
            let refused = try run(ns, ["set", "other", "a string"])
            #expect(refused.status == 65, "\(refused.stderr.text)")
            #expect(refused.stderr.text.contains("holds a \(type)"), "\(refused.stderr.text)")
            #expect(refused.stderr.text.contains("--force"))
            #expect(refused.stdout.isEmpty)
            #expect(try redisCLI(ns.url, ["TYPE", key]) == type)
            #expect(try redisCLI(ns.url, ["HGET", ns.prefix + "stats", "sets"]) == "")
            let forced = try run(ns, ["set", "other", "a string", "--force"])
            #expect(forced.status == 0, "\(forced.stderr.text)")
            #expect(try redisCLI(ns.url, ["GET", key]) == "a string")
            // A string is replaced as always, and a missing key written.
            #expect(try run(ns, ["set", "other", "again"]).status == 0)
            #expect(try run(ns, ["set", "new", "v"]).status == 0)
        }
    }

    @Test func flushDryRunShowsTypes() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            #expect(try run(ns, ["set", "s", "v"]).status == 0)
            _ = try redisCLI(ns.url, ["HSET", ns.prefix + "h", "f", "v"])
            _ = try redisCLI(ns.url, ["RPUSH", ns.prefix + "l", "x"])
            let text = try run(ns, ["flush", "--all", "--dry-run"])
            #expect(text.status == 0, "\(text.stderr.text)")
            for (type, key) in [("string", "s"), ("hash", "h"), ("list", "l")] {
                #expect(text.stdout.text.contains(" \(type)  ") && text.stdout.text.contains(ns.prefix + key + "\n"), "\(text.stdout.text)")
            }
            let json = try run(ns, ["flush", "--pattern", "*", "--dry-run", "--format", "json"])
            let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
            #expect(object?["key_types"] as? [String: String] == [ns.prefix + "s": "string", ns.prefix + "h": "hash", ns.prefix + "l": "list"])
        }
    }
}
