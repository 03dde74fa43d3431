import CacheClient
import cachectlTests
import Foundation
import Testing

/// One large value through `set` and `get` on both backends, byte for byte: the paths that hold
/// the value once or not at all (big RESP arguments by reference, big bulk replies read straight
/// into their array, a snapshot's large values written and read in pieces with SQLite's blob
/// I/O, JSON written in pieces), with each run's peak resident memory taken from the kernel
/// (`wait4`) and held to a bound against the value's size. Memory does not depend on the
/// machine's load the way time does; the bounds leave room for the debug build's larger image.
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

    /// The options that select the backend under test: the namespace on the test server, or a
    /// snapshot file in `directory`.
    static func target(_ backend: String, _ ns: RedisNamespace, _ directory: URL) -> [String] {
        backend == "redis" ? ["--url", ns.url] + ns.prefixOptions : ["--url", "file:" + directory.appendingPathComponent("cache.snapshot").path]
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
        let target = Self.target(backend, ns, directory)
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

    /// Migrate's read pattern: PTTL, GET per key in one pipeline, so each big bulk reply follows
    /// an integer reply (and small bulks, nulls, statuses) in the same read. Every reply in order,
    /// every byte in place, whichever way each bulk was read; then the connection goes on.
    @Test func bigBulksBehindOtherRepliesInOneRead() throws {
        let ns = try RedisNamespace()
        try ns.withCleanup {
            let connection = try ns.connection()
            let sizes = [3 << 20, 5, (1 << 20) + 7, 0, 1 << 20, (1 << 20) - 1, 2 << 20]
            let values = sizes.map { [UInt8](Self.randomValue($0)) }
            var commands: [[RedisArgument]] = []
            for (index, value) in values.enumerated() {
                commands.append(["SET", RedisArgument(ns.prefix + "mixed:\(index)"), RedisArgument(bytes: value), "EX", "600"])
            }
            _ = try connection.pipeline(commands)
            var reads: [[RedisArgument]] = []
            var expected: [RESPValue] = []
            for (index, value) in values.enumerated() {
                reads.append(["PTTL", RedisArgument(ns.prefix + "mixed:\(index)")])
                reads.append(["GET", RedisArgument(ns.prefix + "mixed:\(index)")])
                expected.append(.bulk(value))
                if index % 2 == 0 {
                    reads.append(["GET", RedisArgument(ns.prefix + "absent")])
                    reads.append(["ECHO", "small"])
                    reads.append(["PING"])
                }
            }
            let replies = try connection.pipeline(reads)
            #expect(replies.count == reads.count)
            var bulks: [RESPValue] = []
            for (command, reply) in zip(reads, replies) {
                switch command[0].bytes {
                case Array("PTTL".utf8):
                    #expect((reply.integer ?? 0) > 590_000, "PTTL \(reply)")
                case Array("GET".utf8) where command[1].bytes == Array((ns.prefix + "absent").utf8):
                    #expect(reply == .null)
                case Array("GET".utf8): bulks.append(reply)
                case Array("ECHO".utf8): #expect(reply == .bulk(Array("small".utf8)))
                default: #expect(reply == .status("PONG"))
                }
            }
            #expect(bulks.count == expected.count)
            for (index, (bulk, value)) in zip(bulks, expected).enumerated() {
                #expect(bulk == value, "value \(index) of \(sizes[index]) bytes")
            }
            #expect(try connection.send("PING") == .status("PONG"))
        }
    }

    // MARK: Peak memory

    /// The peak resident memory of one run and its exit status: stdin from `input` (or
    /// /dev/null), stdout into `output` (or /dev/null).
    ///
    /// Measured by a small python3 parent (its RUSAGE_CHILDREN): Linux keeps a process's maxrss
    /// across exec, so a child spawned straight from this test process (hundreds of MB, shared
    /// until exec) would report the test's own size.
    static func peakRun(_ args: [String], input: String? = nil, output: String? = nil) throws -> (status: Int32, kibibytes: Int) {
        let script = """
            import os, resource, subprocess, sys
            with open(sys.argv[1] or os.devnull, 'rb') as i, open(sys.argv[2] or os.devnull, 'wb') as o:
                code = subprocess.run(sys.argv[3:], stdin=i, stdout=o, stderr=subprocess.DEVNULL).returncode
            print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            """
        let run = try ProcessRunner.run("python3", ["-c", script, input ?? "", output ?? "", CLI.binary.path] + args,
                                        timeout: .seconds(180))
        let fields = String(decoding: run.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard run.status == 0, fields.count == 2, let status = Int32(fields[0]), let kibibytes = Int(fields[1]) else {
            throw ProcessRunnerError("measuring cachectl \(args.joined(separator: " ")) failed: \(String(decoding: run.stderr, as: UTF8.self))")
        }
        return (status, kibibytes)
    }

    /// Peak memory of set (new, from stdin over it) and of get (--raw, --format json, jsonl) of a
    /// 50 MB random value, each output checked byte for byte. The goal is about 1.5× the value
    /// (held once, plus the program); a snapshot's get holds none of it (read and written in
    /// pieces). The bounds sit above the goal by the debug build's extra image, below the 2.3–5×
    /// the paths took when SQLite or hiredis built a second copy.
    @Test(arguments: ["redis", "snapshot"])
    func peakMemoryStaysNearOneValue(backend: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ns = try RedisNamespace()
        let target = Self.target(backend, ns, directory)
        let value = Self.randomValue(Self.size)
        let valueFile = directory.appendingPathComponent("value.bin").path
        try value.write(to: URL(fileURLWithPath: valueFile))
        let output = directory.appendingPathComponent("out").path
        let megabyte = Double(Self.size) / 1024
        var peaks: [String: Double] = [:]
        func measure(_ name: String, _ args: [String], input: String? = nil) throws {
            let run = try Self.peakRun(args + target, input: input, output: output)
            #expect(run.status == 0, "\(backend): \(name) exited \(run.status)")
            peaks[name] = Double(run.kibibytes) / megabyte
        }
        try ns.withCleanup {
            try measure("set --file", ["set", "big", "--file", valueFile, "--ttl", "1h", "--tag", "large"])
            try measure("set from stdin over it", ["set", "big", "-", "--ttl", "1h"], input: valueFile)
            try measure("get --raw", ["get", "big", "--raw"])
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == value, "\(backend): get --raw")
            try measure("get --format json", ["get", "big", "--format", "json"])
            #expect(try Self.jsonBase64Value(Data(contentsOf: URL(fileURLWithPath: output))) == value, "\(backend): get --format json")
            try measure("get --format jsonl", ["get", "big", "--format", "jsonl"])
            let line = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(line.last == 0x0A && line.dropLast().firstIndex(of: 0x0A) == nil, "\(backend): one line")
            let object = try JSONSerialization.jsonObject(with: line) as? [String: Any]
            #expect((object?["value_base64"] as? String).flatMap { Data(base64Encoded: $0) } == value, "\(backend): get --format jsonl")
            #expect(object?["size"] as? Int == value.count)
            // migrate into database 11 of the test server: it pipelines PTTL, GET per key, so
            // from Redis the big bulk arrives behind an integer reply in the same read.
            let copy = ns.url + "/11"
            let prefixes = backend == "redis" ? ns.prefixOptions : []
            let storeKey = (backend == "redis" ? ns.prefix : "") + "big"
            defer { _ = try? ProcessRunner.run("redis-cli", ["-u", copy, "DEL", storeKey]) }
            let run = try Self.peakRun(["migrate", "--from", backend == "redis" ? ns.url : target[1], "--to", copy,
                                        "--on-conflict", "replace", "-q"] + prefixes)
            #expect(run.status == 0, "\(backend): migrate exited \(run.status)")
            peaks["migrate → redis"] = Double(run.kibibytes) / megabyte
            let copied = try ProcessRunner.run("redis-cli", ["-u", copy, "--no-raw", "STRLEN", storeKey])
            #expect(String(decoding: copied.stdout, as: UTF8.self).contains("\(value.count)"), "\(backend): migrate copied the value")
            // migrate into JSON Lines: the line is written in pieces straight from the value's bytes.
            let lines = directory.appendingPathComponent("copy.jsonl").path
            let toLines = try Self.peakRun(["migrate", "--from", backend == "redis" ? ns.url : target[1], "--to", "jsonl:" + lines, "-q"] + prefixes)
            #expect(toLines.status == 0, "\(backend): migrate to JSON Lines exited \(toLines.status)")
            peaks["migrate → jsonl"] = Double(toLines.kibibytes) / megabyte
            let written = try Data(contentsOf: URL(fileURLWithPath: lines))
            #expect(written.last == 0x0A && written.dropLast().firstIndex(of: 0x0A) == nil, "\(backend): one line in the JSON Lines copy")
            let copiedLine = try JSONSerialization.jsonObject(with: written) as? [String: Any]
            #expect((copiedLine?["value_base64"] as? String).flatMap { Data(base64Encoded: $0) } == value, "\(backend): migrate to JSON Lines")
            #expect(copiedLine?["key"] as? String == "big", "\(backend): key of the JSON Lines copy \(copiedLine?["key"] ?? "none")")
        }
        let summary = peaks.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))×" }.joined(separator: ", ")
        for (name, peak) in peaks {
            // Writes and migrate hold the value once; reads of a snapshot hold none of it, of Redis once.
            let bound = name.hasPrefix("get") && backend == "snapshot" ? 0.8 : 1.7
            #expect(peak <= bound, "\(backend): \(name) peaked at \(String(format: "%.2f", peak))× the value (bound \(bound)×); all: \(summary)")
        }
        print("LargeValueTests peak RSS (\(backend), × 50 MiB): \(summary)")
    }

    /// `set` of a large value into a snapshot killed (SIGKILL) at seeded points while it writes:
    /// afterwards the entry holds the old value with its old tag or the new value with its new
    /// tag, byte for byte, and `check` finds the file whole (no large value without its entry).
    @Test func aKilledLargeSetLeavesTheOldOrTheNewValue() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = ["--url", "file:" + directory.appendingPathComponent("cache.snapshot").path]
        var values: [Data] = []
        for index in 0..<11 {
            values.append(Self.randomValue(8 << 20 + index))
            try values[index].write(to: directory.appendingPathComponent("value-\(index)"))
        }
        let first = Date()
        #expect(try CLI.run(["set", "big", "--file", directory.appendingPathComponent("value-0").path, "--tag", "v0"] + target).status == 0)
        let oneSet = Date().timeIntervalSince(first)
        var current = 0
        var state: UInt64 = ProcessInfo.processInfo.environment["CACHECTL_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x1A_97
        var killed = 0
        for index in 1..<values.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let delay = Double(state >> 11) / Double(1 << 53) * oneSet * 1.2
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["set", "big", "-", "--tag", "v\(index)"] + target
            process.standardInput = FileHandle(forReadingAtPath: directory.appendingPathComponent("value-\(index)").path)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let context = "seed \(state), run \(index), kill after \(Int(delay * 1000)) ms of a \(Int(oneSet * 1000)) ms set"
            if process.terminationReason == .uncaughtSignal { killed += 1 } else {
                #expect(process.terminationStatus == 0, "\(context): set exited \(process.terminationStatus)")
            }
            let get = try CLI.run(["get", "big", "--format", "json"] + target)
            #expect(get.status == 0, "\(context): \(String(decoding: get.stderr, as: UTF8.self))")
            let object = try JSONSerialization.jsonObject(with: get.stdout) as? [String: Any]
            let entry = (object?["entries"] as? [[String: Any]])?.first
            let value = (entry?["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }
            let tags = entry?["tags"] as? [String]
            if value == values[index] {
                #expect(tags == ["v\(index)"], "\(context): the new value with the old tags")
                current = index
            } else {
                #expect(value == values[current], "\(context): neither the old nor the new value (\(value?.count ?? -1) bytes)")
                #expect(tags == ["v\(current)"], "\(context): the old value with other tags")
            }
            let check = try CLI.run(["check"] + target)
            #expect(check.status == 0, "\(context): \(String(decoding: check.stdout + check.stderr, as: UTF8.self))")
        }
        print("LargeValueTests: \(killed) of \(values.count - 1) large sets killed mid-run")
    }
}
