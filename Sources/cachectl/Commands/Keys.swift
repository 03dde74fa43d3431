import ArgumentParser
import CacheClient

extension Cachectl {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys",
            abstract: "List keys with type, TTL and size; tag sets and the counters hash are marked as such.",
            discussion: """
                One row per key under --key-prefix: key, type, TTL, size and role (entry, tag set or \
                counters). Size is MEMORY USAGE on Redis (the key's whole footprint) and the value's \
                bytes in the snapshot file (a tag set counts its members' key bytes). Redis is walked \
                with SCAN and a large COUNT, one pipeline of TYPE, PTTL and MEMORY USAGE per page, \
                never KEYS; SCAN may report a key twice if the database is resized meanwhile. On a \
                cluster every primary is scanned in turn (never a replica); through Sentinel, the \
                primary it names. With \
                --layout, keys are named inside the framework's namespace, as get names them, and the \
                framework's tag indexes (Symfony tag sets, Laravel tag sorted sets, ids and reference \
                sets) are tag sets.

                Order: tables and --format json sort by key unless --sort says otherwise and hold the \
                listing in memory. --format jsonl streams one object per key in scan order with \
                bounded memory at any key count; with --sort it collects first, and with --sort and \
                --limit N it keeps only the best N while scanning. --sort size is biggest first, \
                --sort ttl longest-living first (keys without a TTL lead). Control and invisible characters \
                in keys are shown escaped (\\u{1B}) in tables, bytes that are not UTF-8 as \\xFF; JSON carries the \
                key, and for a key that is not valid UTF-8 also key_base64 with its exact bytes (key \
                then shows each such byte as U+FFFD).

                Progress (keys/s, ETA from DBSIZE) on stderr when it is a terminal. Ctrl-C stops the \
                scan, prints what was listed and exits 130. A server lost mid-scan (killed, \
                unreachable, timed out) ends it the same way: what was scanned is printed (JSON: \
                "incomplete": true and the error), then one line naming the server, exit 69.

                Examples:
                  cachectl keys --prefix session: --no-ttl
                  cachectl keys --sort size --limit 20
                  cachectl keys --type hash --min-size 1MiB --format json
                  cachectl keys --format jsonl | jq -r 'select(.ttl == null) | .key'
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Only keys matching this glob (*, ?, [abc], \\ escapes).", valueName: "glob"))
        var pattern: String?

        @Option(help: ArgumentHelp("Only keys starting with this text.", valueName: "prefix"))
        var prefix: String?

        @Option(help: ArgumentHelp("Only keys of this type: string, hash, list, set, zset or stream.", valueName: "type"))
        var type: String?

        @Flag(help: "Only keys without a TTL.")
        var noTtl = false

        @Option(help: ArgumentHelp("Only keys of at least this size: bytes, or 10KB, 1.5MiB and so on.", valueName: "bytes"))
        var minSize: String?

        @Option(help: ArgumentHelp("Order: key, size (biggest first) or ttl (longest-living first).", valueName: "order"))
        var sort: KeyOrder?

        @Option(help: ArgumentHelp("List at most this many keys.", valueName: "n"))
        var limit: Int?

        var filter: KeyFilter {
            KeyFilter(pattern: pattern, prefix: prefix, type: type, withoutTTL: noTtl, minSize: minSize.flatMap(ByteCount.parse))
        }

        func validate() throws {
            if pattern == "" { throw ValidationError("--pattern must not be empty; leave it out to list every key.") }
            if prefix == "" { throw ValidationError("--prefix must not be empty; leave it out to list every key.") }
            if let type, !KeyType.names.contains(type) {
                throw ValidationError("--type must be one of \(KeyType.names.joined(separator: ", ")), not \"\(type)\".")
            }
            if let minSize, ByteCount.parse(minSize) == nil {
                throw ValidationError("--min-size must be a size in bytes such as 4096, 10KB or 1.5MiB, not \"\(minSize)\".")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(KeysResult.self, command: "keys")
            let backend = try context.openKeyScanner()
            let bar = ProgressBar(label: "keys", quiet: global.quiet)
            let total = Int(clamping: try backend.keyCount())
            var scanned = 0
            let counted: (Int) -> Void = { count in
                scanned += count
                bar.update(OperationProgress(done: scanned, total: total))
            }
            var listed = 0
            if global.format == .jsonl, sort == nil {
                // Rows already streamed stand; a server lost mid-scan is reported after them.
                try CacheError.reportingPartial({ "listed \(Human.count(listed, "key")) after scanning \(Human.count(scanned, "key")) of about \(Human.count(Int64(total)))" }) {
                try backend.scanKeys(filter, details: .types, shouldStop: { Cancellation.process.isCancelled || listed == limit },
                                     scanned: counted) { page in
                    bar.finish()
                    for info in page.prefix((limit ?? .max) - listed) { context.renderer.renderLine(KeyRecord(info: info)) }
                    listed += min(page.count, (limit ?? .max) - listed)
                }
                }
            } else {
                let listing = try backend.listKeys(filter, order: sort ?? .key, limit: limit, shouldStop: { Cancellation.process.isCancelled },
                                                   scanned: counted)
                bar.finish()
                listed = listing.keys.count
                context.renderer.render(KeysResult(keys: listing.keys, interrupted: Cancellation.process.isCancelled, failure: listing.failure))
                if let failure = listing.failure { throw failure.partial("listed \(Human.count(listed, "key")) after scanning \(Human.count(scanned, "key")) of about \(Human.count(Int64(total)))") }
            }
            bar.finish()
            try Interruption.exitIfInterrupted("listed \(Human.count(listed, "key")) after scanning \(Human.count(scanned, "key")) of about \(Human.count(Int64(total)))")
        }
    }
}

extension KeyOrder: ExpressibleByArgument {}

extension Context {
    /// Opens the backend for walking its keys (every backend can).
    func openKeyScanner() throws -> any KeyScanning {
        let backend = try openBackend()
        guard let scanner = backend as? any KeyScanning else {
            throw CacheError(.usage, "The \(backend.kind) backend cannot list its keys")
        }
        return scanner
    }
}
