import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Picks the backend the way the SPEC orders it: `--url`, `CACHECTL_URL`, the profile, the seed
/// applications' variables, then the snapshot file.
public struct EndpointResolution: Sendable {
    /// The endpoint chosen.
    public var endpoint: Endpoint
    /// Which setting chose it, e.g. `--url`, `CACHECTL_URL`, `REDIS_HOST`, `default`.
    public var source: String
    /// Whether the password came from a file whose first line, without its line ending, still
    /// ends in a carriage return (a file saved with old Mac line endings, or CR CR LF): the
    /// password then ends in `\r`, which is worth saying when the server refuses it.
    public var passwordEndsInCarriageReturn = false

    /// Resolves the endpoint from an explicit URL, the environment, a profile and an optional password file.
    ///
    /// The user: `user` (`--user`), else the URL's, else the profile's. The password: the password
    /// file's first line, without one line ending (`\n` or `\r\n`), replaces any; else the URL's;
    /// else `REDIS_PASSWORD`, then `REDISCLI_AUTH`; else the first line of the profile's `password_file`.
    public static func resolve(url: String?, environment: [String: String], passwordFile: String? = nil,
                               user: String? = nil, profile: ConnectionProfile? = nil) throws -> EndpointResolution {
        var resolution = try choose(url: url, environment: environment, profile: profile)
        guard let credentials = resolution.endpoint.credentials else { return resolution }
        if let user = user ?? (credentials.username == nil ? profile?.user : nil) {
            resolution.endpoint = resolution.endpoint.withUser(user)
        }
        if let passwordFile {
            try resolution.usePassword(from: passwordFile, what: "the password file")
        } else if credentials.password != nil {
            // The URL's own.
        } else if let password = environment["REDIS_PASSWORD"], !password.isEmpty {
            resolution.endpoint = resolution.endpoint.withPassword(password)
        } else if let password = environment["REDISCLI_AUTH"], !password.isEmpty {
            resolution.endpoint = resolution.endpoint.withPassword(password)
        } else if let profile, let file = profile.passwordFile {
            try resolution.usePassword(from: file, what: "the password file of profile \(profile.name)")
        }
        return resolution
    }

    /// Sets the password to the first line of a file, without one line ending (`\n` or `\r\n`).
    private mutating func usePassword(from path: String, what: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw CacheError(.io, "Cannot read \(what) \(path.displayEscaped): \(error)")
        }
        var line = bytes.prefix { $0 != 0x0A }
        if line.count < bytes.count, line.last == 0x0D { line.removeLast() }
        guard let password = String(validating: line, as: UTF8.self) else {
            throw CacheError(.io, "Cannot read \(what) \(path.displayEscaped): it is not valid UTF-8")
        }
        endpoint = endpoint.withPassword(password)
        passwordEndsInCarriageReturn = line.last == 0x0D
    }

    /// The default lifetime from `CACHE_DEFAULT_TIMEOUT` (seconds), 300 when unset.
    public static func defaultExpiry(environment: [String: String]) throws -> Expiry {
        guard let text = environment["CACHE_DEFAULT_TIMEOUT"], !text.isEmpty else { return .seconds(300) }
        guard let expiry = Expiry(parsing: text) else {
            throw CacheError(.usage, "Invalid CACHE_DEFAULT_TIMEOUT \(text.displayQuoted): expected seconds (e.g. 300), a duration (5m) or none")
        }
        return expiry
    }

    private static func choose(url: String?, environment env: [String: String], profile: ConnectionProfile?) throws -> EndpointResolution {
        if let url { return EndpointResolution(endpoint: try Endpoint(parsing: url), source: "--url") }
        if let url = env["CACHECTL_URL"], !url.isEmpty {
            return EndpointResolution(endpoint: try Endpoint(parsing: url), source: "CACHECTL_URL")
        }
        if let profile, let url = profile.url {
            return EndpointResolution(endpoint: try Endpoint(parsing: url), source: "profile \(profile.name)")
        }
        let backend = env["CACHE_BACKEND"]?.lowercased()
        let redisURL = env["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let redisHost = env["REDIS_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        if backend == "redis" || (backend == nil && (redisURL != nil || redisHost != nil)) {
            if let redisURL { return EndpointResolution(endpoint: try Endpoint(parsing: redisURL), source: "REDIS_URL") }
            var port = 6379
            if let text = env["REDIS_PORT"], !text.isEmpty {
                guard let p = Int(text), (1...65535).contains(p) else {
                    throw CacheError(.usage, "Invalid REDIS_PORT \(text.displayQuoted): expected a number from 1 to 65535")
                }
                port = p
            }
            var database = 0
            if let text = env["REDIS_DB"], !text.isEmpty {
                guard let db = Int(text), db >= 0 else { throw CacheError(.usage, "Invalid REDIS_DB \(text.displayQuoted): expected a number") }
                database = db
            }
            return EndpointResolution(
                endpoint: .redis(address: .tcp(host: redisHost ?? "127.0.0.1", port: port), database: database,
                                 credentials: RedisCredentials()),
                source: redisHost == nil ? "CACHE_BACKEND" : "REDIS_HOST")
        }
        switch backend {
        case nil, "", "locmem", "memory", "file":
            break
        case "dummy":
            return EndpointResolution(endpoint: .dummy, source: "CACHE_BACKEND")
        case let other?:
            throw CacheError(.usage, "Unknown CACHE_BACKEND \(other.displayQuoted)", hint: "use redis, locmem, memory, file or dummy")
        }
        if let path = env["CACHECTL_SNAPSHOT"], !path.isEmpty {
            return EndpointResolution(endpoint: .snapshot(path: path), source: "CACHECTL_SNAPSHOT")
        }
        return EndpointResolution(endpoint: .snapshot(path: Endpoint.defaultSnapshotPath), source: "default")
    }
}

/// A short reason for a file error, without Foundation's long domain text.
func fileReason(_ error: Error) -> String {
    if let posix = error as? POSIXError { return errnoText(posix.code.rawValue) }
    if let cocoa = error as? CocoaError {
        if let posix = cocoa.underlying as? POSIXError { return errnoText(posix.code.rawValue) }
        switch cocoa.code {
        case .fileReadNoSuchFile, .fileNoSuchFile: return "No such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
        default: break
        }
    }
    return String(describing: error)
}
