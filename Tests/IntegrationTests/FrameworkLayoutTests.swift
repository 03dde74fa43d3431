import CacheClient
import Foundation
import Testing
import cachectlTests

/// cachectl against the frameworks' own libraries, through the built binary, in a database of
/// its own (9) so that "no counters hash is created" can be checked: the framework writes and
/// cachectl reads; cachectl writes and the framework reads every value back equal; cachectl
/// invalidates a tag and the framework misses exactly those entries; the framework invalidates
/// a tag cachectl wrote.
@Suite(.serialized) struct FrameworkLayoutTests {
    static let database = 9

    static func url() throws -> String { try TestEnvironment.redisURL + "/\(database)" }

    struct Case: CustomTestStringConvertible, Sendable {
        let layout: String
        let kind: Framework.Kind
        var testDescription: String { layout }
    }

    static let cases = [Case(layout: "django", kind: .django), Case(layout: "symfony-5.4", kind: .symfony), Case(layout: "laravel-8", kind: .laravel)]

    func cachectl(_ layout: String, _ namespace: String, _ args: [String], stdin: Data? = nil) throws -> ProcessOutput {
        try CLI.run(args + ["--url", try Self.url(), "--layout", layout, "--namespace", namespace], stdin: stdin)
    }

    func redis() throws -> RedisConnection {
        guard case .redis(let address, _, _) = try EndpointResolution.resolve(url: try TestEnvironment.redisURL, environment: [:]).endpoint else {
            throw MissingTestServer("not a redis URL")
        }
        let connection = try RedisConnection(address: address, timeout: 10)
        _ = try connection.send(["SELECT", RedisArgument(Self.database)])
        return connection
    }

    /// The decoded values of `get --format jsonl`, by key.
    func values(_ output: ProcessOutput) throws -> [String: CacheValue] {
        var values: [String: CacheValue] = [:]
        for line in String(decoding: output.stdout, as: UTF8.self).split(separator: "\n") {
            guard case .map(let items) = try CacheValue.parseJSON(Array(line.utf8)),
                  case .string(let key)? = items.first(where: { $0.key == .string("key") })?.value,
                  let value = items.first(where: { $0.key == .string("value") })?.value else { continue }
            values[key] = value
        }
        return values
    }

    /// Entries with tags, for frameworks that have them (Django's have none).
    func entries(for kind: Framework.Kind) -> [(String, String, [String])] {
        FrameworkCodecTests.entries.map { kind == .django ? ($0.0, $0.1, []) : $0 }
    }

    func manifest(for kind: Framework.Kind, excluding: Set<String> = []) throws -> URL {
        try FrameworkCodecTests.manifest(tags: kind != .django, excluding: excluding)
    }

    @Test(arguments: cases) func frameworkWritesCachectlReads(_ test: Case) throws {
        let namespace = "fw\(UUID().uuidString.prefix(6))"
        let framework = Framework(kind: test.kind, url: try Self.url(), namespace: namespace)
        try framework.write(try manifest(for: test.kind))
        // Laravel names a tagged entry's key after its tags: read each group with its --tag options.
        var groups: [[String]: [String]] = [:]
        for (key, _, tags) in entries(for: test.kind) { groups[test.kind == .laravel ? tags : [], default: []].append(key) }
        var read: [String: CacheValue] = [:]
        for (tags, keys) in groups {
            let output = try cachectl(test.layout, namespace, ["get"] + keys + ["--format", "jsonl"] + tags.flatMap { ["--tag", $0] })
            #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self))")
            read.merge(try values(output)) { $1 }
        }
        for (key, expected, _) in try FrameworkCodecTests.expectedValues() {
            let value = try #require(read[key], "\(test.layout): \(key) not read")
            let same = value == expected || (test.kind == .laravel && value.json == expected.json.replacingOccurrences(of: "\"", with: ""))
            #expect(same, "\(test.layout): \(key) read as \(value.json), written \(expected.json)")
        }
        // The table shows the decoded value, not "<binary, N bytes>".
        let table = try cachectl(test.layout, namespace, ["get", "profile"] + (test.kind == .laravel ? ["--tag", "users"] : []))
        #expect(String(decoding: table.stdout, as: UTF8.self).contains(#"{"name":"Ada","langs":["en","fr"]"#))
    }

