import Foundation
import Testing
@testable import cachectl

/// `QuickParse` reads the one-key commands' plain invocations without the argument parser: what it
/// builds must be exactly what the parser builds, and anything else must be left to the parser.
@Suite("quick parsing of the one-key commands")
struct QuickParseTests {
    /// Plain invocations, each read by `QuickParse`.
    static let plain: [[String]] = [
        ["get", "article:1"],
        ["get", "article:1", "article:2", "--url", "redis://127.0.0.1:1/2", "--format", "json"],
        ["get", "--url=redis://h:1", "k", "--raw", "-q"],
        ["get", "k", "--tag", "a", "--tag=b", "--layout", "laravel", "--namespace", "app_", "-v"],
        ["get", "help"],
        ["get", "k=v", "--key-prefix", "p:", "--tag-prefix", "t:", "--stats-key", "s", "--cache-version", "3"],
        ["get", "k", "--timeout", "0.5", "--no-color", "--insecure", "--sni", "cache", "--cacert", "ca.pem"],
        ["get", "k", "--cacertdir", "d", "--cert", "c.pem", "--key", "k.pem", "--user", "u", "--password-file", "p"],
        ["get", "k", "--profile", "prod", "--config", "c.toml", "--format=jsonl", "--timeout", "86400"],
        ["set", "k", "v"],
        ["set", "k", "v", "--ttl", "5m", "--tag", "x", "--tag", "x", "--if-absent", "--json", "--force"],
        ["set", "k", "--file", "value.bin", "--ttl=none", "--url", "file:/tmp/x.snapshot"],
        ["set", "k", "{\"a\": 1}", "--json", "--format", "json"],
        ["delete", "a", "b", "c"],
        ["delete", "a", "--wait-replicas", "1", "--wait-timeout", "500ms"],
        ["set", "k", "v", "--wait-replicas=2"],
        ["stats", "--per-node", "--format", "json"],
        ["stats"],
        ["stats", "--format", "prometheus", "--assert", "hit_rate>=90", "--assert", "hits>0", "--window", "30s"],
        ["stats", "--reset", "--server", "--yes"],
        ["stats", "--watch", "2s", "--count", "3"],
        ["ping", "--url", "rediss://localhost:1", "--cacert", "ca.crt"],
        ["ping", "--format=json", "--verbose"],
        ["invalidate-tag", "articles"],
        ["invalidate-tag", "articles", "user:42", "--format", "json", "--url", "redis://127.0.0.1:1/0", "-q"],
        ["invalidate-tag", "articles", "--dry-run", "--limit", "5", "--tag-prefix", "t:"],
        ["invalidate-tag", "--limit=0", "a", "--dry-run"],
    ]

    @Test("builds the same command as the argument parser", arguments: plain)
    func sameAsParser(arguments: [String]) throws {
        let quick = try #require(QuickParse.command(arguments), "not read quickly: \(arguments)")
        let parsed = try Cachectl.parseAsRoot(arguments)
        #expect(Self.describe(quick) == Self.describe(parsed))
    }

    @Test("sets every property of the command it builds", arguments: plain)
    func everyPropertySet(arguments: [String]) throws {
        let quick = try #require(QuickParse.command(arguments))
        #expect(Self.unset(in: quick).isEmpty, "left to the argument parser's definition: \(Self.unset(in: quick))")
    }

    /// Everything outside the plain forms, and what fails conversion or validation.
    static let others: [[String]] = [
        ["get"], ["get", "--help"], ["get", "-h"], ["get", "k", "--help"], ["get", "--", "-k"], ["get", "-k"], ["get", "-"],
        ["get", "k", "-qv"], ["get", "k", "-q", "-q"], ["get", "k", "--raw", "--raw"], ["get", "k", "--url"],
        ["get", "k", "--url", "a", "--url", "b"], ["get", "k", "--url", "--raw"], ["get", "k", "--url="], ["get", "k", "--bogus"],
        ["get", "k", "--format", "yaml"], ["get", "k", "--format=JSON"], ["get", "k", "--timeout", "0"], ["get", "k", "--timeout", "x"],
        ["get", "k", "--timeout", "86401"], ["get", "k", "--cache-version", "1.5"], ["get", "k", "--tag-prefix="], ["get", "k", "--quiet=yes"],
        ["get", "k", "--generate-completion-script", "bash"], ["get", "k", "--experimental-dump-help"], ["get", ""],
        ["set", "k"], ["set", "k", "v", "w"], ["set", "k", "-"], ["set", "k", "v", "--file", "f"], ["set", "k", "v", "--ttl", "soon"],
        ["set", "k", "v", "--tag", ""], ["set", "k", "v", "--tag="], ["set", "", "v"], ["set", "k", "v", "--timeout", "-1"],
        ["delete"], ["delete", "k", "--wait-timeout", "1s"], ["delete", "k", "--wait-replicas", "-1"], ["set", "k", "v", "--wait-replicas", "x"],
        ["stats", "--per-node", "--watch", "1s"], ["stats", "extra"], ["stats", "--server"], ["stats", "--count", "0", "--watch", "1s"], ["stats", "--count", "2"],
        ["stats", "--watch", "1s", "--reset"], ["stats", "--watch", "0s"], ["stats", "--watch", "1s", "--format", "prometheus"],
        ["ping", "extra"], ["ping", "--version"], ["warmup", "--from", "m.jsonl"], ["flush"], ["tags", "list"], ["--version"], [],
        ["invalidate-tag"], ["invalidate-tag", ""], ["invalidate-tag", "a", "--limit", "-1"], ["invalidate-tag", "a", "--limit", "x"],
        ["invalidate-tag", "a", "--dry-run", "--dry-run"], ["invalidate-tag", "a", "--help"], ["invalidate-tag", "--", "a"],
        ["invalidate-tag", "a", "--wait-replicas", "1"], ["invalidate-tag", "a", "--limit", "1", "--limit", "2"],
    ]

