import CacheClient
import Foundation
import Testing
import cachectlTests

/// The layouts Debian does not ship a library for, written by cachectl and compared byte for
/// byte with what the upstream code writes:
///
/// - Symfony 6.3+ (symfony/cache `Adapter/AbstractTagAwareAdapter.php`: `TAGS_PREFIX = "\1tags\1"`,
///   tags stored as a list after `array_keys`; `Marshaller/TagAwareMarshaller.php`: the envelope;
///   `Adapter/RedisTagAwareAdapter.php`: SETEX, 100 days for items without a lifetime, SADD of
///   full ids, tag sets never given an expiry). The envelope bytes below are TagAwareMarshaller's
///   output for `['value' => ['n' => 1, 's' => 'x'], 'tags' => ['a', 'b']]` with serialize().
/// - Laravel 10 and 11 (laravel/framework `src/Illuminate/Cache/RedisTagSet.php`: sorted sets
///   `tag:<name>:entries`, members the tagged item key, scored by expiry or -1;
///   `TaggedCache::taggedItemKey`: `sha1(implode('|', tagIds)) . ':' . key`; `RedisStore::setPrefix`
///   appends ':' to the prefix up to 10, and not from 11). The sha1 below is PHP's
///   `sha1("tag:a:entries|tag:b:entries")`.
@Suite(.serialized) struct LayoutFixtureTests {
    static let envelope = "9d00000000000000005f00001e613a323a7b693a303b733a313a2261223b693a313b733a313a2262223b7d613a323a7b733a313a226e223b693a313b733a313a2273223b733a313a2278223b7d"
    static let laravelTagHash = "72629e30a0dcebf2478368848770a93e5b4617eb"

    func redis() throws -> RedisConnection {
        guard case .redis(let address, _, _) = try EndpointResolution.resolve(url: try TestEnvironment.redisURL, environment: [:]).endpoint else {
            throw MissingTestServer("not a redis URL")
        }
        let connection = try RedisConnection(address: address, timeout: 10)
        _ = try connection.send(["SELECT", RedisArgument(FrameworkLayoutTests.database)])
        return connection
    }

    func cachectl(_ args: [String]) throws -> ProcessOutput {
        try CLI.run(args + ["--url", try FrameworkLayoutTests.url()])
    }

    @Test func symfony63WritesTheUpstreamEnvelopeAndTagSets() throws {
        let namespace = "s63\(UUID().uuidString.prefix(6))"
        let set = try cachectl(["set", "k", #"{"n":1,"s":"x"}"#, "--json", "--tag", "a", "--tag", "b", "--ttl", "none",
                                "--layout", "symfony", "--namespace", namespace])
        #expect(set.status == 0, "\(String(decoding: set.stderr, as: UTF8.self))")
        let redis = try redis()
        #expect(try redis.send(["GET", RedisArgument(namespace + ":k")]).bytes == hexBytes(Self.envelope))
        // RedisTagAwareAdapter::DEFAULT_CACHE_TTL for an item without a lifetime: 100 days.
        let ttl = try redis.send(["TTL", RedisArgument(namespace + ":k")]).integer ?? 0
        #expect(ttl > 8_639_000 && ttl <= 8_640_000)
        for tag in ["a", "b"] {
            let setKey = RedisArgument(namespace + ":\u{1}tags\u{1}" + tag)
            #expect(try redis.send(["SMEMBERS", setKey]).array?.compactMap(\.string) == [namespace + ":k"])
            #expect(try redis.send(["TTL", setKey]).integer == -1)
        }
        // Read back decoded, with the tags the envelope carries; invalidated by the 6.3 tag set.
        let get = try cachectl(["get", "k", "--format", "jsonl", "--layout", "symfony", "--namespace", namespace])
        #expect(String(decoding: get.stdout, as: UTF8.self).contains(#""value":{"n":1,"s":"x"},"ttl":"#))
        #expect(String(decoding: get.stdout, as: UTF8.self).contains(#""tags":["a","b"]"#))
        let invalidate = try cachectl(["invalidate-tag", "b", "--format", "json", "--layout", "symfony", "--namespace", namespace])
        #expect((try JSONSerialization.jsonObject(with: invalidate.stdout) as! [String: Any])["deleted"] as? Int == 1)
        #expect(try redis.send(["EXISTS", RedisArgument(namespace + ":k")]).integer == 0)
    }

