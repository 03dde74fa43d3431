import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension Cachectl {
    struct Warmup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "warmup",
            abstract: "Fill the cache from a manifest, a generator or an HTTP API, fast and safely.",
            discussion: """
                Sources (exactly one):
                  --from FILE      JSON Lines in the entry format, or CSV with the header row \
                key,value,ttl,tags (tags separated by |, RFC 4180 quoting, empty ttl = default, \
                none = no expiry); chosen by the extension (.csv, .jsonl/.json/.ndjson) or --input-format.
                  --from -         the same on standard input.
                  --command CMD    runs CMD with /bin/sh -c and reads JSON Lines from its stdout; a \
                non-zero exit fails the run (exit 1) with the last line of its stderr.
                  --url-template URL --keys FILE   an HTTP GET per key of FILE (one key a line) to URL \
                with {key} replaced by the percent-encoded key; the body is the value. A non-2xx answer \
                or a transport error counts as a failed item. An https:// URL is verified against the \
                system trust store or --source-cacert FILE (not affected by --insecure); a server that \
                cannot be verified stops the run before anything is written (exit 77).

                Validation: by default the whole input is checked before anything is written. A file \
                is read twice (check, then write). Standard input and a generator's output cannot be \
                read twice, so they are first copied to a temporary file in $TMPDIR (removed at once; \
                it needs room for the input), then checked and written; a generator that fails writes \
                nothing. A malformed record is reported as FILE:LINE: reason (<stdin>, <generator>) and \
                the run exits 65 with nothing written. --skip-invalid writes the valid entries, reports \
                each invalid one on stderr and exits 1.

                Writes go in pipelined batches of --batch entries, parsed on one thread while the \
                previous batch is written. --ttl applies to entries that give none (else \
                CACHE_DEFAULT_TIMEOUT, 300 s); --tag adds tags to every entry. --only-missing never \
                overwrites an existing key and adds tags only for entries it wrote, so a run can be \
                repeated safely.

                For cron: --lock-file PATH takes an OS lock (flock); a second run exits 75 at once \
                naming the lock file, or waits with --wait. --max-duration stops cleanly, reports what \
                was not attempted and exits 1. A lost connection is retried 3 times with backoff; then \
                the run exits 69 with the counts written, failed and not attempted — run again with \
                --only-missing to complete the job. A temporary refusal (LOADING, BUSY) is retried the \
                same way, for at least --timeout, then exits 75. A server that refuses every write \
                (a read-only replica, out of memory, a missing ACL permission) stops the run with \
                69 or 77 and the counts. A server that restarted across a reconnect (a new run_id) \
                may have lost what was written before: the run says so and exits 75.

                Each batch is one MULTI/EXEC transaction: the tag memberships, then the entries, \
                then the sets counter. So an interrupted or refused run never leaves an entry outside \
                its tags, and the counter moves with what the server acknowledged. --only-missing \
                adds the memberships of entries that exist already, so a rerun repairs the index. \
                No Lua script is needed (EVAL may be renamed away or denied by ACL).

                SIGINT or SIGTERM stops at the next batch boundary: the report of what was written \
                and not attempted is printed, and the run exits 130 or 143; a second signal stops \
                at once. --max-duration also bounds a --command generator: it is sent SIGTERM, then \
                SIGKILL after 2 s, and the report says so.

                Output: a progress bar on stderr when it is a terminal (not with -q); the result is one \
                summary line (written, skipped, failed, seconds, entries/s), or with --format json an \
                object with schema, written, skipped, failed, invalid, not_attempted, total, seconds, \
                entries_per_second, source, endpoint, stopped and errors (the first 100 {line, key, reason}).

                Examples:
                  cachectl warmup --from articles.jsonl --ttl 1h --tag articles
                  cachectl warmup --from products.csv --only-missing --lock-file /run/lock/warmup.lock
                  export-articles | cachectl warmup --from - --skip-invalid
                  cachectl warmup --command 'python3 gen.py --all' --max-duration 10m --format json
                  cachectl warmup --url-template 'http://api.local/articles/{key}' --keys ids.txt --concurrency 16
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("A manifest file, or - for standard input.", valueName: "file"))
        var from: String?

        @Option(help: ArgumentHelp("The manifest format when the extension does not tell: jsonl or csv.", valueName: "format"))
        var inputFormat: EntryInputFormat?

        @Option(help: ArgumentHelp("A generator run with /bin/sh -c whose stdout is JSON Lines.", valueName: "command"))
        var command: String?

        @Option(help: ArgumentHelp("An http:// or https:// URL with {key}, fetched once per key of --keys.", valueName: "url"))
        var urlTemplate: String?

        @Option(help: ArgumentHelp("Verify an https:// --url-template against the CA certificates in this PEM file instead of the system store.",
                                   valueName: "path"))
        var sourceCacert: String?

        @Option(help: ArgumentHelp("The keys to fetch with --url-template, one a line.", valueName: "file"))
        var keys: String?

        @Option(help: "HTTP requests in flight with --url-template.")
        var concurrency = 8

        @Option(help: "Entries per pipelined batch.")
        var batch = 1000

        @Option(help: ArgumentHelp("Lifetime of entries that give none: seconds, 5m, 1h, 1d or none.", valueName: "ttl"))
        var ttl: TTLArgument?

        @Option(name: .customLong("tag"), help: ArgumentHelp("Add every entry to this tag (repeatable).", valueName: "tag"))
        var tags: [String] = []

        @Flag(help: "Never overwrite an existing key.")
        var onlyMissing = false

        @Flag(help: "Write the valid entries even when some records are malformed (exit 1).")
        var skipInvalid = false

        @Option(help: ArgumentHelp("Hold an exclusive lock on this file while running.", valueName: "path"))
        var lockFile: String?

        @Flag(help: "With --lock-file, wait for the lock instead of exiting 75.")
        var wait = false

        @Option(help: ArgumentHelp("Stop cleanly after this long, e.g. 90s, 5m, 1h.", valueName: "duration"))
        var maxDuration: DurationArgument?

        @OptionGroup var replicas: ReplicaWaitOptions

        func validate() throws {
            let sources = [from != nil, command != nil, urlTemplate != nil].filter { $0 }.count
            guard sources == 1 else {
                throw ValidationError("Give exactly one source: --from FILE, --command CMD or --url-template URL --keys FILE.")
            }
            if (urlTemplate == nil) != (keys == nil) {
                throw ValidationError("--url-template and --keys go together: the template is fetched once per key.")
            }
            if let urlTemplate, !urlTemplate.contains("{key}") {
                throw ValidationError("--url-template must contain {key}, e.g. 'http://api.local/articles/{key}'.")
            }
            guard batch > 0 else { throw ValidationError("--batch must be a positive number of entries, e.g. 1000.") }
            guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1000.") }
            if wait, lockFile == nil { throw ValidationError("--wait needs --lock-file: it waits for that lock.") }
            if let empty = tags.first(where: \.isEmpty) { throw ValidationError("--tag \(empty.displayQuoted) is empty: a tag needs a name.") }
            if inputFormat != nil, from == nil { throw ValidationError("--input-format applies to --from only.") }
            if sourceCacert != nil, urlTemplate == nil { throw ValidationError("--source-cacert applies to --url-template only.") }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(WarmupResult.self, command: "warmup")
            Interruption.install()
            let lock = try lockFile.map { path in try Interruption.atPrompt { try FileLock(path: path, wait: wait) } }
            defer { lock?.release() }
            let settings = try context.settings()
            let resolution = try context.resolve(settings: settings)
            let configuration = try context.configuration(settings: settings, layout: nil, namespace: nil, cacheVersion: nil)
            var warmup = CacheClient.Warmup(source: try source(),
                                            defaults: EntryDefaults(expiry: try ttl?.expiry ?? context.defaultExpiry(), tags: try tags.map(context.tag)))
            warmup.onlyMissing = onlyMissing
            warmup.batchSize = batch
            warmup.skipInvalid = skipInvalid
            warmup.maxDuration = maxDuration?.duration
            warmup.httpTimeout = max(settings.configuration.timeout, 30)
            warmup.sourceTLS = TLSOptions(caCertificateFile: sourceCacert)
            warmup.replicaWait = try replicas.wait(timeout: settings.configuration.timeout)
            let bar = ProgressBar(label: "warmup", quiet: global.quiet)
            let report = try warmup.run(open: { try context.open(resolution, configuration: configuration, access: .creatingOnWrite) },
                                        progress: bar.update)
            bar.finish()
            let name = warmup.source.inputName
            for issue in report.issues {
                let line = "\(name):\(issue.line.map(String.init) ?? "?"): " + (issue.key.map { "\($0.displayQuoted): " } ?? "") + issue.reason
                Terminal.writeError(line.displayEscaped + "\n")
            }
            let hidden = report.invalid + report.failed - report.issues.count
            if hidden > 0 { Terminal.writeError("… and \(hidden) more\n") }
            for note in report.notes { Terminal.writeError("warning: \(note)\n") }
            context.renderer.render(WarmupResult(report: report))
            try verdict(report, name: name)
        }

        private func verdict(_ report: WarmupReport, name: String) throws {
            switch report.stop {
            case .invalidInput:
                throw CacheError(.badInput, "\(name): \(report.invalid) malformed record\(report.invalid == 1 ? "" : "s"); nothing was written",
                                 hint: "fix the input, or pass --skip-invalid to write the valid entries")
            case .maxDuration:
                throw CommandFailure(code: ExitStatus.failure,
                                     message: "stopped after --max-duration: \(report.notAttempted) entries not attempted (run again with --only-missing to finish)")
            case .unreachable(let reason):
                throw CommandFailure(code: ExitStatus.unreachable,
                                     message: "\(reason); written \(report.written), failed \(report.failed), not attempted \(report.notAttempted) (run again with --only-missing to finish)")
            case .refused(let error):
                throw CommandFailure(code: ExitStatus.code(for: error.kind),
                                     message: "stopped: \(error.description); written \(report.written), failed \(report.failed), not attempted \(report.notAttempted) (run again with --only-missing to finish)")
            case .interrupted:
                try Interruption.exitIfInterrupted("stopped at a batch boundary; written \(report.written), failed \(report.failed), not attempted \(report.notAttempted) (run again with --only-missing to finish)")
            case nil:
                if report.serverRestarted {
                    throw CommandFailure(code: ExitStatus.busy,
                                         message: "the server restarted during the run: entries written before the restart may be lost (run again with --only-missing)")
                }
                if report.failed > 0 || report.invalid > 0 {
                    throw CommandFailure(code: ExitStatus.failure,
                                         message: "\(report.failed) failed, \(report.invalid) invalid (listed above)"
                                            + (report.unacknowledged > 0 ? "; \(report.unacknowledgedSentence)" : ""))
                }
                if report.unacknowledged > 0 {
                    throw CommandFailure(code: ExitStatus.failure, message: report.unacknowledgedSentence)
                }
            }
        }

        private func source() throws -> WarmupSource {
            if let command { return .command(command) }
            if let urlTemplate, let keys { return .http(urlTemplate: urlTemplate, keysPath: keys, concurrency: concurrency) }
            let path = from ?? "-"
            guard let format = inputFormat ?? EntryInputFormat(path: path) ?? (path == "-" ? .jsonLines : nil) else {
                throw CacheError(.usage, "Cannot tell the format of \(path) from its extension",
                                 hint: "name it .jsonl or .csv, or pass --input-format jsonl|csv")
            }
            return path == "-" ? .standardInput(format: format) : .file(path: path, format: format)
        }
    }
}

extension EntryInputFormat: ExpressibleByArgument {}
