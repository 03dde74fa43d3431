import CacheClient
import Foundation
import Testing

/// The manifest readers, the line reader, the lock and the operation on the snapshot file: no server.
@Suite struct WarmupReaderTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-warmup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func items(_ reader: any EntryReader) throws -> [ManifestItem] {
        var all: [ManifestItem] = []
        while let item = try reader.next() { all.append(item) }
        return all
    }

    @Test func jsonLinesApplyDefaultsAndNameInvalidLines() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try file("m.jsonl", """
            {"key":"a","value":"x","tags":["own"]}

            {"key":"b","value":{"n": [1, 2]},"ttl":null}\r
            {"key":"c"}
            not json
            {"key":"d","value_base64":"AP8=","ttl":60,"tags":["extra"]}
            """)
        let defaults = EntryDefaults(expiry: .seconds(120), tags: ["extra"])
        let reader = EntryFormat.reader(.jsonLines, lines: try LineReader(path: path), defaults: defaults)
        let all = try items(reader)
        #expect(all.count == 5)
        #expect(all[0] == .entry(Entry(key: "a", value: Array("x".utf8), expiry: .seconds(120), tags: ["own", "extra"]), line: 1))
        #expect(all[1] == .entry(Entry(key: "b", value: Array(#"{"n":[1,2]}"#.utf8), expiry: .never, tags: ["extra"]), line: 3))
        guard case .invalid(let line, let reason) = all[2] else { Issue.record("line 4 should be invalid"); return }
        #expect(line == 4)
        #expect(reason.contains("missing \"value\""))
        guard case .invalid(5, _) = all[3] else { Issue.record("line 5 should be invalid"); return }
        #expect(all[4] == .entry(Entry(key: "d", value: [0x00, 0xFF], expiry: .seconds(60), tags: ["extra"]), line: 6))
        try reader.rewind()
        #expect(try items(reader) == all)
    }

    @Test func lineReaderHandlesLinesLongerThanItsBuffer() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let long = String(repeating: "é", count: 50_000)
        let path = try file("long.txt", "short\n\(long)\r\nlast")
        let fd = open(path, O_RDONLY)
        let lines = LineReader(descriptor: fd, name: path, closing: true, bufferSize: 4096)
        #expect(try lines.next() == Array("short".utf8))
        #expect(try lines.next() == Array(long.utf8))
        #expect(try lines.next() == Array("last".utf8))
        #expect(try lines.next() == nil)
        #expect(lines.lineNumber == 3)
    }

    @Test func csvQuotingTTLAndTags() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try file("m.csv", #"""
            key,value,ttl,tags
            k1,"hello, ""world""",5m,a|b
            k2,"two
            lines",,
            k3,plain,none,c
            k4,short
            k5,x,soon,
            k6,"open
            """#)
        let reader = EntryFormat.reader(.csv, lines: try LineReader(path: path), defaults: EntryDefaults(expiry: .seconds(300)))
        let all = try items(reader)
        #expect(all.count == 6)
        #expect(all[0] == .entry(Entry(key: "k1", value: Array(#"hello, "world""#.utf8), expiry: .seconds(300), tags: ["a", "b"]), line: 2))
        #expect(all[1] == .entry(Entry(key: "k2", value: Array("two\nlines".utf8), expiry: .seconds(300), tags: nil), line: 3))
        #expect(all[2] == .entry(Entry(key: "k3", value: Array("plain".utf8), expiry: .never, tags: ["c"]), line: 5))
        guard case .invalid(6, let columns) = all[3] else { Issue.record("line 6 should be invalid"); return }
        #expect(columns.contains("expected 4 fields"))
        guard case .invalid(7, let ttl) = all[4] else { Issue.record("line 7 should be invalid"); return }
        #expect(ttl.contains("soon"))
        guard case .invalid(8, _) = all[5] else { Issue.record("line 8 should be invalid"); return }
    }

    @Test func csvWithoutAHeaderIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try file("m.csv", "k1,v1\n")
        let reader = EntryFormat.reader(.csv, lines: try LineReader(path: path), defaults: EntryDefaults(expiry: .seconds(1)))
        #expect(throws: CacheError.self) { try reader.next() }
    }

    @Test func formatFromExtension() {
        #expect(EntryInputFormat(path: "a.CSV") == .csv)
        #expect(EntryInputFormat(path: "a.ndjson") == .jsonLines)
        #expect(EntryInputFormat(path: "a.json") == .jsonLines)
        #expect(EntryInputFormat(path: "a.txt") == nil)
    }

    @Test func aSecondLockOnTheSameFileIsBusy() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("warmup.lock").path
        let first = try FileLock(path: path, wait: false)
        do {
            _ = try FileLock(path: path, wait: false)
            Issue.record("the second lock should be refused")
        } catch let error as CacheError {
            #expect(error.kind == .busy)
            #expect(error.message.contains(path))
        }
        first.release()
        _ = try FileLock(path: path, wait: false)
    }

    @Test func warmupIntoTheSnapshotFile() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = (1...2500).map { #"{"key":"k\#($0)","value":"v\#($0)","tags":["all","g\#($0 % 3)"]}"# }
        let path = try file("m.jsonl", lines.joined(separator: "\n") + "\n")
        let snapshot = directory.appendingPathComponent("cache.snapshot").path
        var warmup = Warmup(source: .file(path: path, format: .jsonLines), defaults: EntryDefaults(expiry: .seconds(600), tags: ["w"]))
        warmup.batchSize = 1000
        var progress: [Int] = []
        let report = try warmup.run(open: { try SnapshotBackend(path: snapshot) }, progress: { progress.append($0.done) })
        #expect(report.written == 2500)
        #expect(report.total == 2500)
        #expect(report.notAttempted == 0)
        #expect(report.stop == nil)
        #expect(progress.last == 2500)
        let backend = try SnapshotBackend(path: snapshot)
        let entry = try backend.entries(["k7"])[0]
        #expect(entry?.value == Array("v7".utf8))
        #expect(Set(entry?.tags ?? []) == ["all", "g1", "w"])
        #expect((entry?.expiry.seconds ?? 0) > 590)

        // Only missing: nothing overwritten, all skipped.
        warmup.onlyMissing = true
        let again = try warmup.run(open: { try SnapshotBackend(path: snapshot) })
        #expect(again.written == 0)
        #expect(again.skipped == 2500)
    }

    @Test func invalidInputWritesNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try file("m.jsonl", "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",\"value\":2,\"ttl\":-5}\n")
        let snapshot = directory.appendingPathComponent("cache.snapshot").path
        let warmup = Warmup(source: .file(path: path, format: .jsonLines), defaults: EntryDefaults(expiry: .seconds(60)))
        let report = try warmup.run(open: { try SnapshotBackend(path: snapshot) })
        #expect(report.stop == .invalidInput)
        #expect(report.invalid == 1)
        #expect(report.issues.first?.line == 2)
        #expect(try SnapshotBackend(path: snapshot).entries(["a"])[0] == nil)
    }
}
