import ArgumentParser
import CacheClient

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, jsonl, prometheus
}

/// The options every command takes, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The cache: redis://[user[:password]@]host[:port][/db], unix:///path.sock, file:PATH, dummy:.",
                               discussion: "Default: CACHECTL_URL, then the applications' CACHE_BACKEND/REDIS_URL/REDIS_HOST variables, then ./.cachectl/cache.snapshot.",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line).", valueName: "path"))
    var passwordFile: String?

    @Option(help: "Output format: table, json, jsonl or prometheus (where the command supports it).")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Seconds to wait for a connection or a reply (at most 86400).", valueName: "seconds"))
    var timeout: Double = 5

    @Flag(name: .shortAndLong, help: "Print nothing but results and errors (no progress, no summaries on stderr).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Explain on stderr which backend is used and why.")
    var verbose = false

    @Flag(help: "Never color the output (NO_COLOR does the same).")
    var noColor = false

    @Option(help: ArgumentHelp("Prefix of every entry key in the store, e.g. rag_materials:.", valueName: "prefix"))
    var keyPrefix: String = ""

    @Option(help: ArgumentHelp("Prefix of tag index sets.", valueName: "prefix"))
    var tagPrefix: String = "cache:tag:"

    @Option(help: ArgumentHelp("The hash holding the app counters.", valueName: "key"))
    var statsKey: String = "cache:stats"

    func validate() throws {
        guard timeout > 0, timeout <= Self.maximumTimeout else {
            throw ValidationError("--timeout must be a positive number of seconds up to \(Int(Self.maximumTimeout)) (one day), e.g. 5 or 0.5.")
        }
        guard !tagPrefix.isEmpty else {
            throw ValidationError("--tag-prefix must not be empty: tag sets would mix with entries.")
        }
        guard !statsKey.isEmpty else { throw ValidationError("--stats-key must not be empty.") }
    }

    /// The longest `--timeout`: one day keeps every conversion (timeval, milliseconds in Int32) exact.
    static let maximumTimeout: Double = 86_400

    /// The option names that take a value, for moving options given before the subcommand.
    static let valueOptions: Set<String> = ["--url", "--password-file", "--format", "--timeout", "--key-prefix", "--tag-prefix", "--stats-key"]
    /// The flag names, for the same.
    static let flagOptions: Set<String> = ["--quiet", "-q", "--verbose", "-v", "--no-color"]
}

/// A `--ttl` value: `300`, `5m`, `1h`, `none`; at most 100 years (`Duration.maximumMilliseconds`).
struct TTLArgument: ExpressibleByArgument, Sendable {
    let expiry: Expiry

    init?(argument: String) {
        guard let expiry = Expiry(parsing: argument) else { return nil }
        self.expiry = expiry
    }

    static var defaultCompletionKind: CompletionKind { .list(["60", "5m", "1h", "1d", "none"]) }
}

/// A duration such as `30s`, `2m`, `500ms` or plain seconds (`--window`, `--watch`, `--max-duration`);
/// at most 100 years.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let duration: Duration

    init?(argument: String) {
        guard let ms = Duration.milliseconds(parsing: argument.lowercased()), ms > 0 else { return nil }
        duration = .milliseconds(ms)
    }

    static var defaultCompletionKind: CompletionKind { .list(["1s", "5s", "30s", "1m"]) }
}
