import Foundation
import Testing

/// What a newcomer meets first (issue 8), on the built binary and a real snapshot file: typos,
/// manifests from everyday tools, empty keys, terminal safety, mistyped URLs, small surprises.
@Suite final class FirstContactTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-first-\(UUID().uuidString)")
    var path: String { directory.appendingPathComponent("cache.snapshot").path }

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> ProcessOutput {
        try CLI.run(args + ["--url", "file:" + path], stdin: stdin, environment: environment, directory: directory)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = directory.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    func keys() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let result = try run(["flush", "--all", "--dry-run", "--limit", "1000", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        return (object?["keys"] as? [String] ?? []).sorted()
    }

    // MARK: 2. a typo names the option the user got wrong

    @Test(arguments: [["--url", "dummy:", "--bogus", "ping"], ["--bogus", "--url", "dummy:", "ping"], ["-q", "--bogus", "ping"],
                      ["ping", "--url", "dummy:", "--bogus"]])
    func typoIsNamedWithTheSubcommandsUsage(args: [String]) throws {
        let result = try CLI.run(args)
        #expect(result.status == 64)
        #expect(result.stderr.text.contains("Unknown option '--bogus'"), "\(result.stderr.text)")
        #expect(!result.stderr.text.contains("'--url'") && !result.stderr.text.contains("'-q'"))
        #expect(result.stderr.text.contains("Usage: cachectl ping"), "\(result.stderr.text)")
        #expect(result.stdout.isEmpty)
    }

    @Test func typoInJSONModeIsNamedToo() throws {
        let result = try CLI.run(["--url", "dummy:", "--format", "json", "--bogus", "get", "k"])
        #expect(result.status == 64)
        let object = try JSONSerialization.jsonObject(with: result.stderr) as? [String: [String: Any]]
        #expect(object?["error"]?["code"] as? Int == 64)
        #expect((object?["error"]?["message"] as? String)?.contains("'--bogus'") == true, "\(result.stderr.text)")
    }

    @Test func globalOptionsAloneAskForASubcommand() throws {
        let result = try CLI.run(["--url", "dummy:"])
        #expect(result.status == 64)
        #expect(result.stderr.text.contains("subcommand"))
        #expect(!result.stderr.text.contains("Unknown option '--url'"))
    }

    // MARK: 4. a byte-order mark and invisible characters

    @Test func byteOrderMarkStartsCSVAndJSONLinesFiles() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let csv = try write("bom.csv", bom + Array("key,value,ttl\r\ncsv:1,one,60\r\n".utf8))
        let jsonl = try write("bom.jsonl", bom + Array(#"{"key":"jsonl:1","value":"one"}"#.utf8) + [0x0A])
        for file in [csv, jsonl] {
            let result = try run(["warmup", "--from", file])
            #expect(result.status == 0, "\(file): \(result.stderr.text)")
        }
        #expect(try keys() == ["csv:1", "jsonl:1"])
        let value = try run(["get", "csv:1", "--raw"])
        #expect(value.stdout.text == "one")
    }

    @Test(arguments: [("jsonl", Array(#"{"key":"stdin:1","value":"v"}"#.utf8)), ("csv", Array("key,value\nstdin:1,v\n".utf8))])
    func byteOrderMarkStartsStandardInput(format: String, body: [UInt8]) throws {
        let result = try run(["warmup", "--from", "-", "--input-format", format], stdin: Data([0xEF, 0xBB, 0xBF] + body))
        #expect(result.status == 0, "\(result.stderr.text)")
        #expect(try keys() == ["stdin:1"])
    }

    @Test(arguments: ["utf16.jsonl", "utf16.csv"])
    func utf16ManifestIsNamedAsSuch(name: String) throws {
        let text = name.hasSuffix(".csv") ? "key,value\r\nk,v\r\n" : #"{"key":"k","value":"v"}"# + "\r\n"
        let file = try write(name, [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let result = try run(["warmup", "--from", file])
        #expect(result.status == 65)
        #expect(result.stderr.text.contains("\(file):1: the input is UTF-16"), "\(result.stderr.text)")
        #expect(try keys().isEmpty)
    }

    @Test func invisibleCharactersInAHeaderAreShownEscaped() throws {
        // A zero-width space after "key", and a BOM in the middle of the header (only a leading one is skipped).
        let file = try write("hidden.csv", Array("key\u{200B},value\n".utf8))
        let result = try run(["warmup", "--from", file])
        #expect(result.status == 65)
        #expect(result.stderr.text.contains(#"unknown column "key\u{200B}""#), "\(result.stderr.text)")
        #expect(!result.stderr.text.unicodeScalars.contains("\u{200B}"))
        let second = try write("second.csv", Array("value,\u{FEFF}key\n".utf8))
        let bom = try run(["warmup", "--from", second])
        #expect(bom.status == 65)
        #expect(bom.stderr.text.contains(#"\u{FEFF}key"#), "\(bom.stderr.text)")
        #expect(try keys().isEmpty)
    }

    @Test func controlCharactersInMessagesAreEscaped() throws {
        let key = "gone\u{1B}]0;pwned\u{07}\u{1B}[2J"
        #expect(try run(["set", "present", "v"]).status == 0)
        let missing = try run(["get", key])
        #expect(missing.status == 1)
        #expect(!missing.stderr.contains(0x1B) && !missing.stderr.contains(0x07), "\(missing.stderr.text)")
        #expect(missing.stderr.text.contains(#"gone\u{1B}]0;pwned\u{7}\u{1B}[2J"#), "\(missing.stderr.text)")
        let option = try CLI.run(["get", "k", "--bo\u{1B}[2Jgus"])
        #expect(option.status == 64)
        #expect(!option.stderr.contains(0x1B))
        #expect(option.stderr.text.contains(#"--bo\u{1B}[2Jgus"#))
    }

    // MARK: 6. empty keys: one rule

    @Test(arguments: [["set", "", "v"], ["get", ""], ["get", "a", ""], ["delete", ""]])
    func emptyKeyOnTheCommandLineIsAUsageError(args: [String]) throws {
        let result = try run(args)
        #expect(result.status == 64, "\(args): \(result.stderr.text)")
        #expect(result.stderr.text.contains("key must not be empty"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func emptyKeyInDataIsBadData() throws {
        let jsonl = try write("empty.jsonl", Array(#"{"key":"","value":"v"}"#.utf8) + [0x0A])
        let csv = try write("empty.csv", Array("key,value\n,v\n".utf8))
        for file in [jsonl, csv] {
            let result = try run(["warmup", "--from", file])
            #expect(result.status == 65, "\(file)")
            #expect(result.stderr.text.contains(file + ":"), "\(result.stderr.text)")
        }
        #expect(try keys().isEmpty)
    }

    // MARK: 7. terminal safety and display width

    @Test func keysAndTagsWithControlCharactersNeverReachTheTerminalRaw() throws {
        let key = "evil\u{1B}[31m\nrow"
        let tag = "tag\u{1B}]0;title\u{07}"
        let set = try run(["set", key, "v", "--tag", tag])
        #expect(set.status == 0, "\(set.stderr.text)")
        var outputs = [set.stdout]
        outputs.append(try run(["get", key]).stdout)
        outputs.append(try run(["get", key, "other"]).stdout)
        outputs.append(try run(["flush", "--all", "--dry-run"]).stdout)
        outputs.append(try run(["tags"]).stdout)
        outputs.append(try run(["invalidate-tag", tag, "--dry-run"]).stdout)
        for output in outputs {
            #expect(!output.contains(0x1B) && !output.contains(0x07), "\(output.text)")
            #expect(!output.text.contains("evil\u{1B}") && !output.text.contains("\nrow"))
            #expect(output.text.contains(#"\u{1B}"#), "\(output.text)")
        }
        // JSON keeps the exact key.
        let json = try run(["get", key, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        let entry = (object?["entries"] as? [[String: Any]])?.first
        #expect(entry?["key"] as? String == key)
        #expect(entry?["tags"] as? [String] == [tag])
    }

    @Test func tablesAlignDoubleWidthKeys() throws {
        #expect(try run(["set", "記事:一", "v", "--ttl", "5m"]).status == 0)
        #expect(try run(["set", "ab", "v", "--ttl", "5m"]).status == 0)
        let table = try run(["get", "記事:一", "ab"]).stdout.text.split(separator: "\n").map(String.init)
        // 記事:一 takes 7 columns: 記 and 事 and 一 two each, the colon one.
        #expect(table.count == 3)
        #expect(table[0].hasPrefix("KEY      TTL"), "\(table)")
        #expect(table[1].hasPrefix("記事:一  5m"), "\(table)")
        #expect(table[2].hasPrefix("ab       5m"), "\(table)")
    }

    // MARK: 9. small surprises

    @Test func dbQueryIsReadAndOtherQueriesAreNamed() throws {
        let ok = try CLI.run(["ping", "--url", "redis://127.0.0.1:1?db=3", "--timeout", "0.5", "-v"])
        #expect(ok.status == 69, "\(ok.stderr.text)")
        #expect(ok.stderr.text.contains("using redis://127.0.0.1:1/3"), "\(ok.stderr.text)")
        let unknown = try CLI.run(["ping", "--url", "redis://127.0.0.1:1?dbx=3"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.text.contains(#"unknown query parameter "dbx""#), "\(unknown.stderr.text)")
        let twice = try CLI.run(["ping", "--url", "redis://127.0.0.1:1/2?db=3"])
        #expect(twice.status == 64)
    }

    @Test(arguments: ["dummy", "redis", "DUMMY"])
    func schemeNameWithoutItsColonIsRefused(word: String) throws {
        let result = try CLI.run(["set", "k", "v", "--url", word], directory: directory)
        #expect(result.status == 64, "\(result.stderr.text)")
        #expect(result.stderr.text.contains("colon"), "\(result.stderr.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        // An existing file of that name is the snapshot file it names.
        #expect(try CLI.run(["set", "k", "v", "--url", "./" + word], directory: directory).status == 0)
        #expect(try CLI.run(["get", "k", "--url", word], directory: directory).status == 0)
    }

    @Test func unknownSchemeListsUnix() throws {
        let result = try CLI.run(["ping", "--url", "memcached://127.0.0.1:11211"])
        #expect(result.status == 64)
        #expect(result.stderr.text.contains("unix://"), "\(result.stderr.text)")
        #expect(result.stderr.text.contains("redis://") && result.stderr.text.contains("dummy:"))
    }

    /// Issue 9, item 23: a password in a malformed URL is never printed, and a bare path that
    /// looks like a URL is not turned into a new snapshot file.
    @Test(arguments: ["redis:/:s3cret@127.0.0.1:6379", "redis//:s3cret@127.0.0.1:6379", "redis:user:s3cret@127.0.0.1:6379",
                      "redis:/user:s3cret@127.0.0.1", "127.0.0.1//:s3cret@", "s3cret@127.0.0.1:6379", "rediss:/:s3cret@h:1"])
    func passwordInAMalformedURLIsNeverPrinted(url: String) throws {
        for format in ["table", "json"] {
            for (args, environment) in [(["set", "k", "v", "--url", url, "--format", format], [:]),
                                        (["set", "k", "v", "--format", format, "-v"], ["CACHECTL_URL": url]),
                                        (["ping", "--format", format], ["REDIS_URL": url])] {
                let result = try CLI.run(args, environment: environment, directory: directory)
                #expect(result.status == 64, "\(url) \(args): \(result.stderr.text)")
                #expect(!result.stderr.text.contains("s3cret") && !result.stdout.text.contains("s3cret"), "\(result.stderr.text)")
                #expect(result.stderr.text.contains("***"), "\(result.stderr.text)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func setWithoutAValueNeedsTheDash() throws {
        let result = try run(["set", "k"])  // stdin is /dev/null, as under cron
        #expect(result.status == 64)
        #expect(result.stderr.text.contains("- to read standard input"), "\(result.stderr.text)")
        #expect(!FileManager.default.fileExists(atPath: path))
        let piped = try run(["set", "k", "-"], stdin: Data("from stdin".utf8))
        #expect(piped.status == 0)
        #expect(try run(["get", "k", "--raw"]).stdout.text == "from stdin")
    }

    @Test func invalidDefaultTimeoutOnlyStopsCommandsThatWriteWithIt() throws {
        let environment = ["CACHE_DEFAULT_TIMEOUT": "5 minutes"]
        #expect(try run(["set", "k", "v", "--ttl", "1h"], environment: environment).status == 0)
        #expect(try run(["ping"], environment: environment).status == 0)
        #expect(try run(["get", "k"], environment: environment).status == 0)
        #expect(try run(["stats", "--format", "json"], environment: environment).status == 0)
        #expect(try run(["delete", "nothing"], environment: environment).status == 0)
        let set = try run(["set", "k2", "v"], environment: environment)
        #expect(set.status == 64)
        #expect(set.stderr.text.contains(#"Invalid CACHE_DEFAULT_TIMEOUT "5 minutes""#), "\(set.stderr.text)")
        let manifest = try write("m.jsonl", Array(#"{"key":"w","value":"v"}"#.utf8))
        #expect(try run(["warmup", "--from", manifest], environment: environment).status == 64)
        #expect(try keys() == ["k"])
    }

    @Test(arguments: [(#"{"key":"a","value":"v","tll":5}"#, "tll", "ttl"), (#"{"key":"a","value":"v","tag":["x"]}"#, "tag", "tags"),
                      (#"{"Key":"a","value":"v"}"#, "Key", "key"), (#"{"key":"a","vaule":"v"}"#, "vaule", "value")])
    func nearMissOfAKnownFieldIsRefusedNamingIt(line: String, field: String, meant: String) throws {
        let manifest = try write("typo.jsonl", Array((#"{"key":"ok","value":"v"}"# + "\n" + line + "\n").utf8))
        let result = try run(["warmup", "--from", manifest])
        #expect(result.status == 65)
        #expect(result.stderr.text.contains("\(manifest):2: unknown field \"\(field)\" (did you mean \"\(meant)\"?)"), "\(result.stderr.text)")
        #expect(try keys().isEmpty)
    }

    @Test func unrelatedExtraFieldsAreStillIgnored() throws {
        let manifest = try write("extra.jsonl", Array(#"{"key":"a","value":"v","size":1,"source":"cms","id":7}"#.utf8))
        #expect(try run(["warmup", "--from", manifest]).status == 0)
        let csv = try write("typo.csv", Array("key,vaule\na,v\n".utf8))
        let result = try run(["warmup", "--from", csv])
        #expect(result.status == 65)
        #expect(result.stderr.text.contains(#"(did you mean "value"?)"#), "\(result.stderr.text)")
    }

    @Test func flushDryRunShowsEachKeysType() throws {
        #expect(try run(["set", "k", "v"]).status == 0)
        let text = try run(["flush", "--all", "--dry-run"])
        #expect(text.stdout.text.contains("  string  k\n"), "\(text.stdout.text)")
        let json = try run(["flush", "--all", "--dry-run", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect(object?["key_types"] as? [String: String] == ["k": "string"])
    }
}
