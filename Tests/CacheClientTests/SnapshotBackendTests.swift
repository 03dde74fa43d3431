@testable import CacheClient
import Foundation
import Testing

/// A fresh directory per test, removed when the test ends.
private struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-snapshot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names in the directory, sorted: shows side files such as -wal, -shm and -journal.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Errors collected from several threads.
private final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    func append(_ message: String) { lock.withLock { collected.append(message) } }
    var messages: [String] { lock.withLock { collected } }
}

/// Deterministic bytes, so a failing test fails the same way again.
private struct SeededBytes {
    var state: UInt64

    mutating func next(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func kind(of body: () throws -> Void) -> CacheError.Kind? {
    do {
        try body()
        return nil
    } catch let error as CacheError {
        return error.kind
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// Reads one integer from the file directly, to see what the backend stored rather than what it reports.
private func rawInteger(_ backend: SnapshotBackend, _ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int64? {
    try backend.existingDatabase()?.scalar(sql, bindings)?.integerValue
}

@Suite("SnapshotBackend")
struct SnapshotBackendTests {
    @Test("a 1 MiB random binary value comes back byte for byte")
    func binaryRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = SystemRandomNumberGenerator()
        let value = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        #expect(try backend.write(Entry(key: "blob", value: value, expiry: .never), ifAbsent: false))
        let read = try #require(try backend.entries(["blob"]).first ?? nil)
        #expect(read.value == value)
        #expect(read.expiry == .never)
        #expect(read.tags == [])
        #expect(try SnapshotBackend(path: directory.path("cache.snapshot")).entries(["blob"]).first??.value == value)
    }

    @Test("an empty value is stored as an empty value", arguments: [false, true])
    func emptyValue(batch: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        let entry = Entry(key: "empty", value: [], expiry: .never)
        if batch { _ = try backend.write(batch: [entry], onlyMissing: false) } else { _ = try backend.write(entry, ifAbsent: false) }
        #expect(try backend.entries(["empty"]) == [Entry(key: "empty", value: [], expiry: .never, tags: [])])
    }

    @Test("keys with spaces, control characters and non-ASCII text", arguments: [
        "key with spaces", "ключ:1", "鍵🔑", "tab\tand\nnewline", "", "café/ü?*[x]",
    ])
    func unusualKeys(key: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        _ = try backend.write(Entry(key: key, value: bytes("v:\(key)"), expiry: .never, tags: ["tag \(key)"]), ifAbsent: false)
        _ = try backend.write(Entry(key: key + "x", value: bytes("other"), expiry: .never), ifAbsent: false)
        let read = try #require(try backend.entries([key]).first ?? nil)
        #expect(read.key == key)
        #expect(read.value == bytes("v:\(key)"))
        #expect(read.tags == ["tag \(key)"])
        #expect(try backend.exists([key, key + "y"]) == [true, false])
        #expect(try backend.delete([key]) == 1)
        #expect(try backend.exists([key, key + "x"]) == [false, true])
    }

    @Test("a TTL is stored as an expiry time and read back as the remaining lifetime")
    func timeToLive() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        let before = backend.nowMilliseconds()
        _ = try backend.write(Entry(key: "k", value: bytes("v"), expiry: .seconds(300)), ifAbsent: false)
        let after = backend.nowMilliseconds()
        let expiresAt = try #require(try rawInteger(backend, "SELECT expires_at FROM entries WHERE key = 'k'"))
        #expect((before + 300_000...after + 300_000).contains(expiresAt))
        let remaining = try #require(try backend.entries(["k"]).first??.expiry.milliseconds)
        #expect((299_000...300_000).contains(remaining))
        _ = try backend.write(Entry(key: "forever", value: bytes("v"), expiry: .never), ifAbsent: false)
        #expect(try rawInteger(backend, "SELECT count(*) FROM entries WHERE key = 'forever' AND expires_at IS NULL") == 1)
    }

    @Test("an expired entry is absent everywhere and purged by later writes")
    func expiredEntries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        _ = try backend.write(Entry(key: "old", value: bytes("v"), expiry: .milliseconds(1), tags: ["t"]), ifAbsent: false)
        _ = try backend.write(Entry(key: "live", value: bytes("v"), expiry: .never), ifAbsent: false)
        Thread.sleep(forTimeInterval: 0.02)
        #expect(try backend.entries(["old"]) == [nil])
        #expect(try backend.exists(["old", "live"]) == [false, true])
        #expect(try backend.statistics().entries == 1)
        #expect(try backend.delete(["old"]) == 0)
        #expect(try backend.statistics().app.deletes == 0)

        _ = try backend.write(Entry(key: "gone", value: bytes("v"), expiry: .milliseconds(1), tags: ["t"]), ifAbsent: false)
        Thread.sleep(forTimeInterval: 0.02)
        #expect(try backend.write(Entry(key: "gone", value: bytes("new"), expiry: .never), ifAbsent: true),
                "an expired row counts as absent for ifAbsent")
        #expect(try backend.entries(["gone"]).first??.value == bytes("new"))
        #expect(try backend.entries(["gone"]).first??.tags == [], "the expired row's tags went with it")

        _ = try backend.write(Entry(key: "another", value: bytes("v"), expiry: .never), ifAbsent: false)
        #expect(try rawInteger(backend, "SELECT count(*) FROM entries WHERE expires_at IS NOT NULL") == 0)
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags") == 0)
    }

    @Test("ifAbsent writes only when no live entry exists")
    func ifAbsent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        #expect(try backend.write(Entry(key: "k", value: bytes("first"), expiry: .never, tags: ["a"]), ifAbsent: true))
        #expect(try !backend.write(Entry(key: "k", value: bytes("second"), expiry: .seconds(5), tags: ["b"]), ifAbsent: true))
        #expect(try backend.entries(["k"]) == [Entry(key: "k", value: bytes("first"), expiry: .never, tags: ["a"])])
        #expect(try backend.statistics().app.sets == 1)
    }

