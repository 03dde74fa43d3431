import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A JSON Lines file of entries (the one entry format) as a migrate source.
///
/// The whole file is checked when opened, so a malformed line fails with `FILE:LINE: reason`
/// (exit 65) before anything is written. Standard input (`-`) is first copied to a temporary
/// file, since the copy may read it more than once.
public final class JSONLinesSource: EntrySource {
    /// The path as given (`-` for standard input).
    public let path: String
    private let readPath: String
    private let spooled: Bool
    private let defaultExpiry: Expiry

    /// Opens and validates the file.
    public init(path: String, configuration: CacheConfiguration) throws {
        self.path = path
        defaultExpiry = configuration.defaultExpiry
        if path == "-" {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-migrate-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).jsonl").path
            guard let output = try? OutputFile(creating: temporary) else {
                throw CacheError(.io, "Cannot buffer standard input in \(temporary)")
            }
            defer { output.close() }
            do throws(POSIXErrorText) {
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw POSIXErrorText()
                    }
                    if count == 0 { break }
                    try output.write(Array(chunk[..<count]))
                }
            } catch {
                throw CacheError(.io, "Cannot buffer standard input in \(temporary): \(error)")
            }
            readPath = temporary
            spooled = true
        } else {
            readPath = path
            spooled = false
        }
        try forEachEntry { _ in }
    }

    deinit {
        if spooled { try? FileManager.default.removeItem(atPath: readPath) }
    }

    public var endpointDescription: String { "jsonl:\(path)" }

    private var shownPath: String { path == "-" ? "<stdin>" : path }

    private func forEachEntry(_ body: (MigrationRecord) throws -> Void) throws {
        let fd = open(readPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CacheError(.io, "Cannot read \(shownPath): \(String(cString: strerror(errno)))") }
        // The same streaming line reader as warmup's manifests.
        let reader = LineReader(descriptor: fd, name: shownPath, closing: true)
        while let line = try reader.next() {
            let number = reader.lineNumber
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let entry: MigrationRecord
            do {
                entry = try EntryJSON.decodeRecord(line: line, defaultExpiry: defaultExpiry)
            } catch {
                throw CacheError(.badInput, "\(shownPath):\(number): \(error.reason)")
            }
            try body(entry)
        }
    }

    public func scan(pattern: String?, batchSize: Int, serialized: Bool, keysOnly: Bool,
                     _ body: (MigrationBatch) throws -> Void) throws {
        var batch = MigrationBatch()
        try forEachEntry { entry in
            guard pattern.map({ RedisGlob.matches($0, entry.key) }) ?? true else { return }
            var record = entry
            record.tags = entry.tags ?? []
            if keysOnly {
                record.value = nil
                record.collection = nil
                record.serialized = nil
            }
            batch.records.append(record)
            if batch.records.count >= batchSize {
                try body(batch)
                batch = MigrationBatch()
            }
        }
        if !batch.records.isEmpty { try body(batch) }
    }
}

/// A JSON Lines file of entries as a migrate target. A file is written under a temporary name
/// beside it and renamed into place when complete; `-` writes to standard output.
public final class JSONLinesSink: EntrySink {
    /// The path as given (`-` for standard output).
    public let path: String
    private let handle: OutputFile
    private let temporary: String?
    private var pending: [UInt8] = []

    /// Creates the output (not yet visible under `path`).
    ///
    /// An existing file is a conflict like any other target's keys: refused under `.fail`
    /// (`.badInput`, before anything is written), replaced whole under `.replace`; `.skip` cannot
    /// merge into it (`.usage`).
    public init(path: String, onConflict: ConflictPolicy = .fail) throws {
        self.path = path
        if path != "-", access(path, F_OK) == 0 {
            switch onConflict {
            case .fail:
                throw CacheError(.badInput, "migrate refused: \(path) already exists; nothing was written",
                                 hint: "choose --on-conflict replace to overwrite it, or another path")
            case .skip:
                throw CacheError(.usage, "--on-conflict skip cannot merge into the existing JSON Lines file \(path)",
                                 hint: "choose --on-conflict replace to overwrite it, or another path")
            case .replace:
                break
            }
        }
        if path == "-" {
            handle = OutputFile.standardOutput
            temporary = nil
        } else {
            let url = URL(fileURLWithPath: path)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
            guard let handle = try? OutputFile(creating: temporary) else {
                throw CacheError(.io, "Cannot write \(path): cannot create \(temporary)")
            }
            self.handle = handle
            self.temporary = temporary
        }
    }

    deinit {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }

    public func abandon() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }

    public var endpointDescription: String { "jsonl:\(path)" }
    public var acceptsSerialized: Bool { false }
    public var hasExistingKeys: Bool { false }
    public var acceptsCollections: Bool { true }
    public func accepts(_ record: MigrationRecord) -> Bool {
        record.value != nil || record.collection != nil || record.serialized != nil
    }

    public func exists(_ keys: [String]) throws -> [Bool] { keys.map { _ in false } }

    public func write(_ records: [MigrationRecord], replace: Bool) throws -> [SinkOutcome] {
        var outcomes: [SinkOutcome] = []
        for record in records {
            if let entry = record.entry, entry.decoded == nil, entry.value.count >= JSONStringPieces.threshold {
                // A large value goes out in pieces, never as a second whole copy in a line.
                try flush()
                try EntryJSON.writeLine(entry) { try output($0) }
                try output([0x0A])
                outcomes.append(.written)
                continue
            }
            guard let line = EntryJSON.line(record) else {
                outcomes.append(.expired)
                continue
            }
            pending.append(contentsOf: line.utf8)
            pending.append(0x0A)
            outcomes.append(.written)
        }
        if pending.count >= 1 << 20 { try flush() }
        return outcomes
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try output(pending)
        pending.removeAll(keepingCapacity: true)
    }

    private func output(_ bytes: [UInt8]) throws {
        do {
            try handle.write(bytes)
        } catch {
            throw CacheError(.io, "Cannot write \(path): \(error)")
        }
    }

    public func readBack(_ records: [MigrationRecord], serialized: Bool) throws -> [MigrationRecord?] {
        throw CacheError(.usage, "--verify cannot read back a JSON Lines target", hint: "migrate it back, or verify a redis:// or file: target")
    }

    public func finish() throws {
        try flush()
        guard let temporary else { return }
        handle.close()
        guard rename(temporary, path) == 0 else {
            throw CacheError(.io, "Cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
