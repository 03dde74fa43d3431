import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What a command needs from its global options: the backend, the renderer, messages on stderr.
struct Context {
    let options: GlobalOptions
    let environment: [String: String]
    let renderer: Renderer

    init(_ options: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.options = options
        self.environment = environment
        let color = !options.noColor && environment["NO_COLOR"].map(\.isEmpty) != false && Terminal.stdoutIsTerminal
        renderer = Renderer(format: options.format, style: TextStyle(color: color))
    }

    /// Prefixes, counters key, timeout and default lifetime. An invalid `CACHE_DEFAULT_TIMEOUT`
    /// does not stop commands that never need it (`ping`, `get`, `stats`…): those that write
    /// with it ask `defaultExpiry()`, which reports it.
    func configuration() -> CacheConfiguration {
        CacheConfiguration(keyPrefix: options.keyPrefix, tagPrefix: options.tagPrefix, statsKey: options.statsKey,
                           timeout: options.timeout, defaultExpiry: (try? defaultExpiry()) ?? .seconds(300))
    }

    /// The lifetime of entries written without one: `CACHE_DEFAULT_TIMEOUT`, 300 s when unset;
    /// throws a usage error when it is set but invalid.
    func defaultExpiry() throws -> Expiry {
        try EndpointResolution.defaultExpiry(environment: environment)
    }

    /// The endpoint from `--url`, the environment or the default snapshot file.
    func resolve(url: String? = nil) throws -> EndpointResolution {
        let resolution = try EndpointResolution.resolve(url: url ?? options.url, environment: environment,
                                                        passwordFile: options.passwordFile)
        debug("using \(resolution.endpoint.description) (from \(resolution.source))")
        return resolution
    }

    /// Opens the backend the options and environment name. Only commands that store entries
    /// (`set`, `warmup`) pass `.creatingOnWrite`; every other command refuses a missing snapshot file.
    func openBackend(access: BackendAccess = .existing) throws -> any CacheBackend {
        let resolution = try resolve()
        do {
            return try Backends.open(resolution.endpoint, configuration: configuration(), access: access)
        } catch var error as CacheError where error.kind == .authentication && resolution.passwordEndsInCarriageReturn {
            error.hint = "the password read from \(options.passwordFile ?? "the password file") ends in a carriage return (\\r), "
                + "as in a file saved with old Mac line endings; remove it unless it is part of the password"
            throw error
        }
    }

    /// A message for people on stderr (summaries, warnings), silenced by `--quiet`.
    func note(_ message: String) {
        if !options.quiet { Terminal.writeError(message + "\n") }
    }

    /// Detail for `--verbose`.
    func debug(_ message: String) {
        if options.verbose { Terminal.writeError("cachectl: " + message.displayEscaped + "\n") }
    }

    /// Whether a person is at the terminal (progress bars, confirmations).
    var interactive: Bool { Terminal.stderrIsTerminal && Terminal.stdinIsTerminal }
}

extension Context {
    /// Opens the backend as a tag index (every backend is one).
    func openTagIndex() throws -> any TagIndexing {
        let backend = try openBackend()
        guard let index = backend as? any TagIndexing else {
            throw CacheError(.usage, "The \(backend.kind) backend keeps no tag index")
        }
        return index
    }
}
