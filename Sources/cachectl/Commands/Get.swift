import ArgumentParser
import CacheClient

extension Cachectl {
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Show entries: value, remaining TTL, tags (where the backend knows them) and size.",
            discussion: """
                Exits 1 when any key is missing or holds another type than a cache entry (a string: \
                a hash, a set, …): the others are still printed, and those keys are named on stderr \
                with their type. Reading never counts \
                as a hit or miss in the app counters.

                Examples:
                  cachectl get article:1
                  cachectl get article:1 article:2 --format json
                  cachectl get report:pdf --raw > report.pdf
                  cachectl get user:123:profile --layout django --format json

                In a framework layout the value is decoded from the framework's encoding (a pickle, \
                PHP serialize() or igbinary): --format json shows it as JSON, an object that cannot be \
                shown safely as {"$opaque": "its class"}; nothing in it is ever executed. --raw prints \
                the stored bytes.
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The keys to read.")
        var keys: [String]

        @Flag(help: "Print only the value bytes as stored, unchanged (one key per line when several).")
        var raw = false

        @Option(name: .customLong("tag"), help: ArgumentHelp("Laravel layouts: the tags the entry was written with, which name its key (repeatable).",
                                                             valueName: "tag"))
        var tags: [String] = []

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("Name at least one key, e.g. cachectl get article:1.") }
            try EntryKeyArgument.validate(keys)
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(GetResult.self, command: "get")
            let backend = try context.openBackend()
            // Laravel names a tagged entry's key after its tags: those reads go through the tags.
            let result = try tags.isEmpty
                ? backend.lookup(keys, leavingLargeValues: LargeValueJSON.threshold) { lookups, stored in
                    try show(GetResult(keys: keys, lookups: lookups, stored: stored), context: context)
                }
                : show(GetResult(keys: keys, lookups: try backend.entries(keys, tags: tags.map(context.tag)).map { $0.map(EntryLookup.entry) ?? .missing }),
                       context: context)
            var problems: [String] = []
            if !result.missing.isEmpty { problems.append("not found: " + result.missing.map(\.displayQuoted).joined(separator: ", ")) }
            if !result.otherTypes.isEmpty {
                problems.append("not a cache entry (a string): " + result.otherTypes.map { "\($0.key.displayQuoted) holds a \($0.type)" }.joined(separator: ", "))
            }
            if !problems.isEmpty { throw CommandFailure(code: ExitStatus.failure, message: problems.joined(separator: "; ")) }
        }

        /// Prints what was found; large values (in memory or still in their store) go out in
        /// pieces for --raw, --format json and jsonl, so their text never exists whole.
        private func show(_ result: GetResult, context: Context) throws -> GetResult {
            var result = result
            if raw {
                for (index, entry) in result.found.enumerated() {
                    if index > 0 { Terminal.write("\n") }
                    if let stored = result.stored[index] { try LargeValue.stored(stored).writeRaw() } else { Terminal.write(bytes: entry.value) }
                }
            } else if context.renderer.format == .json || context.renderer.format == .jsonl, try result.placeLargeValues() {
                let text = context.renderer.format == .json
                    ? JSONText.pretty(Versioned(value: result)) : result.jsonLines().joined(separator: "\n")
                try LargeValueJSON.write(text + "\n", values: result.largeValuesByToken)
            } else {
                try result.readStoredValues()
                context.renderer.render(result)
            }
            return result
        }
    }
}

/// What `get` found, in the order asked, and which keys were missing.
struct GetResult: Renderable {
    static var formats: [OutputFormat] { [.table, .json, .jsonl] }
    var found: [Entry] = []
    var missing: [String] = []
    /// Keys that hold another type than a string, with that type.
    var otherTypes: [(key: String, type: String)] = []
    /// Values left in their store, by the index of their entry in `found`.
    var stored: [StoredValue?] = []
    /// Large values written in pieces in place of their placeholders, by the index in `found`.
    var large: [Int: (value: LargeValue, placeholder: LargeValueJSON.Placeholder)] = [:]

    init(keys: [String], lookups: [EntryLookup], stored: [StoredValue?]? = nil) {
        for (index, (key, lookup)) in zip(keys, lookups).enumerated() {
            switch lookup {
            case .entry(let entry):
                found.append(entry)
                self.stored.append(stored?[index])
            case .missing: missing.append(key)
            case .otherType(let key, let type): otherTypes.append((key, type))
            }
        }
    }

    /// Gives every large value (left in its store, or in memory and not decoded by a layout) a
    /// placeholder for the JSON text; returns whether there is any.
    mutating func placeLargeValues() throws -> Bool {
        let nonce = UInt64.random(in: 1...UInt64.max)
        for (index, entry) in found.enumerated() {
            let value: LargeValue
            if let stored = stored[index] {
                value = .stored(stored)
            } else if entry.decoded == nil, entry.value.count >= LargeValueJSON.threshold {
                value = .bytes(entry.value)
            } else {
                continue
            }
            large[index] = (value, try LargeValueJSON.placeholder(index, nonce: nonce, for: value))
        }
        return !large.isEmpty
    }

    /// The large values by their placeholder's token.
    var largeValuesByToken: [String: (LargeValue, LargeValueJSON.Placeholder)] {
        Dictionary(uniqueKeysWithValues: large.values.map { ($0.placeholder.token, ($0.value, $0.placeholder)) })
    }

    /// Reads the values left in their store into their entries, for the table.
    mutating func readStoredValues() throws {
        for (index, stored) in stored.enumerated() {
            if let stored { found[index].value = try stored.bytes() }
        }
        stored = [StoredValue?](repeating: nil, count: found.count)
    }

    private enum Keys: String, CodingKey { case entries, missing, otherTypes = "other_types" }
    private enum TypeKeys: String, CodingKey { case key, type }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        let records = found.enumerated().map { index, entry in EntryRecord(entry: entry, large: large[index]?.placeholder) }
        try container.encode(records, forKey: .entries)
        try container.encode(missing, forKey: .missing)
        var others = container.nestedUnkeyedContainer(forKey: .otherTypes)
        for (key, type) in otherTypes {
            var item = others.nestedContainer(keyedBy: TypeKeys.self)
            try item.encode(key, forKey: .key)
            try item.encode(type, forKey: .type)
        }
    }

    func jsonLines() -> [String] {
        found.enumerated().map { index, entry in
            guard let placeholder = large[index]?.placeholder else { return EntryJSON.line(entry, includeSize: true) }
            // The line of an entry whose value is the token, under the key the value's bytes
            // call for, and the value's size: `,"value":"TOKEN"` occurs nowhere else in the
            // line (the key and the tags before it are JSON strings, their quotes escaped).
            var line = EntryJSON.line(Entry(key: entry.key, value: Array(placeholder.token.utf8), expiry: entry.expiry, tags: entry.tags))
            if !placeholder.isText { line = line.replacing(",\"value\":\"\(placeholder.token)\"", with: ",\"value_base64\":\"\(placeholder.token)\"") }
            return String(line.dropLast()) + ",\"size\":\(placeholder.count)}"
        }
    }

    func text(style: TextStyle) -> String {
        if found.count == 1, missing.isEmpty, otherTypes.isEmpty {
            let entry = found[0]
            return FieldList(fields: [
                ("key", entry.key.displayEscaped),
                ("value", entry.decoded?.displayText ?? Human.value(entry.value)),
                ("ttl", Human.ttl(entry.expiry)),
                ("tags", entry.tags.map { $0.isEmpty ? "-" : $0.map(\.displayEscaped).joined(separator: ", ") } ?? "unknown (Redis indexes tag to keys only)"),
                ("size", Human.bytes(Int64(entry.value.count))),
            ]).render(style: style)
        }
        var rows = found.map { entry in
            [entry.key.displayEscaped, Human.ttl(entry.expiry), Human.bytes(Int64(entry.value.count)),
             entry.tags.map { $0.map(\.displayEscaped).joined(separator: ",") } ?? "?",
             entry.decoded.map { Human.text($0.displayText, limit: 60) } ?? Human.value(entry.value, limit: 60)]
        }
        rows += missing.map { [$0.displayEscaped, "-", "-", "-", style.red("(missing)")] }
        rows += otherTypes.map { [$0.key.displayEscaped, "-", "-", "-", style.red("(a \($0.type), not an entry)")] }
        return Table(headers: ["KEY", "TTL", "SIZE", "TAGS", "VALUE"], rows: rows, numericColumns: [2]).render(style: style)
    }
}
