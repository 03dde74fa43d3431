import CacheClient
import Foundation
import Testing

/// `RedisConnection.streamArray`: SMEMBERS read as it arrives (invalidate-tag sends each group's
/// UNLINK before the rest of the reply is read). Every member must come back once, whatever its
/// size against the 16 KiB read buffer and the 1 MiB direct-read threshold, in groups of the size
/// asked, interleaved with commands sent from inside the groups; other replies come back as they
/// are; and the connection reads the next replies right afterwards.
@Suite(.serialized) struct StreamedArrayTests {
    let place = TrustTests.Place(url: (try? TestEnvironment.redisURL) ?? "redis://127.0.0.1:1")

    /// Sends without reading the reply (`send([RedisArgument])` would read it).
    func post(_ connection: RedisConnection, _ arguments: [RedisArgument]) throws {
        var buffer = RedisCommandBuffer(capacity: 64)
        buffer.append(arguments)
        try connection.send(buffer)
    }

    func members(_ count: Int, sizes: [Int: Int] = [:]) -> [[UInt8]] {
        (0..<count).map { index in
            let base = Array("\(place.prefix)m:\(index):".utf8)
            guard let size = sizes[index] else { return base }
            return base + (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
        }
    }

    @Test(arguments: [(0, 1000), (1, 1000), (2500, 1000), (2500, 7), (30_000, 2000)])
    func everyMemberOnceInGroups(count: Int, group: Int) throws {
        let connection = try place.connection()
        defer { _ = try? connection.send(["UNLINK", RedisArgument(place.prefix + "set")]) }
        // A few members larger than the read buffer, one larger than the direct-read threshold.
        let sizes = count > 10 ? [3: 40_000, 4: 16_384, 5: 2 << 20, count - 1: 70_000] : [:]
        let expected = members(count, sizes: sizes)
        for chunk in stride(from: 0, to: expected.count, by: 1000) {
            _ = try connection.send(["SADD", RedisArgument(place.prefix + "set")] + expected[chunk..<min(chunk + 1000, expected.count)].map { RedisArgument(bytes: $0) })
        }
        try post(connection, ["SMEMBERS", RedisArgument(place.prefix + "set")])
        var seen: [[UInt8]] = []
        var groups: [Int] = []
        var pings = 0
        let result = try connection.streamArray(group: group) { elements in
            seen += elements
            groups.append(elements.count)
            // Commands sent while the reply is still being read: their replies follow it.
            var buffer = RedisCommandBuffer(capacity: 64)
            buffer.append(["PING"])
            try connection.send(buffer)
            pings += 1
        }
        #expect(result == .elements(count))
        #expect(Set(seen) == Set(expected) && seen.count == expected.count)
        #expect(groups.dropLast().allSatisfy { $0 == group } && (groups.last ?? 0) <= group)
        for reply in try connection.receive(count: pings) { #expect(reply == .status("PONG")) }
        #expect(try connection.send(["ECHO", "after"]) == .bulk(Array("after".utf8)))
    }

    @Test func otherRepliesComeBackAsTheyAre() throws {
        let connection = try place.connection()
        defer { _ = try? connection.send(["UNLINK", RedisArgument(place.prefix + "string")]) }
        _ = try connection.send(["SET", RedisArgument(place.prefix + "string"), "v"])
        try post(connection, ["SMEMBERS", RedisArgument(place.prefix + "string")])
        var called = false
        let wrong = try connection.streamArray(group: 10) { _ in called = true }
        guard case .other(let reply) = wrong else {
            Issue.record("an error reply was streamed: \(wrong)")
            return
        }
        #expect(reply.errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(!called)
        // A missing set is an empty array; an integer reply passes through too.
        try post(connection, ["SMEMBERS", RedisArgument(place.prefix + "missing")])
        #expect(try connection.streamArray(group: 10) { _ in called = true } == .elements(0))
        try post(connection, ["EXISTS", RedisArgument(place.prefix + "missing")])
        #expect(try connection.streamArray(group: 10) { _ in called = true } == .other(.integer(0)))
        #expect(!called)
        #expect(try connection.send(["PING"]) == .status("PONG"))
    }

    @Test func afterOtherRepliesInTheSameRead() throws {
        // hiredis holds the start of the array (it came in one read with the replies before it):
        // read the usual way, still handed out in groups.
        let connection = try place.connection()
        defer { _ = try? connection.send(["UNLINK", RedisArgument(place.prefix + "set2")]) }
        let expected = members(50)
        _ = try connection.send(["SADD", RedisArgument(place.prefix + "set2")] + expected.map { RedisArgument(bytes: $0) })
        var buffer = RedisCommandBuffer(capacity: 256)
        buffer.append(["PING"])
        buffer.append(["SMEMBERS", RedisArgument(place.prefix + "set2")])
        try connection.send(buffer)
        usleep(50_000)  // both replies in one read
        #expect(try connection.receive(count: 1) == [.status("PONG")])
        var seen: [[UInt8]] = []
        #expect(try connection.streamArray(group: 20) { seen += $0 } == .elements(50))
        #expect(Set(seen) == Set(expected))
        #expect(try connection.send(["PING"]) == .status("PONG"))
    }
}
