import CacheClient
import Foundation
import Testing
import cachectlTests

/// The codecs against the frameworks' own libraries: what Django 5.2, Symfony Cache 5.4 (with
/// igbinary) and Laravel 8 write decodes to the manifest's values, and what the codecs encode
/// the frameworks read back equal.
@Suite(.serialized) struct FrameworkCodecTests {
    /// Strings, numbers, lists, maps, nesting, booleans, null; strings that look like numbers,
    /// pickles or PHP values stay strings. Keys avoid Symfony's reserved characters.
    /// (key, value as JSON, tags)
    static let entries: [(String, String, [String])] = [
        ("title", #""Grüße, \"world\"""#, ["articles", "home"]),
        ("count", "42", []),
        ("negative", "-7000000000", ["articles"]),
        ("ratio", "0.25", []),
        ("flags", "[true,false,null]", ["home"]),
        ("profile", #"{"name":"Ada","langs":["en","fr"],"age":36,"address":{"city":"London","zip":null}}"#, ["users"]),
        ("empty.list", "[]", []),
        ("digits", #""12345""#, []),
        ("pickle.text", #""cos\nsystem\n(S'echo pwned'\ntR.""#, ["articles"]),
        ("php.text", #""b:0;""#, []),
        ("yes", "true", []),
        ("nothing", "null", []),
    ]

    /// The entries as a JSON Lines manifest (with or without their tags), in a temporary file.
    static func manifest(tags: Bool = true, excluding: Set<String> = []) throws -> URL {
        let lines = entries.filter { !excluding.contains($0.0) }.map { key, value, entryTags in
            let tagsJSON = tags && !entryTags.isEmpty ? #","tags":["# + entryTags.map { "\"\($0)\"" }.joined(separator: ",") + "]" : ""
            return #"{"key":"\#(key)","value":\#(value),"ttl":300\#(tagsJSON)}"#
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// The manifest's values as value trees.
    static func expectedValues() throws -> [(String, CacheValue, [String])] {
        try entries.map { ($0.0, try CacheValue.parseJSON(Array($0.1.utf8)), $0.2) }
    }

    func connection() throws -> RedisConnection {
        guard case .redis(let address, _, _) = try EndpointResolution.resolve(url: try TestEnvironment.redisURL, environment: [:]).endpoint else {
            throw MissingTestServer("not a redis URL")
        }
        return try RedisConnection(address: address, timeout: 10)
    }

    func get(_ key: String, on connection: RedisConnection) throws -> [UInt8]? {
        if case .bulk(let bytes) = try connection.send(["GET", RedisArgument(key)]) { return bytes }
        return nil
    }

    /// Laravel returns numbers as the numeric strings it stores; JSON numbers compare by value.
    func same(_ decoded: CacheValue, _ expected: CacheValue, laravel: Bool) -> Bool {
        if decoded == expected { return true }
        guard laravel else { return false }
        switch (decoded, expected) {
        case (.int(let a), .string(let b)): return String(a) == b
        case (.double(let a), .double(let b)): return a == b
        default: return false
        }
    }

    @Test func djangoValuesDecode() throws {
        let namespace = "dj-\(UUID().uuidString.prefix(8))"
        let framework = Framework(kind: .django, url: try TestEnvironment.redisURL, namespace: namespace)
        try framework.write(try Self.manifest())
        let redis = try connection()
        let layout = try CacheLayout.named("django", namespace: namespace)
        for (key, expected, _) in try Self.expectedValues() {
            let stored = try #require(try get(layout.entryPrefix + key, on: redis), "\(key) not at \(layout.entryPrefix + key)")
            #expect(try layout.codec.decode(stored).value == expected, "\(key)")
            // cachectl's encoding of the same value is what Django wrote, byte for byte.
            #expect(try layout.codec.encode(expected) == stored, "\(key)")
        }
    }

    @Test func symfonyValuesDecodeWithTheirTags() throws {
        let namespace = "sy-\(UUID().uuidString.prefix(8))"
        let framework = Framework(kind: .symfony, url: try TestEnvironment.redisURL, namespace: namespace)
        try framework.write(try Self.manifest())
        let redis = try connection()
        let layout = try CacheLayout.named("symfony-5.4", namespace: namespace)
        for (key, expected, tags) in try Self.expectedValues() {
            let stored = try #require(try get(layout.entryPrefix + key, on: redis), "\(key)")
            let decoded = try layout.codec.decode(stored)
            #expect(decoded.value == expected, "\(key)")
            #expect(decoded.tags == tags, "\(key)")
        }
    }

    @Test func laravelValuesDecode() throws {
        let namespace = "la-\(UUID().uuidString.prefix(8))"
        let framework = Framework(kind: .laravel, url: try TestEnvironment.redisURL, namespace: namespace)
        try framework.write(try Self.manifest())
        let redis = try connection()
        let layout = try CacheLayout.named("laravel-8", namespace: namespace)
        for (key, expected, tags) in try Self.expectedValues() {
            var storeKey = layout.entryPrefix + key
            if !tags.isEmpty {
                // The tag ids Laravel chose, each stored serialized at PREFIX tag:NAME:key.
                let ids = try tags.map { tag -> String in
                    let stored = try #require(try get(layout.entryPrefix + "tag:\(tag):key", on: redis))
                    guard case .string(let id) = try layout.codec.decode(stored).value else { throw MissingTestServer("tag id of \(tag)") }
                    return id
                }
                storeKey = layout.entryPrefix + CacheLayout.laravelTaggedKey(key, tagIDs: ids)
            }
            let stored = try #require(try get(storeKey, on: redis), "\(key) not at \(storeKey)")
            #expect(same(try layout.codec.decode(stored).value, expected, laravel: true), "\(key)")
        }
    }

    @Test(arguments: [Framework.Kind.django, .symfony, .laravel]) func encodedValuesReadBackEqual(_ kind: Framework.Kind) throws {
        let namespace = "enc-\(UUID().uuidString.prefix(8))"
        let framework = Framework(kind: kind, url: try TestEnvironment.redisURL, namespace: namespace)
        let layout = try CacheLayout.named(kind == .django ? "django" : kind == .symfony ? "symfony-5.4" : "laravel-8", namespace: namespace)
        let redis = try connection()
        let untagged = try Self.expectedValues().map { ($0.0, $0.1) }
        for (key, value) in untagged {
            #expect(try redis.send(["SET", RedisArgument(layout.entryPrefix + key), RedisArgument(bytes: try layout.codec.encode(value))]).errorMessage == nil)
        }
        // Laravel, like its own get(), reads a stored null as a miss.
        for read in try framework.read(try Self.manifest(tags: false, excluding: kind == .laravel ? ["nothing"] : [])) {
            #expect(read.hit && read.equal, "\(kind) read \(read.key) as \(read.value)")
        }
    }
}
