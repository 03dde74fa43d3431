/// Reads entries from CSV: a header row naming the columns `key,value,ttl,tags` (in any order;
/// `ttl` and `tags` may be left out), then one entry per record.
///
/// Quoting follows RFC 4180: a field in double quotes may hold commas, newlines and `""` for a
/// quote. An empty `ttl` means the default lifetime, `none` no expiry; `tags` are separated by `|`.
public final class CSVEntryReader: EntryReader {
    private let lines: LineReader
    private let defaults: EntryDefaults
    private var columns: (key: Int, value: Int, ttl: Int?, tags: Int?, count: Int)?

    /// Reads entries from `lines`, applying `defaults`.
    public init(lines: LineReader, defaults: EntryDefaults) {
        self.lines = lines
        self.defaults = defaults
    }

    public func rewind() throws {
        try lines.rewind()
        columns = nil
    }

    public func next() throws -> ManifestItem? {
        if columns == nil { try readHeader() }
        guard let columns else { return nil }
        while true {
            guard let (line, record) = try nextRecord() else { return nil }
            let fields: [[UInt8]]
            switch record {
            case .failure(let problem): return .invalid(line: line, reason: problem.reason)
            case .success(let parsed): fields = parsed
            }
            if fields.count == 1, fields[0].isEmpty { continue }  // a blank line
            guard fields.count == columns.count else {
                return .invalid(line: line, reason: "expected \(columns.count) fields (as in the header), found \(fields.count)")
            }
            guard let key = String(validating: fields[columns.key], as: UTF8.self) else {
                return .invalid(line: line, reason: "the key is not valid UTF-8")
            }
            guard !key.isEmpty else { return .invalid(line: line, reason: "the key is empty") }
            var expiry = defaults.expiry
            if let ttlColumn = columns.ttl {
                let text = String(decoding: fields[ttlColumn], as: UTF8.self).trimmingSpaces()
                if !text.isEmpty {
                    if text.lowercased() == "null" {
                        expiry = .never
                    } else if let parsed = Expiry(parsing: text) {
                        expiry = parsed
                    } else {
                        return .invalid(line: line, reason: "ttl \(text.displayQuoted) must be a positive number of seconds, 5m, 1h or none (at most 100 years)")
                    }
                }
            }
            var tags: [String]?
            if let tagsColumn = columns.tags, !fields[tagsColumn].isEmpty {
                guard let text = String(validating: fields[tagsColumn], as: UTF8.self) else {
                    return .invalid(line: line, reason: "the tags are not valid UTF-8")
                }
                tags = text.split(separator: "|").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            }
            var entry = Entry(key: key, value: fields[columns.value], expiry: expiry, tags: tags)
            defaults.apply(to: &entry)
            return .entry(entry, line: line)
        }
    }

    private func readHeader() throws {
        guard let (line, record) = try nextRecord() else { return }
        if lines.isUTF16 { throw CacheError(.badInput, "\(lines.name.displayEscaped):\(line): \(EntryFormat.utf16Reason)") }
        let expected = "the first row must name the columns, e.g. key,value,ttl,tags"
        guard case .success(let fields) = record else { throw CacheError(.badInput, "\(lines.name):\(line): \(expected)") }
        let names = fields.map { String(decoding: $0, as: UTF8.self).trimmingSpaces().lowercased() }
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            let known = ["key", "value", "ttl", "tags"]
            guard known.contains(name) else {
                let meant = NameSuggestion.closest(to: name, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw CacheError(.badInput, "\(lines.name.displayEscaped):\(line): unknown column \(name.displayQuoted)\(meant): \(expected)")
            }
            guard positions.updateValue(index, forKey: name) == nil else {
                throw CacheError(.badInput, "\(lines.name.displayEscaped):\(line): column \(name.displayQuoted) appears twice")
            }
        }
        guard let key = positions["key"], let value = positions["value"] else {
            throw CacheError(.badInput, "\(lines.name):\(line): \(expected) (key and value are required)")
        }
        columns = (key, value, positions["ttl"], positions["tags"], names.count)
    }

    private struct Problem: Error { let reason: String }

    /// The next record (which may span lines inside quotes) split into fields, with its first line number.
    private func nextRecord() throws -> (Int, Result<[[UInt8]], Problem>)? {
        var record: [UInt8] = []
        var first = 0
        var quotes = 0
        repeat {
            var got = false
            try lines.nextLine { bytes in
                got = true
                if first == 0 {
                    first = lines.lineNumber
                } else {
                    record.append(0x0A)
                }
                record.append(contentsOf: bytes)
                for byte in bytes where byte == 0x22 { quotes += 1 }
            }
            if !got {
                guard first != 0 else { return nil }
                return (first, .failure(Problem(reason: "a quoted field is not closed before the end of the input")))
            }
        } while quotes % 2 == 1
        return (first, Self.split(record))
    }

    private static func split(_ record: [UInt8]) -> Result<[[UInt8]], Problem> {
        var fields: [[UInt8]] = []
        var index = 0
        let quote: UInt8 = 0x22, comma: UInt8 = 0x2C
        while true {
            var field: [UInt8] = []
            if index < record.count, record[index] == quote {
                index += 1
                while true {
                    guard index < record.count else { return .failure(Problem(reason: "a quoted field is not closed")) }
                    if record[index] == quote {
                        if index + 1 < record.count, record[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    field.append(record[index])
                    index += 1
                }
                guard index == record.count || record[index] == comma else {
                    return .failure(Problem(reason: "unexpected text after the closing quote of field \(fields.count + 1)"))
                }
            } else {
                while index < record.count, record[index] != comma {
                    if record[index] == quote {
                        return .failure(Problem(reason: "a quote inside unquoted field \(fields.count + 1) (quote the field and double the quote)"))
                    }
                    field.append(record[index])
                    index += 1
                }
            }
            fields.append(field)
            if index == record.count { return .success(fields) }
            index += 1  // the comma
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