    @Test(arguments: [("laravel-10", ":"), ("laravel", "")]) func laravelSortedSetTags(_ layout: String, _ separator: String) throws {
        let namespace = "l\(UUID().uuidString.prefix(6))"
        let prefix = namespace + separator
        let set = try cachectl(["set", "k", "v", "--tag", "a", "--tag", "b", "--ttl", "none", "--layout", layout, "--namespace", namespace])
        #expect(set.status == 0, "\(String(decoding: set.stderr, as: UTF8.self))")
        let timed = try cachectl(["set", "t", "7", "--json", "--tag", "a", "--ttl", "60", "--layout", layout, "--namespace", namespace])
        #expect(timed.status == 0)
        let redis = try redis()
        let member = Self.laravelTagHash + ":k"
        #expect(try redis.send(["GET", RedisArgument(prefix + member)]).bytes == Array(#"s:1:"v";"#.utf8))
        for tag in ["a", "b"] {
            #expect(try redis.send(["ZSCORE", RedisArgument(prefix + "tag:\(tag):entries"), RedisArgument(member)]).string == "-1")
        }
        // A number is stored raw; its tag entry is scored by its expiry time.
        let timedKey = CacheLayout.laravelTaggedKey("t", tagIDs: ["tag:a:entries"])
        #expect(try redis.send(["GET", RedisArgument(prefix + timedKey)]).string == "7")
        let score = Int(try redis.send(["ZSCORE", RedisArgument(prefix + "tag:a:entries"), RedisArgument(timedKey)]).string ?? "") ?? 0
        let now = Int(Date().timeIntervalSince1970)
        #expect(score >= now + 58 && score <= now + 61)
        // Reading needs the tags (they name the key); invalidating a deletes both entries.
        let get = try cachectl(["get", "k", "--tag", "a", "--tag", "b", "--format", "jsonl", "--layout", layout, "--namespace", namespace])
        #expect(String(decoding: get.stdout, as: UTF8.self).contains(#""value":"v""#))
        let invalidate = try cachectl(["invalidate-tag", "a", "--format", "json", "--layout", layout, "--namespace", namespace])
        #expect((try JSONSerialization.jsonObject(with: invalidate.stdout) as! [String: Any])["deleted"] as? Int == 2)
        #expect(try redis.send(["EXISTS", RedisArgument(prefix + member), RedisArgument(prefix + timedKey), RedisArgument(prefix + "tag:a:entries")]).integer == 0)
        // tags prune removes b's member whose entry went with a (Laravel's own flushStale only drops expired scores).
        let prune = try cachectl(["tags", "prune", "--format", "json", "--layout", layout, "--namespace", namespace])
        #expect(prune.status == 0)
        #expect(try redis.send(["ZCARD", RedisArgument(prefix + "tag:b:entries")]).integer == 0)
    }

    @Test func laravel8RotatesTheTagIdThenDrains() throws {
        let namespace = "l8\(UUID().uuidString.prefix(6))"
        #expect(try cachectl(["set", "k", "v", "--tag", "a", "--layout", "laravel-8", "--namespace", namespace]).status == 0)
        let redis = try redis()
        let idKey = RedisArgument(namespace + ":tag:a:key")
        let before = try #require(try redis.send(["GET", idKey]).bytes)
        #expect(before.count == 30 && Array(before.prefix(6)) == Array(#"s:22:""#.utf8))  // serialize() of a 22-character uniqid id
        let oldID = String(decoding: before.dropFirst(6).prefix(22), as: UTF8.self)
        #expect(try redis.send(["SMEMBERS", RedisArgument(namespace + ":\(oldID):standard_ref")]).array?.count == 1)
        let invalidate = try cachectl(["invalidate-tag", "a", "--format", "json", "--layout", "laravel-8", "--namespace", namespace])
        #expect((try JSONSerialization.jsonObject(with: invalidate.stdout) as! [String: Any])["deleted"] as? Int == 1)
        let after = try #require(try redis.send(["GET", idKey]).bytes)
        #expect(after != before)
        #expect(try redis.send(["EXISTS", RedisArgument(namespace + ":\(oldID):standard_ref")]).integer == 0)
    }
}

private func hexBytes(_ hex: String) -> [UInt8] {
    stride(from: 0, to: hex.count, by: 2).map { offset in
        let start = hex.index(hex.startIndex, offsetBy: offset)
        return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
    }
}
