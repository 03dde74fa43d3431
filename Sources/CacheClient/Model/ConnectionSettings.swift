import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The connection options a person gave on the command line; nil means not given.
public struct ConnectionOptions: Sendable, Equatable {
    /// `--url`.
    public var url: String?
    /// `--profile`.
    public var profile: String?
    /// `--config`.
    public var configFile: String?
    /// `--user`: the ACL user.
    public var user: String?
    /// `--password-file`.
    public var passwordFile: String?
    /// `--cacert`.
    public var caCertificateFile: String?
    /// `--cacertdir`.
    public var caCertificateDirectory: String?
    /// `--cert`.
    public var certificateFile: String?
    /// `--key`.
    public var keyFile: String?
    /// `--sni`.
    public var serverName: String?
    /// `--insecure`: skip certificate verification.
    public var insecure: Bool
    /// `--key-prefix`.
    public var keyPrefix: String?
    /// `--tag-prefix`.
    public var tagPrefix: String?
    /// `--stats-key`.
    public var statsKey: String?
    /// `--timeout`, in seconds.
    public var timeout: Double?

    /// No option given.
    public init(url: String? = nil, profile: String? = nil, configFile: String? = nil, user: String? = nil,
                passwordFile: String? = nil, caCertificateFile: String? = nil, caCertificateDirectory: String? = nil,
                certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, insecure: Bool = false,
                keyPrefix: String? = nil, tagPrefix: String? = nil, statsKey: String? = nil, timeout: Double? = nil) {
        self.url = url
        self.profile = profile
        self.configFile = configFile
        self.user = user
        self.passwordFile = passwordFile
        self.caCertificateFile = caCertificateFile
        self.caCertificateDirectory = caCertificateDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecure = insecure
        self.keyPrefix = keyPrefix
        self.tagPrefix = tagPrefix
        self.statsKey = statsKey
        self.timeout = timeout
    }
}

/// Options, environment and the selected profile merged, in that order of precedence:
/// a flag beats an environment variable, which beats the profile, which beats the default.
public struct ConnectionSettings: Sendable {
    /// Prefixes, counters key, timeout, default lifetime and TLS options.
    public var configuration: CacheConfiguration
    /// The profile in use, if any.
    public var profile: ConnectionProfile?
    /// The framework layout the profile names (`layout = "…"`); `--layout` and `CACHECTL_LAYOUT` come first.
    public var layout: String? { profile?.layout }
    /// Things to tell the person on stderr every time (`--insecure`, a config file others can read).
    public var warnings: [String]

    private let options: ConnectionOptions
    private let environment: [String: String]

    /// Merges options, environment and profile; reads the config file only when a profile is selected.
    ///
    /// Throws `.usage` for an unknown profile (naming the known ones) or a malformed config
    /// file (naming file and line), `.io` when a named config file cannot be read.
    public init(_ options: ConnectionOptions, environment: [String: String]) throws {
        self.options = options
        self.environment = environment
        warnings = []
        let profileName = options.profile ?? environment["CACHECTL_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let profileName {
            let file = try ProfileFile.load(options: options, environment: environment)
            warnings += file.warnings
            guard let profile = file.profiles.first(where: { $0.name == profileName }) else {
                let known = file.profiles.map(\.name)
                throw CacheError(.usage, "Unknown profile \"\(profileName)\" in \(file.path)",
                                 hint: known.isEmpty ? "the file defines no [profiles.NAME] table"
                                                     : "known profiles: " + known.joined(separator: ", "))
            }
            self.profile = profile
        }
        let profile = self.profile
        func setting(_ flag: String?, _ variable: String?, _ fromProfile: String?) -> String? {
            if let flag { return flag }
            if let variable, let value = environment[variable], !value.isEmpty { return value }
            return fromProfile
        }
        let tls = TLSOptions(
            caCertificateFile: setting(options.caCertificateFile, "CACHECTL_CACERT", profile?.cacert),
            caCertificateDirectory: setting(options.caCertificateDirectory, nil, profile?.cacertdir),
            certificateFile: setting(options.certificateFile, "CACHECTL_CERT", profile?.cert),
            keyFile: setting(options.keyFile, "CACHECTL_KEY", profile?.key),
            serverName: setting(options.serverName, nil, profile?.sni),
            verifiesPeer: !options.insecure)
        let defaults = CacheConfiguration()
        configuration = CacheConfiguration(
            keyPrefix: options.keyPrefix ?? profile?.keyPrefix ?? defaults.keyPrefix,
            tagPrefix: options.tagPrefix ?? profile?.tagPrefix ?? defaults.tagPrefix,
            statsKey: options.statsKey ?? profile?.statsKey ?? defaults.statsKey,
            timeout: options.timeout ?? profile?.timeout ?? defaults.timeout,
            // An invalid CACHE_DEFAULT_TIMEOUT stops only the commands that write with it (they ask for it).
            defaultExpiry: (try? EndpointResolution.defaultExpiry(environment: environment)) ?? .seconds(300),
            tls: tls)
        if configuration.tagPrefix.isEmpty {
            throw CacheError(.usage, "The tag prefix must not be empty: tag sets would mix with entries")
        }
        if configuration.statsKey.isEmpty { throw CacheError(.usage, "The stats key must not be empty") }
        if options.insecure {
            warnings.append("warning: --insecure: TLS certificates are not verified; anyone on the path can read and change the traffic")
        }
    }

    /// The endpoint: `url` (migrate's `--from`/`--to`), else `--url`, `CACHECTL_URL`, the profile,
    /// the seed applications' variables, the snapshot file; with user and password applied.
    public func endpoint(url: String? = nil) throws -> EndpointResolution {
        try EndpointResolution.resolve(url: url ?? options.url, environment: environment, passwordFile: options.passwordFile,
                                       user: options.user, profile: profile)
    }
}