    @Test("rewriting an entry replaces its tags")
    func tagsReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        _ = try backend.write(Entry(key: "k", value: bytes("1"), expiry: .never, tags: ["zeta", "alpha", "alpha"]), ifAbsent: false)
        #expect(try backend.entries(["k"]).first??.tags == ["alpha", "zeta"])
        _ = try backend.write(Entry(key: "k", value: bytes("2"), expiry: .never, tags: ["beta"]), ifAbsent: false)
        #expect(try backend.entries(["k"]).first??.tags == ["beta"])
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags") == 1)
        _ = try backend.write(Entry(key: "k", value: bytes("3"), expiry: .never, tags: nil), ifAbsent: false)
        #expect(try backend.entries(["k"]).first??.tags == [])
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags") == 0)
    }

    @Test("a batch rewrite of an expired or repeated key leaves only its new tags")
    func batchRewriteReplacesTags() throws {
        // The bulk path skips the tag DELETE for keys it inserts new; a row that is already there
        // (written earlier in the same batch) or expired must still lose its old memberships.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        _ = try backend.write(Entry(key: "old", value: bytes("1"), expiry: .seconds(60), tags: ["stale", "kept"]), ifAbsent: false)
        try backend.existingDatabase()?.execute("UPDATE entries SET expires_at = 1 WHERE key = 'old'")
        let written = try backend.write(batch: [
            Entry(key: "old", value: bytes("2"), expiry: .never, tags: ["kept", "fresh"]),
            Entry(key: "twice", value: bytes("a"), expiry: .never, tags: ["first"]),
            Entry(key: "twice", value: bytes("b"), expiry: .never, tags: ["second", "second"]),
        ], onlyMissing: false)
        #expect(written == [true, true, true])
        #expect(try backend.entries(["old", "twice"]) == [
            Entry(key: "old", value: bytes("2"), expiry: .never, tags: ["fresh", "kept"]),
            Entry(key: "twice", value: bytes("b"), expiry: .never, tags: ["second"]),
        ])
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags") == 3)
        #expect(try rawInteger(backend, "SELECT count(*) FROM entries WHERE expires_at IS NULL") == 2)
    }

    @Test("delete removes entries with their tag rows and counts live entries")
    func deleteEntries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        for key in ["a", "b", "c"] {
            _ = try backend.write(Entry(key: key, value: bytes(key), expiry: .never, tags: ["all", "tag:\(key)"]), ifAbsent: false)
        }
        #expect(try backend.delete(["a", "b", "missing", "a"]) == 2)
        #expect(try backend.exists(["a", "b", "c"]) == [false, false, true])
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags WHERE key IN ('a', 'b')") == 0)
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags WHERE key = 'c'") == 2)
        let statistics = try backend.statistics()
        #expect(statistics.app.deletes == 2)
        #expect(statistics.tags == 2)
        #expect(statistics.entries == 1)
    }

    @Test("a batch is written in one go; onlyMissing leaves live keys alone")
    func batchWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        _ = try backend.write(Entry(key: "k1", value: bytes("original"), expiry: .never, tags: ["old"]), ifAbsent: false)
        let batch = ["k1", "k2", "k3"].map { Entry(key: $0, value: bytes("batch"), expiry: .seconds(60), tags: ["new"]) }
        #expect(try backend.write(batch: batch, onlyMissing: true) == [false, true, true])
        #expect(try backend.entries(["k1"]) == [Entry(key: "k1", value: bytes("original"), expiry: .never, tags: ["old"])])
        #expect(try backend.entries(["k2"]).first??.tags == ["new"])
        #expect(try backend.statistics().app.sets == 3)
        #expect(try backend.write(batch: batch, onlyMissing: false) == [true, true, true])
        #expect(try backend.entries(["k1"]).first??.value == bytes("batch"))
        #expect(try backend.entries(["k1"]).first??.tags == ["new"])
        #expect(try backend.statistics().app.sets == 6)
        #expect(try backend.write(batch: [], onlyMissing: false) == [])
    }

    @Test("writes, deletes and recorded reads count; reset zeroes the counters")
    func counters() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        let backend = try SnapshotBackend(path: path)
        _ = try backend.write(Entry(key: "a", value: bytes("1"), expiry: .never), ifAbsent: false)
        _ = try backend.write(batch: [Entry(key: "b", value: bytes("2"), expiry: .never)], onlyMissing: false)
        _ = try backend.delete(["a"])
        try backend.recordReads(hits: 3, misses: 2)
        try backend.recordReads(hits: 1, misses: 0)
        let counted = try SnapshotBackend(path: path).statistics().app
        #expect(counted == AppCounters(hits: 4, misses: 2, sets: 2, deletes: 1, tagInvalidations: 0))
        try backend.resetCounters()
        #expect(try backend.statistics().app == AppCounters())
        #expect(try backend.exists(["b"]) == [true], "reset leaves entries alone")
    }

    @Test("the key prefix is part of the stored key")
    func keyPrefix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        let prefixed = try SnapshotBackend(path: path, configuration: CacheConfiguration(keyPrefix: "app:"))
        let plain = try SnapshotBackend(path: path)
        _ = try prefixed.write(Entry(key: "k", value: bytes("v"), expiry: .never, tags: ["t"]), ifAbsent: false)
        #expect(try rawInteger(plain, "SELECT count(*) FROM entries WHERE key = 'app:k'") == 1)
        #expect(try rawInteger(plain, "SELECT count(*) FROM tags WHERE tag = 't' AND key = 'app:k'") == 1)
        #expect(try plain.entries(["app:k"]).first??.value == bytes("v"))
        #expect(try plain.exists(["k"]) == [false])
        // Keys that sort right next to the prefix's range, on both sides.
        for key in ["app;", "app", "apo:z", "app:\u{10FFFF}", "app:é"] {
            _ = try plain.write(Entry(key: key, value: bytes("v"), expiry: .never), ifAbsent: false)
        }
        #expect(try prefixed.statistics().entries == 3)
        #expect(try plain.statistics().entries == 6)
        #expect(try prefixed.delete(["k"]) == 1)
        #expect(try plain.exists(["app:k"]) == [false])
    }

    @Test("reads of a missing file do not create it; the first write creates the file, in an existing directory only")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("sub/cache.snapshot")
        #expect(kind { _ = try SnapshotBackend(path: path, access: .existing) } == .io, "a reading command refuses a missing file")
        let backend = try SnapshotBackend(path: path)
        #expect(try backend.entries(["a", "b"]) == [nil, nil])
        #expect(try backend.exists(["a"]) == [false])
        #expect(try backend.delete(["a"]) == 0)
        try backend.resetCounters()
        let statistics = try backend.statistics()
        #expect(statistics.entries == 0 && statistics.tags == 0 && statistics.app == AppCounters())
        #expect(try backend.ping().version == "snapshot format 2")
        #expect(try directory.contents() == [], "not even the directory was created")
        #expect(kind { _ = try backend.write(Entry(key: "a", value: bytes("1"), expiry: .never), ifAbsent: false) } == .io,
                "a missing directory is a typo, not a tree to create")
        #expect(try directory.contents() == [])

        try FileManager.default.createDirectory(atPath: directory.path("sub"), withIntermediateDirectories: false)
        #expect(try backend.write(Entry(key: "a", value: bytes("1"), expiry: .never), ifAbsent: false))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try SnapshotBackend(path: path).entries(["a"]).first??.value == bytes("1"))

        let header = try #require(FileHandle(forReadingAtPath: path)?.readData(ofLength: 100))
        #expect(Array(header.prefix(16)) == bytes("SQLite format 3") + [0])
        #expect(Array(header[60..<64]) == [0, 0, 0, 2], "user_version 2")
        #expect(Array(header[68..<72]) == bytes("cach"), "application_id 0x63616368")
        #expect(header[18] == 2 && header[19] == 2, "WAL mode")
        let database = try #require(try backend.existingDatabase())
        #expect(try database.scalar("SELECT value FROM meta WHERE name = 'format'") == .text("cachectl-snapshot"))
        #expect(try database.scalar("SELECT value FROM meta WHERE name = 'version'") == .text("2"))
        let createdAt = try #require(try database.scalar("SELECT value FROM meta WHERE name = 'created_at'")?.textValue)
        #expect(try Date(createdAt, strategy: .iso8601) <= Date())
        #expect(try database.scalar("PRAGMA journal_mode") == .text("wal"))
    }

    @Test("a reader sees a file another backend created after it started")
    func fileCreatedLater() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        let reader = try SnapshotBackend(path: path)
        #expect(try reader.exists(["k"]) == [false])
        _ = try SnapshotBackend(path: path).write(Entry(key: "k", value: bytes("v"), expiry: .never), ifAbsent: false)
        #expect(try reader.exists(["k"]) == [true])
    }

    enum ForeignFile: String, CaseIterable, Sendable {
        case randomBytes, textFile, empty, truncatedHeader, otherSQLiteFromCLI, otherSQLiteInWAL, newerFormat, ourIDWithoutMeta, directory
    }

    @Test("a foreign file is refused and left exactly as it was", arguments: ForeignFile.allCases)
    func foreignFile(_ foreign: ForeignFile) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        var seeded = SeededBytes(state: 42)
        switch foreign {
        case .randomBytes:
            try Data(seeded.next(8192)).write(to: URL(fileURLWithPath: path))
        case .textFile:
            try Data(bytes("key,value\narticle:1,hello\n")).write(to: URL(fileURLWithPath: path))
        case .empty:
            try Data().write(to: URL(fileURLWithPath: path))
        case .truncatedHeader:
            try Data(bytes("SQLite format 3") + [0] + seeded.next(20)).write(to: URL(fileURLWithPath: path))
        case .otherSQLiteFromCLI:
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else {
                let database = try SQLiteDatabase(path: path, create: true, busyTimeoutMilliseconds: 1000)
                try database.executeScript("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
                break
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = [path, "CREATE TABLE entries(key TEXT PRIMARY KEY, value BLOB); INSERT INTO entries VALUES ('a', x'00');"]
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
        case .otherSQLiteInWAL:
            let database = try SQLiteDatabase(path: path, create: true, busyTimeoutMilliseconds: 1000)
            try database.execute("PRAGMA journal_mode = WAL")
            try database.executeScript("PRAGMA application_id = 1234; CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        case .newerFormat:
            _ = try SnapshotBackend(path: path).write(Entry(key: "k", value: bytes("v"), expiry: .never), ifAbsent: false)
            let database = try SQLiteDatabase(path: path, create: false, busyTimeoutMilliseconds: 1000)
            try database.execute("PRAGMA user_version = 3")
        case .ourIDWithoutMeta:
            let database = try SQLiteDatabase(path: path, create: true, busyTimeoutMilliseconds: 1000)
            try database.executeScript("PRAGMA application_id = 1667326824; PRAGMA user_version = 1; CREATE TABLE t(x);")
        case .directory:
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        let contentsBefore = try directory.contents()
        let bytesBefore = foreign == .directory ? nil : try Data(contentsOf: URL(fileURLWithPath: path))

        var message = ""
        do {
            _ = try SnapshotBackend(path: path)
            Issue.record("\(foreign) was accepted")
        } catch let error as CacheError {
            #expect(error.kind == .badInput)
            message = error.message
        }
        #expect(message.contains(path))
        if foreign == .newerFormat {
            #expect(message.contains("newer cachectl"))
        } else if foreign == .truncatedHeader || foreign == .ourIDWithoutMeta {
            #expect(message.contains("damaged"))
        } else {
            #expect(message.contains("it is not a cachectl snapshot file"))
        }
        #expect(try directory.contents() == contentsBefore, "no -wal, -shm or -journal file left behind")
        if let bytesBefore {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytesBefore, "byte for byte unchanged")
        }
    }

    @Test("a damaged snapshot fails with badInput and is left exactly as it was")
    func damagedFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        let keys = (0..<4000).map { "entry:\($0)" }
        var seeded = SeededBytes(state: 7)
        do {
            let backend = try SnapshotBackend(path: path)
            let batch = keys.map { Entry(key: $0, value: seeded.next(200), expiry: .seconds(3600), tags: ["all"]) }
            _ = try backend.write(batch: batch, onlyMissing: false)
        }
        // The WAL outlives the connection (no checkpoint on close); merge it the way any other
        // SQLite program would, so the damage below hits the only copy of the data.
        try checkpointWithAnotherProgram(path)
        #expect(try directory.contents() == ["cache.snapshot"], "the other program's close merged and removed the WAL")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2 / 4096 * 4096)
        try handle.write(contentsOf: Data(seeded.next(3 * 4096)))
        try handle.close()
        let bytesBefore = try Data(contentsOf: URL(fileURLWithPath: path))

        var failure: CacheError.Kind?
        do {
            let backend = try SnapshotBackend(path: path)
            _ = try backend.statistics()
            _ = try backend.exists(keys)
            _ = try backend.entries(keys)
        } catch let error as CacheError {
            failure = error.kind
            #expect(error.message.contains("damaged"))
            #expect(error.message.contains(path))
        }
        #expect(failure == .badInput)
        #expect(try directory.contents() == ["cache.snapshot"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytesBefore)
    }

    @Test("four writers at once lose nothing")
    func concurrentWriters() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A missing file, so the writers also race to create it.
        let path = directory.path(".cachectl/cache.snapshot")
        try FileManager.default.createDirectory(atPath: directory.path(".cachectl"), withIntermediateDirectories: false)
        let writers = 4, perWriter = 500
        let errors = ErrorLog()
        let done = DispatchGroup()
        for writer in 0..<writers {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                do {
                    // Each thread has its own backend and so its own SQLite connection: for SQLite's
                    // locks that is the same as a separate process.
                    let backend = try SnapshotBackend(path: path, configuration: CacheConfiguration(timeout: 30))
                    for index in 0..<perWriter {
                        let entry = Entry(key: "w\(writer):\(index)", value: Array("value \(index)".utf8),
                                          expiry: .never, tags: ["writer:\(writer)", "all"])
                        if index % 50 == 0 {
                            _ = try backend.write(batch: [entry], onlyMissing: false)
                        } else {
                            _ = try backend.write(entry, ifAbsent: false)
                        }
                        if index % 100 == 0 { try backend.recordReads(hits: 1, misses: 0) }
                    }
                } catch {
                    errors.append("writer \(writer): \(error)")
                }
            }
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(errors.messages == [])

        let backend = try SnapshotBackend(path: path)
        let keys = (0..<writers).flatMap { writer in (0..<perWriter).map { "w\(writer):\($0)" } }
        #expect(try backend.exists(keys).allSatisfy { $0 })
        let statistics = try backend.statistics()
        #expect(statistics.entries == Int64(writers * perWriter))
        #expect(statistics.tags == Int64(writers + 1))
        #expect(statistics.app.sets == Int64(writers * perWriter))
        #expect(statistics.app.hits == Int64(writers * perWriter / 100))
        #expect(try rawInteger(backend, "SELECT count(*) FROM tags WHERE tag = 'all'") == Int64(writers * perWriter))
        #expect(try directory.contents() == [".cachectl"], "no temporary files left from the creation race")
    }

    @Test("ping and statistics describe the file")
    func pingAndStatistics() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("cache.snapshot")
        let backend = try SnapshotBackend(path: path)
        _ = try backend.write(Entry(key: "k", value: [UInt8](repeating: 1, count: 10_000), expiry: .never), ifAbsent: false)
        let ping = try backend.ping()
        #expect(ping.backend == "snapshot")
        #expect(ping.endpoint == "file:\(path)")
        #expect(ping.version == "snapshot format 2")
        #expect(ping.role == nil)
        #expect(ping.latency >= 0 && ping.latency < 1)
        let statistics = try backend.statistics()
        #expect(statistics.server == nil)
        #expect((statistics.memoryBytes ?? 0) > 10_000)
        #expect(backend.kind == "snapshot")
    }

    @Test("a transaction that throws leaves nothing behind")
    func rollback() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try SnapshotBackend(path: directory.path("cache.snapshot"))
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try backend.transaction { database in
                try backend.store(Entry(key: "k", value: bytes("v"), expiry: .never), in: database, now: backend.nowMilliseconds())
                throw Abort()
            }
        }
        #expect(try backend.exists(["k"]) == [false])
        // Nested transactions become savepoints: the inner failure undoes only the inner work.
        try backend.transaction { database in
            try backend.store(Entry(key: "outer", value: bytes("v"), expiry: .never), in: database, now: backend.nowMilliseconds())
            _ = try? backend.transaction { inner in
                try backend.store(Entry(key: "inner", value: bytes("v"), expiry: .never), in: inner, now: backend.nowMilliseconds())
                throw Abort()
            }
        }
        #expect(try backend.exists(["outer", "inner"]) == [true, false])
    }
}

/// Checkpoints and closes the snapshot with python3's sqlite3 module, as another program reading
/// the documented format would; its close removes the -wal and -shm files.
func checkpointWithAnotherProgram(_ path: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()", path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CacheError(.failed, "python3 could not checkpoint \(path)") }
}