    @Test(arguments: cases) func cachectlWritesFrameworkReadsBackEqual(_ test: Case) throws {
        let namespace = "cw\(UUID().uuidString.prefix(6))"
        let excluded: Set<String> = test.kind == .laravel ? ["nothing"] : []  // Laravel reads a stored null as a miss
        let path = try manifest(for: test.kind, excluding: excluded)
        let warmup = try cachectl(test.layout, namespace, ["warmup", "--from", path.path])
        #expect(warmup.status == 0, "\(String(decoding: warmup.stderr, as: UTF8.self))")
        let reads = try Framework(kind: test.kind, url: try Self.url(), namespace: namespace).read(path)
        #expect(reads.count == FrameworkCodecTests.entries.count - excluded.count)
        for read in reads { #expect(read.hit && read.equal, "\(test.layout) read \(read.key) as \(read.value)") }
        // `set` writes the same way: a string that looks like a number stays a string; --json writes the number.
        #expect(try cachectl(test.layout, namespace, ["set", "text.42", "42"]).status == 0)
        #expect(try cachectl(test.layout, namespace, ["set", "number.42", "42", "--json"]).status == 0)
        let probe = try FrameworkCodecTests.writeManifest([("text.42", #""42""#), ("number.42", "42")])
        for read in try Framework(kind: test.kind, url: try Self.url(), namespace: namespace).read(probe) {
            #expect(read.hit && read.equal, "\(test.layout) read \(read.key) as \(read.value)")
        }
        // No counters hash in a framework's database, and stats counts entries, not tag indexes.
        let stats = try cachectl(test.layout, namespace, ["stats", "--format", "json"])
        #expect(stats.status == 0)
        let redis = try redis()
        #expect(try redis.send(["EXISTS", "cache:stats"]).integer == 0)
        let report = try JSONSerialization.jsonObject(with: stats.stdout) as! [String: Any]
        #expect(report["entries"] as? Int == reads.count + 2, "\(report)")
    }

    @Test(arguments: cases.filter { $0.kind != .django }) func cachectlInvalidatesFrameworkMisses(_ test: Case) throws {
        let namespace = "ci\(UUID().uuidString.prefix(6))"
        let framework = Framework(kind: test.kind, url: try Self.url(), namespace: namespace)
        let path = try manifest(for: test.kind, excluding: ["nothing"])
        try framework.write(path)
        let invalidate = try cachectl(test.layout, namespace, ["invalidate-tag", "articles", "--format", "json"])
        #expect(invalidate.status == 0, "\(String(decoding: invalidate.stderr, as: UTF8.self))")
        let tagged = Set(FrameworkCodecTests.entries.filter { $0.2.contains("articles") }.map(\.0))
        let report = try JSONSerialization.jsonObject(with: invalidate.stdout) as! [String: Any]
        #expect(report["deleted"] as? Int == tagged.count, "\(report)")
        for read in try framework.read(path) {
            #expect(read.hit == !tagged.contains(read.key), "\(test.layout): \(read.key) hit=\(read.hit) after invalidating articles")
        }
        // Invalidating again finds nothing: honest counts.
        let again = try cachectl(test.layout, namespace, ["invalidate-tag", "articles", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: again.stdout) as! [String: Any])["deleted"] as? Int == 0)
    }

    @Test(arguments: cases.filter { $0.kind != .django }) func frameworkInvalidatesWhatCachectlWrote(_ test: Case) throws {
        let namespace = "fi\(UUID().uuidString.prefix(6))"
        let path = try manifest(for: test.kind, excluding: ["nothing"])
        #expect(try cachectl(test.layout, namespace, ["warmup", "--from", path.path]).status == 0)
        let framework = Framework(kind: test.kind, url: try Self.url(), namespace: namespace)
        try framework.invalidate(["home"])
        let tagged = Set(FrameworkCodecTests.entries.filter { $0.2.contains("home") }.map(\.0))
        for read in try framework.read(path) {
            #expect(read.hit == !tagged.contains(read.key), "\(test.layout): \(read.key) hit=\(read.hit) after the framework invalidated home")
        }
        // And cachectl sees the same: the untagged "count" is still there, "flags" (home) is gone.
        #expect(try cachectl(test.layout, namespace, ["get", "count"]).status == 0)
        #expect(try cachectl(test.layout, namespace, ["get", "flags"] + (test.kind == .laravel ? ["--tag", "home"] : [])).status == 1)
    }

    @Test func djangoRefusesTagsAndUnrepresentableValues() throws {
        let namespace = "dr\(UUID().uuidString.prefix(6))"
        let tagged = try cachectl("django", namespace, ["set", "k", "v", "--tag", "t"])
        #expect(tagged.status == 64)
        let invalid = try cachectl("django", namespace, ["invalidate-tag", "t"])
        #expect(invalid.status == 64)
        // A manifest with tags: 65, and nothing written.
        let path = try FrameworkCodecTests.manifest(tags: true)
        let warmup = try cachectl("django", namespace, ["warmup", "--from", path.path])
        #expect(warmup.status == 65, "\(String(decoding: warmup.stderr, as: UTF8.self))")
        #expect(String(decoding: warmup.stderr, as: UTF8.self).contains("has tags, and the django layout keeps none"))
        let redis = try redis()
        #expect(try redis.send(["KEYS", RedisArgument(namespace + ":*")]).array?.isEmpty == true)
        #expect(try cachectl("django", namespace, ["set", "k", "{", "--json"]).status == 65)
        #expect(try cachectl("django", namespace, ["get", "k"]).status == 1)
    }

    @Test func flushStaysInsideTheNamespace() throws {
        let namespace = "fl\(UUID().uuidString.prefix(6))"
        let other = "fo\(UUID().uuidString.prefix(6))"
        let path = try manifest(for: .symfony, excluding: ["nothing"])
        for space in [namespace, other] { #expect(try cachectl("symfony-5.4", space, ["warmup", "--from", path.path]).status == 0) }
        let redis = try redis()
        func keys(_ space: String) throws -> [String] { (try redis.send(["KEYS", RedisArgument(space + ":*")]).array ?? []).compactMap(\.string) }
        // --prefix deletes entries only; the tag sets stay.
        let prefix = try cachectl("symfony-5.4", namespace, ["flush", "--prefix", "p", "--yes", "--format", "json"])
        #expect(prefix.status == 0)
        #expect(try keys(namespace).contains(namespace + ":\0tags\0articles"))
        #expect(!(try keys(namespace).contains(namespace + ":profile")))
        // --all takes the namespace's tag sets too, as Symfony's clear() does, and nothing of the other.
        #expect(try cachectl("symfony-5.4", namespace, ["flush", "--all", "--yes"]).status == 0)
        #expect(try keys(namespace).isEmpty)
        #expect(try keys(other).count == FrameworkCodecTests.entries.count - 1 + 3)  // 11 entries, 3 tag sets
    }

    @Test func escapesDescribeALayoutByHand() throws {
        // Symfony 5.4's tag sets, named with --key-prefix and --tag-prefix in the default layout.
        let namespace = "es\(UUID().uuidString.prefix(6))"
        #expect(try cachectl("symfony-5.4", namespace, ["set", "k", "v", "--tag", "t"]).status == 0)
        let byHand = try CLI.run(["tags", "--url", try Self.url(), "--tag-prefix", namespace + #":\0tags\0"#, "--format", "json"])
        #expect(String(decoding: byHand.stdout, as: UTF8.self).contains(#""tag" : "t""#), "\(String(decoding: byHand.stdout, as: UTF8.self))")
        let bad = try CLI.run(["tags", "--url", try Self.url(), "--tag-prefix", #"x\q"#])
        #expect(bad.status == 64)
        #expect(String(decoding: bad.stderr, as: UTF8.self).contains("--tag-prefix"))
    }
}

extension FrameworkCodecTests {
    /// A manifest of (key, JSON value) lines without tags.
    static func writeManifest(_ lines: [(String, String)]) throws -> URL {
        let text = lines.map { #"{"key":"\#($0.0)","value":\#($0.1),"ttl":300}"# }.joined(separator: "\n") + "\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).jsonl")
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// Migrating between layouts, and what interrupted or hostile runs leave.
@Suite(.serialized) struct FrameworkMigrationTests {
    func cachectl(_ args: [String]) throws -> ProcessOutput { try CLI.run(args) }

    func url(_ database: Int) throws -> String { try TestEnvironment.redisURL + "/\(database)" }

    func flush(_ database: Int) throws {
        let redis = try FrameworkLayoutTests().redis()
        _ = try redis.send(["SELECT", RedisArgument(database)])
        _ = try redis.send(["FLUSHDB"])
    }

    @Test func seedsLayoutToDjangoThenSymfony() throws {
        for database in [10, 11, 12] { try flush(database) }
        let path = try FrameworkCodecTests.manifest(tags: true, excluding: ["nothing"])
        #expect(try cachectl(["warmup", "--from", path.path, "--url", try url(10)]).status == 0)
        // Django keeps no tags: refused before anything is written, then copied without them.
        let refused = try cachectl(["migrate", "--from", try url(10), "--to", try url(11), "--to-layout", "django"])
        #expect(refused.status == 65)
        #expect(String(decoding: refused.stderr, as: UTF8.self).contains("nothing was written"))
        let django = Framework(kind: .django, url: try url(11), namespace: "")
        #expect(try django.read(path).allSatisfy { !$0.hit })
        let copied = try cachectl(["migrate", "--from", try url(10), "--to", try url(11), "--to-layout", "django", "--drop-tags", "--parse-json", "--format", "json"])
        #expect(copied.status == 0, "\(String(decoding: copied.stderr, as: UTF8.self))")
        // The report counts what was written: no tag memberships under --drop-tags.
        let report = try JSONSerialization.jsonObject(with: copied.stdout) as? [String: Any]
        #expect(report?["tag_memberships"] as? Int == 0)
        #expect((report?["copied"] as? Int ?? 0) > 0)
        for read in try django.read(try FrameworkCodecTests.manifest(tags: false, excluding: ["nothing", "digits"])) {
            #expect(read.hit && read.equal, "django read \(read.key) as \(read.value)")
        }
        // Django → Symfony: values re-encoded, read back equal by Symfony.
        let symfony = try cachectl(["migrate", "--from", try url(11), "--to", try url(12), "--layout", "django", "--to-layout", "symfony-5.4", "--to-namespace", "app"])
        #expect(symfony.status == 0, "\(String(decoding: symfony.stderr, as: UTF8.self))")
        for read in try Framework(kind: .symfony, url: try url(12), namespace: "app").read(try FrameworkCodecTests.manifest(tags: false, excluding: ["nothing", "digits"])) {
            #expect(read.hit && read.equal, "symfony read \(read.key) as \(read.value)")
        }
    }

    @Test func interruptedLaravelInvalidationIsShownAndFinished() throws {
        let namespace = "int\(UUID().uuidString.prefix(6))"
        let base = ["--url", try FrameworkLayoutTests.url(), "--layout", "laravel-10", "--namespace", namespace]
        for key in ["a", "b", "c"] { #expect(try cachectl(["set", key, "v", "--tag", "t"] + base).status == 0) }
        // A run killed after moving the tag's sorted set aside leaves exactly this behind.
        let redis = try FrameworkLayoutTests().redis()
        let aside = "\(namespace):tag:t:entries:invalidating:\(UUID().uuidString.lowercased())"
        _ = try redis.send(["RENAME", RedisArgument("\(namespace):tag:t:entries"), RedisArgument(aside)])
        let tags = try cachectl(["tags", "--format", "json"] + base)
        #expect(String(decoding: tags.stdout, as: UTF8.self).contains(#""interrupted" : true"#), "\(String(decoding: tags.stdout, as: UTF8.self))")
        let prune = try cachectl(["tags", "prune", "--format", "json"] + base)
        #expect(prune.status == 0)
        #expect(try redis.send(["EXISTS", RedisArgument(aside)]).integer == 0)
        for key in ["a", "b", "c"] { #expect(try cachectl(["get", key, "--tag", "t"] + base).status == 1) }
    }

    @Test func hostileStoredValuesAreShownNotRun() throws {
        let namespace = "ev\(UUID().uuidString.prefix(6))"
        let redis = try FrameworkLayoutTests().redis()
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("pwned-\(UUID().uuidString)").path
        // A pickle that would run a shell command, a PHP object, a truncated pickle.
        _ = try redis.send(["SET", RedisArgument("\(namespace):1:evil"), RedisArgument(bytes: Array("cos\nsystem\n(S'touch \(marker)'\ntR.".utf8))])
        _ = try redis.send(["SET", RedisArgument("\(namespace):1:broken"), RedisArgument(bytes: [0x80, 5, 0x95, 0xFF])])
        let output = try cachectl(["get", "evil", "broken", "--format", "json", "--url", try FrameworkLayoutTests.url(), "--layout", "django", "--namespace", namespace])
        let text = String(decoding: output.stdout, as: UTF8.self)
        #expect(output.status == 0)
        #expect(text.contains(#""$opaque" : "os.system""#), "\(text)")
        #expect(text.contains(#""decoding_error" : "pickle: truncated"#), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        // And it is never re-encoded: migrating it elsewhere is refused.
        try flush(13)
        let migrate = try cachectl(["migrate", "--from", try FrameworkLayoutTests.url(), "--to", try url(13), "--layout", "django", "--namespace", namespace,
                                    "--to-layout", "laravel", "--to-namespace", namespace])
        #expect(migrate.status == 65, "\(String(decoding: migrate.stderr, as: UTF8.self))")
        _ = try redis.send(["SELECT", "13"])
        #expect(try redis.send(["DBSIZE"]).integer == 0)
    }
}
