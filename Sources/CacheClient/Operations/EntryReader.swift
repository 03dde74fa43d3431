/// The formats a warmup manifest can be in.
public enum EntryInputFormat: String, Sendable, CaseIterable {
    /// One entry-format JSON object per line.
    case jsonLines = "jsonl"
    /// A header row `key,value,ttl,tags`, then one entry per record (RFC 4180 quoting).
    case csv

    /// The format a file name implies: `.csv`, or `.jsonl`/`.json`/`.ndjson`; nil for anything else.
    public init?(path: String) {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".csv") {
            self = .csv
        } else if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".json") || lowered.hasSuffix(".ndjson") {
            self = .jsonLines
        } else {
            return nil
        }
    }
}

/// One record of a manifest: an entry, or the reason the line could not be read.
public enum ManifestItem: Sendable, Equatable {
    /// A valid entry and the line it starts on.
    case entry(Entry, line: Int)
    /// A malformed record: its first line and what is wrong with it.
    case invalid(line: Int, reason: String)
}

/// What applies to every entry of a manifest: the lifetime of entries that give none, and tags
/// added to each entry's own.
public struct EntryDefaults: Sendable, Equatable {
    /// The lifetime of entries without a `ttl`.
    public var expiry: Expiry
    /// Tags added to every entry.
    public var tags: [String]

    /// Creates defaults.
    public init(expiry: Expiry, tags: [String] = []) {
        self.expiry = expiry
        self.tags = tags
    }

    /// Adds the extra tags to an entry's own, each once.
    func apply(to entry: inout Entry) {
        guard !tags.isEmpty else { return }
        guard var own = entry.tags, !own.isEmpty else {
            entry.tags = tags
            return
        }
        for tag in tags where !own.contains(tag) { own.append(tag) }
        entry.tags = own
    }
}

/// Reads entries from a manifest one record at a time; `rewind` starts a second pass.
public protocol EntryReader: AnyObject {
    /// The next entry or invalid record, or nil at the end; throws `.io` or `.badInput` (a bad CSV header).
    func next() throws -> ManifestItem?
    /// Starts again from the first record.
    func rewind() throws
}

extension EntryFormat {
    /// A reader of `format` over a line reader.
    public static func reader(_ format: EntryInputFormat, lines: LineReader, defaults: EntryDefaults) -> any EntryReader {
        switch format {
        case .jsonLines: return JSONLinesEntryReader(lines: lines, defaults: defaults)
        case .csv: return CSVEntryReader(lines: lines, defaults: defaults)
        }
    }
}

/// Namespace for building entry readers.
public enum EntryFormat {
    /// Why a manifest saved as UTF-16 cannot be read.
    static let utf16Reason = "the input is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
}

/// Reads the entry format, one JSON object per line; blank lines are skipped.
public final class JSONLinesEntryReader: EntryReader {
    private let lines: LineReader
    private let defaults: EntryDefaults

    /// Reads entries from `lines`, applying `defaults`.
    public init(lines: LineReader, defaults: EntryDefaults) {
        self.lines = lines
        self.defaults = defaults
    }

    public func next() throws -> ManifestItem? {
        var item: ManifestItem?
        while item == nil {
            let more = try lines.nextLine { bytes in
                guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
                do {
                    if lines.lineNumber == 1, lines.isUTF16 { throw EntryFormatError(EntryFormat.utf16Reason) }
                    var entry = try EntryJSON.decode(line: bytes, defaultExpiry: defaults.expiry)
                    defaults.apply(to: &entry)
                    item = .entry(entry, line: lines.lineNumber)
                } catch {
                    item = .invalid(line: lines.lineNumber, reason: (error as? EntryFormatError)?.reason ?? "\(error)")
                }
            }
            if !more { return nil }
        }
        return item
    }

    public func rewind() throws { try lines.rewind() }

    /// Lines read so far (blank ones included).
    var linesRead: Int { lines.lineNumber }
}
