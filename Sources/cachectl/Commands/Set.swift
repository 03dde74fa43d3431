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
                (VALUE "-", or no VALUE with input piped in). Bytes are stored exactly as given. \
                Without --ttl the lifetime is CACHE_DEFAULT_TIMEOUT seconds (300).

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

        func validate() throws {
            if value != nil, file != nil {
                throw ValidationError("Give the value either as an argument or with --file, not both.")
            }
            if let empty = tags.first(where: \.isEmpty) {
                throw ValidationError("--tag \"\(empty)\" is empty: a tag needs a name.")
            }
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(SetResult.self, command: "set")
            let bytes = try readValue()
            let backend = try context.openBackend(access: .creatingOnWrite)
            let entry = Entry(key: key, value: bytes, expiry: ttl?.expiry ?? backend.configuration.defaultExpiry, tags: tags)
            let written = try backend.write(entry, ifAbsent: ifAbsent)
            context.renderer.render(SetResult(entry: entry, written: written))
        }

        private func readValue() throws -> [UInt8] {
            if let value, value != "-" { return Array(value.utf8) }
            if let file, file != "-" { return try ValueSource.read(file: file) }
            if value == nil, file == nil, Terminal.stdinIsTerminal {
                throw CacheError(.usage, "set \(key): no value given",
                                 hint: "pass VALUE, --file PATH, or pipe it in with - (e.g. echo hi | cachectl set \(key) -)")
            }
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
            throw CacheError(.io, "Cannot read \(path): \(reason)")
        }
        defer { close(fd) }
        do {
            return try readAll(fd)
        } catch {
            throw CacheError(.io, "Cannot read \(path): \(error)")
        }
    }

    static func readStandardInput() -> [UInt8] {
        (try? readAll(STDIN_FILENO)) ?? []
    }
}
