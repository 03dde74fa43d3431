import ArgumentParser
import CacheClient

extension Cachectl {
    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flush",
            abstract: "Delete the entries in a scope: --pattern GLOB, --prefix P or --all.",
            discussion: """
                A scope is required. Patterns and prefixes apply to entry keys below --key-prefix. \
                Redis: SCAN with a large COUNT and pipelined UNLINK, never KEYS; tag sets \
                (--tag-prefix) and the counters hash are never matched by --pattern or --prefix (run \
                `cachectl tags prune` afterwards). --all with no --key-prefix is FLUSHDB ASYNC: the \
                whole database, tag sets and counters included; with a --key-prefix, --all deletes \
                every key under that prefix. On a terminal flush shows how many keys would go and \
                asks; without a terminal it refuses with exit 64 and deletes nothing unless --yes is \
                given. --dry-run counts and lists without --yes.

                Examples:
                  cachectl flush --pattern 'session:*' --dry-run
                  cachectl flush --prefix 'user:42:' --yes
                  cachectl --key-prefix rag_materials: flush --all --yes --format json
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Delete entries whose key matches this glob (*, ?, [abc], \\ escapes).", valueName: "glob"))
        var pattern: String?

        @Option(help: ArgumentHelp("Delete entries whose key starts with this text.", valueName: "prefix"))
        var prefix: String?

        @Flag(help: "Delete every entry (the whole database when no --key-prefix is set).")
        var all = false

        @Flag(name: [.customShort("y"), .long], help: "Do not ask; required when stdin or stderr is not a terminal.")
        var yes = false

        @Flag(help: "Count and list what would be deleted; delete nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("With --dry-run, list at most this many keys.", valueName: "n"))
        var limit = 20

        var scope: FlushScope? {
            if let pattern { return .pattern(pattern) }
            if let prefix { return .prefix(prefix) }
            return all ? .all : nil
        }

        func validate() throws {
            let given = [pattern != nil, prefix != nil, all].filter { $0 }.count
            guard given > 0 else { throw ValidationError("flush needs a scope: give --pattern GLOB, --prefix P or --all.") }
            guard given == 1 else { throw ValidationError("Give only one of --pattern, --prefix and --all.") }
            if pattern == "" { throw ValidationError("--pattern must not be empty; use --all to flush everything.") }
            if prefix == "" { throw ValidationError("--prefix must not be empty; use --all to flush everything.") }
            guard limit >= 0 else { throw ValidationError("--limit must be zero or more.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(FlushResult.self, command: "flush")
            guard let scope else { return }
            if !dryRun && !yes && !context.interactive {
                throw CacheError(.usage, "Refusing to flush keys \(scope) without confirmation: stdin is not a terminal; nothing was deleted",
                                 hint: "add --yes to flush anyway, or --dry-run to see what would go")
            }
            let backend = try context.openTagIndex()
            if !dryRun && !yes {
                let count = try backend.count(scope: scope)
                if count > 0, !Interruption.atPrompt({ Confirmation.ask("Delete \(Human.count(count, "key")) \(scope) from \(backend.endpointDescription)?") }) {
                    throw CommandFailure(code: ExitStatus.failure, message: "not confirmed; nothing was deleted")
                }
            }
            Interruption.install()
            let report = try backend.flush(scope: scope, dryRun: dryRun, listLimit: limit)
            context.renderer.render(FlushResult(report: report))
            try Interruption.exitIfInterrupted("stopped at a batch boundary after deleting \(report.deleted) keys; the rest of the scope is still there (run the same command again to finish)", stopped: report.interrupted)
        }
    }
}
