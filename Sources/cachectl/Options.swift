import ArgumentParser
import CacheClient

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, jsonl, prometheus
}

/// The options every command takes, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The cache: redis://[user[:password]@]host[:port][/db], rediss://… (TLS), unix:///path.sock, file:PATH, dummy:.",
                               discussion: "Default: CACHECTL_URL, then the profile's url, then the applications' CACHE_BACKEND/REDIS_URL/REDIS_HOST variables, then ./.cachectl/cache.snapshot.",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Use the settings of this profile of the config file (also CACHECTL_PROFILE).", valueName: "name"))
    var profile: String?

    @Option(help: ArgumentHelp("The config file holding the profiles (also CACHECTL_CONFIG; default $XDG_CONFIG_HOME/cachectl/config.toml, else ~/.config/cachectl/config.toml).",
                               valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The Redis ACL user (instead of the URL's).", valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("Read the Redis password from the first line of this file, without its \\n or \\r\\n (keeps it off the command line; else REDIS_PASSWORD or REDISCLI_AUTH).", valueName: "path"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("Trust the CA certificates in this PEM file instead of the system store (rediss://; also CACHECTL_CACERT).", valueName: "path"))
    var cacert: String?

    @Option(help: ArgumentHelp("Trust the hashed CA certificates in this directory instead of the system store (rediss://).", valueName: "dir"))
    var cacertdir: String?

    @Option(help: ArgumentHelp("Present this PEM client certificate (rediss://; also CACHECTL_CERT).", valueName: "path"))
    var cert: String?

    @Option(help: ArgumentHelp("The private key of --cert (rediss://; also CACHECTL_KEY).", valueName: "path"))
    var key: String?

    @Option(help: ArgumentHelp("Send this server name (SNI) and check the certificate against it instead of the URL's host.", valueName: "name"))
    var sni: String?

    @Flag(help: "Do not verify the server's TLS certificate (a warning is printed every time; never for production).")
    var insecure = false

    @Option(help: "Output format: table, json, jsonl or prometheus (where the command supports it).")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Seconds to wait for a connection or a reply (default 5, at most 86400).", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .shortAndLong, help: "Print nothing but results and errors (no progress, no summaries on stderr).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Explain on stderr which backend is used and why.")
    var verbose = false

    @Flag(help: "Never color the output (NO_COLOR does the same).")
    var noColor = false

    @Option(help: ArgumentHelp("Prefix of every entry key in the store, e.g. rag_materials: (default none; escapes: \\0 \\xHH \\n \\\\).",
                               discussion: "In a framework layout: the Redis connection's own prefix, below the framework's namespace.",
                               valueName: "prefix"))
    var keyPrefix: String?

    @Option(help: ArgumentHelp("Prefix of tag index sets (default cache:tag:; escapes as for --key-prefix).", valueName: "prefix"))
    var tagPrefix: String?

    @Option(help: ArgumentHelp("The hash holding the app counters (default cache:stats).", valueName: "key"))
    var statsKey: String?

    @Option(help: ArgumentHelp("The cache's layout: default, django, symfony, symfony-5.4, laravel, laravel-10 or laravel-8.",
                               discussion: "How keys are named, values encoded and tags kept. Default: CACHECTL_LAYOUT, then the profile's layout, else default (the seeds' layout).",
                               valueName: "layout"))
    var layout: String?

    @Option(help: ArgumentHelp("The framework's namespace: Django KEY_PREFIX, Symfony pool namespace, Laravel cache prefix (escapes as for --key-prefix).",
                               valueName: "namespace"))
    var namespace: String?

    @Option(help: ArgumentHelp("Django's cache VERSION (default 1).", valueName: "n"))
    var cacheVersion: Int?

    func validate() throws {
        if let timeout {
            guard timeout > 0, timeout <= Self.maximumTimeout else {
                throw ValidationError("--timeout must be a positive number of seconds up to \(Int(Self.maximumTimeout)) (one day), e.g. 5 or 0.5.")
            }
        }
        if tagPrefix?.isEmpty == true {
            throw ValidationError("--tag-prefix must not be empty: tag sets would mix with entries.")
        }
        if statsKey?.isEmpty == true { throw ValidationError("--stats-key must not be empty.") }
        if sni?.isEmpty == true { throw ValidationError("--sni must not be empty: it names the server the certificate must match.") }
    }

    /// The connection options as the library takes them.
    var connection: ConnectionOptions {
        ConnectionOptions(url: url, profile: profile, configFile: config, user: user, passwordFile: passwordFile,
                          caCertificateFile: cacert, caCertificateDirectory: cacertdir, certificateFile: cert, keyFile: key,
                          serverName: sni, insecure: insecure, keyPrefix: keyPrefix, tagPrefix: tagPrefix, statsKey: statsKey,
                          timeout: timeout)
    }

    /// The longest `--timeout`: one day keeps every conversion (timeval, milliseconds in Int32) exact.
    static let maximumTimeout: Double = 86_400

    /// The option names that take a value, for moving options given before the subcommand.
    static let valueOptions: Set<String> = ["--url", "--profile", "--config", "--user", "--password-file", "--cacert", "--cacertdir",
                                            "--cert", "--key", "--sni", "--format", "--timeout", "--key-prefix", "--tag-prefix",
                                            "--stats-key", "--layout", "--namespace", "--cache-version"]
    /// The flag names, for the same.
    static let flagOptions: Set<String> = ["--quiet", "-q", "--verbose", "-v", "--no-color", "--insecure"]
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

/// `--wait-replicas N [--wait-timeout DURATION]`: writes wait for replica acknowledgements
/// (Redis `WAIT`) for those who need them to survive a failover.
struct ReplicaWaitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("After each batch, wait until N replicas acknowledged its writes (Redis WAIT; on a cluster on every primary written to). Writes not acknowledged in time are reported and the command exits 1.",
                               valueName: "n"))
    var waitReplicas: Int?

    @Option(help: ArgumentHelp("How long each wait of --wait-replicas may take, e.g. 500ms or 2s (default 1s; shorter than --timeout).",
                               valueName: "duration"))
    var waitTimeout: DurationArgument?

    func validate() throws {
        if let waitReplicas, !(0...ReplicaWait.maximumReplicas).contains(waitReplicas) {
            throw ValidationError("--wait-replicas must be a number of replicas from 0 to \(ReplicaWait.maximumReplicas), e.g. 1.")
        }
        if waitTimeout != nil, waitReplicas == nil {
            throw ValidationError("--wait-timeout needs --wait-replicas: it bounds that wait.")
        }
    }

    /// The wait the options ask for; nil without `--wait-replicas` or with 0 (nothing to wait for).
    /// Each reply is awaited at most `timeout` seconds (`--timeout`), so the wait must be shorter.
    func wait(timeout: Double) throws -> ReplicaWait? {
        guard let waitReplicas, waitReplicas > 0 else { return nil }
        let duration = waitTimeout?.duration ?? .seconds(1)
        guard duration.seconds < timeout else {
            throw CacheError(.usage, "--wait-timeout (\(Human.duration(duration.seconds))) must be shorter than --timeout (\(Human.duration(timeout))): every reply, WAIT's too, is awaited at most --timeout",
                             hint: "raise --timeout or lower --wait-timeout")
        }
        return ReplicaWait(replicas: waitReplicas, timeout: duration)
    }

    /// Waits for the replicas of what a one-shot command (`set`, `delete`) changed on `backend`;
    /// throws exit 1 naming how many (`one`/`many`: "entry written was"/"entries written were") not acknowledged in time.
    func acknowledge(_ one: String, _ many: String, on backend: any CacheBackend, _ ask: (any ReplicaAcknowledging, ReplicaWait) throws -> ReplicaAcknowledgement) throws {
        guard let wait = try wait(timeout: backend.configuration.timeout) else { return }
        guard let acknowledging = backend as? any ReplicaAcknowledging else {
            throw CacheError(.usage, "--wait-replicas needs Redis (a server, a cluster or Sentinel): \(backend.endpointDescription) has no replicas")
        }
        let acknowledgement = try ask(acknowledging, wait)
        guard acknowledgement.unacknowledged == 0 else {
            throw CommandFailure(code: ExitStatus.failure,
                                 message: "\(acknowledgement.unacknowledged) \(acknowledgement.unacknowledged == 1 ? one : many) not acknowledged by \(wait.replicas) replica\(wait.replicas == 1 ? "" : "s") within \(Human.duration(wait.timeout.seconds)) (the fewest acknowledging: \(acknowledgement.fewestReplicas)): on the primary, but a failover could lose \(acknowledgement.unacknowledged == 1 ? "it" : "them")")
        }
    }
}
