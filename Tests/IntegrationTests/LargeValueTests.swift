import CacheClient
import cachectlTests
import Foundation
import Testing

/// One large value through `set` and `get` on both backends, byte for byte: the paths that hold
/// the value once (big RESP arguments by reference, big bulk replies read straight into their
/// array, SQLite blobs bound in place, JSON written in pieces). Their memory is measured by
/// `make bench` (peak RSS against the value's size), not here.
@Suite(.serialized) struct LargeValueTests {
    static let size = 50 << 20

    /// Random bytes, so that no compression, text path or repeated pattern can hide a lost or moved byte.
    static func randomValue(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
            for index in (words.count * 8)..<count { raw[index] = UInt8.random(in: 0...255, using: &generator) }
        }
        return data
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-large-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The base64 value of the only entry of `get --format json`.
    static func jsonBase64Value(_ output: Data) throws -> Data? {
        let object = try JSONSerialization.jsonObject(with: output) as? [String: Any]
        let entry = (object?["entries"] as? [[String: Any]])?.first
        return (entry?["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }
    }

    /// set --file, get --raw, get --format json, then set from stdin over it and read it again.
    func roundTrip(_ run: ([String], Data?) throws -> ProcessOutput, directory: URL) throws {
        let value = Self.randomValue(Self.size)
        let file = directory.appendingPathComponent("value.bin")
        try value.write(to: file)
        let set = try run(["set", "big", "--file", file.path, "--ttl", "1h"], nil)
        #expect(set.status == 0, "\(String(decoding: set.stderr, as: UTF8.self))")
        let raw = try run(["get", "big", "--raw"], nil)
        #expect(raw.status == 0)
        #expect(raw.stdout.count == value.count)
        #expect(raw.stdout == value)
        let json = try run(["get", "big", "--format", "json"], nil)
        #expect(json.status == 0)
        #expect(try Self.jsonBase64Value(json.stdout) == value)

        var other = value
        other[other.count / 2] ^= 0xFF
        other.append(0x0A)
        #expect(try run(["set", "big", "-"], other).status == 0)
        #expect(try run(["get", "big", "--raw"], nil).stdout == other)
    }

    @Test func fiftyMegabyteBinaryValueRoundTripsThroughRedis() throws {
        let ns = try RedisNamespace()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try ns.withCleanup {
            try roundTrip({ args, stdin in
                try CLI.run(args + ["--url", ns.url, "--key-prefix", ns.prefix, "--tag-prefix", ns.prefix + "tag:",
                                    "--stats-key", ns.prefix + "stats"], stdin: stdin)
            }, directory: directory)
        }
    }

    @Test func fiftyMegabyteBinaryValueRoundTripsThroughASnapshot() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = "file:" + directory.appendingPathComponent("cache.snapshot").path
        try roundTrip({ args, stdin in try CLI.run(args + ["--url", snapshot], stdin: stdin) }, directory: directory)
    }

    /// Text that JSON must escape (quotes, backslashes, every control character, multi-byte UTF-8)
    /// in a value large enough to be written in pieces, next to a small one written whole.
    @Test(arguments: ["redis", "snapshot"])
    func largeTextValueIsEscapedInJSON(backend: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ns = try RedisNamespace()
        let target = backend == "redis"
            ? ["--url", ns.url, "--key-prefix", ns.prefix, "--tag-prefix", ns.prefix + "tag:", "--stats-key", ns.prefix + "stats"]
            : ["--url", "file:" + directory.appendingPathComponent("cache.snapshot").path]
        try ns.withCleanup {
            var piece = "\"quoted\" \\ back/slash é ☕ 𝄞 \u{7F}"
            for scalar in 0..<0x20 { piece.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
            let large = String(repeating: piece, count: (3 << 20) / piece.utf8.count)
            #expect(try CLI.run(["set", "large", "-"] + target, stdin: Data(large.utf8)).status == 0)
            // Through stdin: an argument cannot carry the NUL byte.
            #expect(try CLI.run(["set", "small", "-"] + target, stdin: Data(piece.utf8)).status == 0)
            let get = try CLI.run(["get", "small", "large", "--format", "json"] + target)
            #expect(get.status == 0)
            let object = try JSONSerialization.jsonObject(with: get.stdout) as? [String: Any]
            let entries = object?["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 2)
            #expect(entries.first?["value"] as? String == piece)
            #expect(entries.last?["value"] as? String == large)
            #expect(entries.last?["size"] as? Int == large.utf8.count)
        }
    }

    /// Big bulk replies where the connection reads them straight into their array (first in a
    /// read) and where hiredis parses them (behind other replies in the same read), in one
    /// pipeline: every reply in order, every byte in place.
    @Test func bigBulkRepliesKeepTheirOrderInAPipeline() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let connection = try ns.connection()
            let sizes = [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20, 0, 5]
            let values = sizes.map { [UInt8](Self.randomValue($0)) }
            var commands: [[RedisArgument]] = []
            for (index, value) in values.enumerated() {
                commands.append(["SET", RedisArgument(ns.prefix + "bulk:\(index)"), RedisArgument(bytes: value)])
            }
            for reply in try connection.pipeline(commands) { #expect(reply == .status("OK")) }
            var reads: [[RedisArgument]] = []
            for index in values.indices {
                reads.append(["GET", RedisArgument(ns.prefix + "bulk:\(index)")])
                reads.append(["PING"])
            }
            reads.append(["GET", RedisArgument(ns.prefix + "missing")])
            let replies = try connection.pipeline(reads)
            #expect(replies.count == reads.count)
            for (index, value) in values.enumerated() {
                #expect(replies[2 * index] == .bulk(value), "value \(index) of \(value.count) bytes")
                #expect(replies[2 * index + 1] == .status("PONG"))
            }
            #expect(replies.last == .null)
            // One at a time, so each big reply starts a read.
            for (index, value) in values.enumerated() {
                #expect(try connection.send(["GET", RedisArgument(ns.prefix + "bulk:\(index)")]) == .bulk(value))
            }
            #expect(try connection.send("PING") == .status("PONG"))
        }
    }
}
