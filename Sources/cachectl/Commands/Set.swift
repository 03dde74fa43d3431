import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension Cachectl {
    struct SetEntry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Write an entry: value, TTL and tag memberships in one atomic step.",
            discussion: """
                The value comes from the VALUE argument, from --file PATH, or from standard input \
                (VALUE "-" or --file -); with none of them set refuses with exit 64 rather than \
                store an empty value. Bytes are stored exactly as given. Without --ttl the lifetime \
                is CACHE_DEFAULT_TIMEOUT seconds (300). A key that holds another type (a Redis hash, \
                list, set...) is left unchanged and set exits 65, unless --force. With --if-absent \
                an existing key is left as it is and the command exits 75 (held, try again), so \
                `cachectl set lock:nightly running --if-absent --ttl 10m && run_job` runs the job only \
                when it took the lock. --wait-replicas N waits until N replicas acknowledged the \
                write (Redis WAIT, at most --wait-timeout); when they do not in time, the entry stays \
                written and set exits 1 saying so.

                Examples:
                  cachectl set article:1 '{"title":"Hello"}' --ttl 5m --tag articles --tag article:1
                  cachectl set report:pdf --file report.pdf --ttl none
                  generate-report | cachectl set report:latest - --ttl 1h
                  cachectl set lock:nightly running --if-absent --ttl 10m
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The key to write.")
        var key: String

        @Argument(help: ArgumentHelp("The value; \"-\" reads standard input.", valueName: "value"))
        var value: String?

        @Option(help: ArgumentHelp("Read the value from this file (\"-\" for standard input).", valueName: "path"))
        var file: String?

        @Option(help: ArgumentHelp("Lifetime: seconds, 30s, 5m, 1h, 1d or none.", valueName: "ttl"))
        var ttl: TTLArgument?

        @Option(name: .customLong("tag"), help: ArgumentHelp("Add the entry to this tag (repeatable).", valueName: "tag"))
        var tags: [String] = []

        @Flag(help: "Write only when the key does not exist yet.")
        var ifAbsent = false

        @Flag(help: "The value is JSON (a number, object, array, true, false or null): a framework layout writes that value, not a string.")
        var json = false

        @Flag(help: "Replace a key that holds another type (a Redis hash, list, set...) with the string.")
        var force = false

        @OptionGroup var replicas: ReplicaWaitOptions

        func validate() throws {
            try EntryKeyArgument.validate([key])
            if value != nil, file != nil {
                throw ValidationError("Give the value either as an argument or with --file, not both.")
            }
            if value == nil, file == nil {
                throw ValidationError("No value given for \(key.displayQuoted): pass VALUE, --file PATH, or - to read standard input "
                                      + "(e.g. echo hi | cachectl set \(key.displayEscaped) -).")
            }
            if let empty = tags.first(where: \.isEmpty) {
                throw ValidationError("--tag \(empty.displayQuoted) is empty: a tag needs a name.")
            }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(SetResult.self, command: "set")
            let expiry = try ttl?.expiry ?? context.defaultExpiry()
            let bytes = try readValue()
            let backend = try context.openBackend(access: .creatingOnWrite)
            _ = try replicas.wait(timeout: backend.configuration.timeout)  // a bad --wait-timeout before the write
            var entry = Entry(key: key, value: bytes, expiry: expiry, tags: try tags.map(context.tag))
            try backend.configuration.layout.validate(tags: entry.tags ?? [])
            if json { entry = try Entry.json(entry) }
            let written = try backend.write(entry, ifAbsent: ifAbsent, replacingOtherTypes: force)
            context.renderer.render(SetResult(entry: entry, written: written))
            if written {
                try replicas.acknowledge("entry written was", "entries written were", on: backend) { try $0.acknowledgement(of: [entry], wait: $1) }
            }
            if !written {
                // `set lock:x … --if-absent && run_job` must not run the job while the lock is held.
                throw CommandFailure(code: ExitStatus.busy, message: "\(key.displayQuoted) exists, nothing was written: held, try again later")
            }
        }

        private func readValue() throws -> [UInt8] {
            if let value, value != "-" { return Array(value.utf8) }
            if let file, file != "-" { return try ValueSource.read(file: file) }
            return ValueSource.readStandardInput()
        }
    }
}

/// Where values come from when they are not on the command line.
enum ValueSource {
    static func read(file path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw CacheError(.io, "Cannot read \(path.displayEscaped): \(reason)")
        }
        defer { close(fd) }
        do {
            return try readAll(fd)
        } catch {
            throw CacheError(.io, "Cannot read \(path.displayEscaped): \(error)")
        }
    }

    static func readStandardInput() -> [UInt8] {
        (try? readAll(STDIN_FILENO)) ?? []
    }
}

/// Entry keys named on the command line: an empty one is a usage error (64) for every command,
/// as an empty key in a manifest is bad data (65).
enum EntryKeyArgument {
    static func validate(_ keys: [String]) throws {
        if keys.contains(where: \.isEmpty) {
            throw ValidationError("A key must not be empty: name the entry, e.g. article:1.")
        }
    }
}