    @Test("leaves everything else to the argument parser", arguments: others)
    func leftToParser(arguments: [String]) {
        #expect(QuickParse.command(arguments) == nil)
    }

    /// The built binary on a snapshot file: each plain invocation (read quickly) against the same
    /// one with `--` before its operands (read by the argument parser) — same output, same exit.
    @Test("the binary answers the same through either parser")
    func binaryAnswersAlike() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-quick-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "file:" + directory.appendingPathComponent("cache.snapshot").path
        let pairs: [(quick: [String], parsed: [String])] = [
            (["set", "article:1", "v1", "--ttl", "1h", "--tag", "articles", "--url", url],
             ["set", "--url", url, "--ttl", "1h", "--tag", "articles", "--", "article:1", "v1"]),
            (["get", "article:1", "--url", url], ["get", "--url", url, "--", "article:1"]),
            (["get", "article:1", "missing", "--url", url, "--format", "json"], ["get", "--url", url, "--format", "json", "--", "article:1", "missing"]),
            (["delete", "missing", "--url", url], ["delete", "--url", url, "--", "missing"]),
            (["ping", "--url", url, "--format", "json"], ["ping", "--url", url, "--format", "json", "--"]),
            (["invalidate-tag", "nothing", "--url", url, "--dry-run", "--format", "json"],
             ["invalidate-tag", "--url", url, "--dry-run", "--format", "json", "--", "nothing"]),
            (["invalidate-tag", "articles", "--url", url, "--dry-run", "--format", "json"],
             ["invalidate-tag", "--url", url, "--dry-run", "--format", "json", "--", "articles"]),
        ]
        for (quick, parsed) in pairs {
            #expect(QuickParse.command(quick) != nil && QuickParse.command(parsed) == nil)
            let a = try CLI.run(quick), b = try CLI.run(parsed)
            #expect(a.status == b.status, "\(quick): \(a.status) vs \(b.status)")
            // ping's JSON has the measured latency, invalidate-tag's the seconds taken: compare without those lines.
            let text = { (output: Data) in
                String(decoding: output, as: UTF8.self).split(separator: "\n").filter { !$0.contains("latency") && !$0.contains("\"seconds\"") }
            }
            #expect(text(a.stdout) == text(b.stdout), "\(quick)")
            #expect(a.stderr == b.stderr, "\(quick)")
        }
        // What the quick reader leaves alone still gets the argument parser's usage errors.
        let noValue = try CLI.run(["set", "article:2", "--url", url])
        #expect(noValue.status == 64)
        #expect(noValue.stderr.text.contains("No value given for"))
        let badFormat = try CLI.run(["get", "article:1", "--format", "yaml", "--url", url])
        #expect(badFormat.status == 64)
        #expect(badFormat.stderr.text.contains("--format"))
    }

    /// The command's properties, recursively, as `dump` prints them.
    static func describe(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }

    /// The property wrappers still holding the argument parser's definition instead of a value.
    static func unset(in value: Any, path: String = "") -> [String] {
        var found: [String] = []
        for child in Mirror(reflecting: value).children {
            let name = path + "." + (child.label ?? "?")
            if child.label == "_parsedValue" {
                let state = Mirror(reflecting: child.value).children.first
                if state?.label != "value" { found.append(path) }
                if let inner = state?.value { found += unset(in: inner, path: path) }
            } else {
                found += unset(in: child.value, path: name)
            }
        }
        return found
    }
}
