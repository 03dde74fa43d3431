import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One `[profiles.NAME]` table of the config file: the long options in snake_case.
public struct ConnectionProfile: Sendable, Equatable {
    /// The table's name, as `--profile` selects it.
    public var name: String
    /// `url`: the cache's URL.
    public var url: String?
    /// `cacert`, `cacertdir`, `cert`, `key`, `sni`: TLS options.
    public var cacert: String?, cacertdir: String?, cert: String?, key: String?, sni: String?
    /// `user`: the ACL user.
    public var user: String?
    /// `password_file`: where the password is.
    public var passwordFile: String?
    /// `key_prefix`, `tag_prefix`, `stats_key`: the cache's layout names.
    public var keyPrefix: String?, tagPrefix: String?, statsKey: String?
    /// `timeout`, in seconds.
    public var timeout: Double?
    /// `layout`: the framework layout (reserved; passed through).
    public var layout: String?

    /// An empty profile named `name`.
    public init(name: String) { self.name = name }

    /// The keys a profile table may hold.
    public static let keys = ["url", "cacert", "cacertdir", "cert", "key", "sni", "user", "password_file",
                              "key_prefix", "tag_prefix", "stats_key", "timeout", "layout"]

    /// Sets a text key; `path` and `line` name the place for errors. Paths starting with `~/` are expanded.
    mutating func set(_ key: String, text: String, home: String?) {
        let path = text.hasPrefix("~/") && home != nil ? home! + text.dropFirst() : text
        switch key {
        case "url": url = text
        case "cacert": cacert = path
        case "cacertdir": cacertdir = path
        case "cert": cert = path
        case "key": self.key = path
        case "sni": sni = text
        case "user": user = text
        case "password_file": passwordFile = path
        case "key_prefix": keyPrefix = text
        case "tag_prefix": tagPrefix = text
        case "stats_key": statsKey = text
        case "layout": layout = text
        default: break
        }
    }

    /// The URL as it may be printed: any password replaced by `***`.
    public var shownURL: String? { url.map(Endpoint.redact) }
}

/// The config file: `[profiles.NAME]` tables, in the file's order.
public struct ProfileFile: Sendable {
    /// Where the file is.
    public var path: String
    /// Whether it exists (a default path may not).
    public var exists: Bool
    /// The profiles, in the file's order.
    public var profiles: [ConnectionProfile]
    /// Warnings for stderr, e.g. a password in a file others can read.
    public var warnings: [String]

    /// The config file's path: `--config`, `CACHECTL_CONFIG`, `$XDG_CONFIG_HOME/cachectl/config.toml`,
    /// else `~/.config/cachectl/config.toml`; and whether it was named explicitly.
    public static func path(configFile: String?, environment: [String: String]) -> (path: String, explicit: Bool) {
        if let configFile { return (configFile, true) }
        if let path = environment["CACHECTL_CONFIG"], !path.isEmpty { return (path, true) }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return (xdg + "/cachectl/config.toml", false) }
        return ((environment["HOME"] ?? "") + "/.config/cachectl/config.toml", false)
    }

    /// Reads and checks the config file the options and environment name.
    ///
    /// A missing default file holds no profiles; a missing or unreadable named one throws `.io`;
    /// a malformed one `.usage` naming the file and line.
    public static func load(options: ConnectionOptions, environment: [String: String]) throws -> ProfileFile {
        let (path, explicit) = path(configFile: options.configFile, environment: environment)
        let bytes: [UInt8]
        var status = stat()
        do {
            bytes = try readFile(path)
        } catch {
            if !explicit, stat(path, &status) != 0, errno == ENOENT {
                return ProfileFile(path: path, exists: false, profiles: [], warnings: [])
            }
            throw CacheError(.io, "Cannot read the config file \(path): \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CacheError(.usage, "\(path): the config file is not valid UTF-8")
        }
        var file = ProfileFile(path: path, exists: true, profiles: try ConfigParser.profiles(in: text, path: path,
                                                                                              home: environment["HOME"]),
                               warnings: [])
        if stat(path, &status) == 0, status.st_mode & 0o077 != 0,
           let exposed = file.profiles.first(where: { $0.url.map(Endpoint.redact) != $0.url }) {
            file.warnings.append("warning: \(path) is readable by others and holds a password (profile \(exposed.name)): chmod 600 \(path), or use password_file")
        }
        return file
    }
}
