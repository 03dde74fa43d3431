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

    /// Options, environment and profile merged; warnings (`--insecure`, an exposed config file)
    /// are printed every time, even with `--quiet`.
    func settings() throws -> ConnectionSettings {
        let settings = try ConnectionSettings(options.connection, environment: environment)
        for warning in settings.warnings { Terminal.writeError("cachectl: " + warning + "\n") }
        if let profile = settings.profile { debug("profile \(profile.name)") }
        return settings
    }

    /// The lifetime of entries written without one: `CACHE_DEFAULT_TIMEOUT`, 300 s when unset;
    /// throws a usage error when it is set but invalid.
    func defaultExpiry() throws -> Expiry {
        try EndpointResolution.defaultExpiry(environment: environment)
    }

    /// Prefixes, counters key, timeout, default lifetime, TLS options and layout.
    func configuration() throws -> CacheConfiguration {
        try configuration(settings: settings(), layout: nil, namespace: nil, cacheVersion: nil)
    }

    /// The settings' configuration with its escapes decoded and its layout: `layout` (migrate's
    /// `--to-layout`), else `--layout`, `CACHECTL_LAYOUT`, the profile's `layout`, else default.
    func configuration(settings: ConnectionSettings, layout: String?, namespace: String?, cacheVersion: Int?) throws -> CacheConfiguration {
        var configuration = settings.configuration
        configuration.keyPrefix = try ByteEscapes.decode(configuration.keyPrefix, option: "--key-prefix")
        configuration.tagPrefix = try ByteEscapes.decode(configuration.tagPrefix, option: "--tag-prefix")
        let layoutName = layout ?? options.layout ?? environment["CACHECTL_LAYOUT"].flatMap { $0.isEmpty ? nil : $0 } ?? settings.layout ?? "default"
        // A target in another layout (migrate --to-layout) does not inherit the source's namespace or version.
        let inherits = layout == nil
        let namespace = try (namespace ?? (inherits ? options.namespace : nil)).map { try ByteEscapes.decode($0, option: "--namespace") }
        configuration.layout = try CacheLayout.named(layoutName, namespace: namespace,
                                                     cacheVersion: cacheVersion ?? (inherits ? options.cacheVersion : nil),
                                                     tagPrefix: configuration.tagPrefix)
        if layoutName != "default" { debug("layout \(layoutName), entry keys start with \"\(configuration.keyPrefix + configuration.layout.entryPrefix)\"") }
        return configuration
    }

    /// A tag name from the command line, its escapes decoded.
    func tag(_ text: String) throws -> String { try ByteEscapes.decode(text, option: "tag") }

    /// The endpoint from `--url`, the environment, the profile or the default snapshot file.
    func resolve(url: String? = nil, settings: ConnectionSettings? = nil) throws -> EndpointResolution {
        let resolution = try (settings ?? self.settings()).endpoint(url: url)
        debug("using \(resolution.endpoint.description) (from \(resolution.source))")
        return resolution
    }

    /// Opens the backend the options, environment and profile name. Only commands that store entries
    /// (`set`, `warmup`) pass `.creatingOnWrite`; every other command refuses a missing snapshot file.
    func openBackend(access: BackendAccess = .existing) throws -> any CacheBackend {
        let settings = try settings()
        return try open(resolve(settings: settings), configuration: configuration(settings: settings, layout: nil, namespace: nil, cacheVersion: nil), access: access)
    }

    /// Opens an endpoint; a refused password read from a file that ends in a carriage return says so.
    func open(_ resolution: EndpointResolution, configuration: CacheConfiguration, access: BackendAccess) throws -> any CacheBackend {
        do {
            return try Backends.open(resolution.endpoint, configuration: configuration, access: access)
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
