import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Picks the backend the way the SPEC orders it: `--url`, `CACHECTL_URL`, the seed applications'
/// variables, then the snapshot file.
public struct EndpointResolution: Sendable {
    /// The endpoint chosen.
    public var endpoint: Endpoint
    /// Which setting chose it, e.g. `--url`, `CACHECTL_URL`, `REDIS_HOST`, `default`.
    public var source: String

    /// Resolves the endpoint from an explicit URL, the environment and an optional password file.
    ///
    /// The password file's first line replaces any password; `REDIS_PASSWORD` fills one in when
    /// the URL has none.
    public static func resolve(url: String?, environment: [String: String], passwordFile: String? = nil) throws -> EndpointResolution {
        var resolution = try choose(url: url, environment: environment)
        if let passwordFile {
            let bytes: [UInt8]
            do {
                bytes = try readFile(passwordFile)
            } catch {
                throw CacheError(.io, "Cannot read the password file \(passwordFile): \(error)")
            }
            guard let contents = String(validating: bytes, as: UTF8.self) else {
                throw CacheError(.io, "Cannot read the password file \(passwordFile): it is not valid UTF-8")
            }
            let password = contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            resolution.endpoint = resolution.endpoint.withPassword(password.trimming("\r"))
        } else if let password = environment["REDIS_PASSWORD"], !password.isEmpty {
            switch resolution.endpoint {
            case .redis(_, _, let credentials) where credentials.password == nil:
                resolution.endpoint = resolution.endpoint.withPassword(password)
            case .cluster(_, let credentials) where credentials.password == nil:
                resolution.endpoint = resolution.endpoint.withPassword(password)
            case .sentinel(_, _, _, let credentials) where credentials.password == nil:
                resolution.endpoint = resolution.endpoint.withPassword(password)
            default: break
            }
        }
        return resolution
    }

    /// The default lifetime from `CACHE_DEFAULT_TIMEOUT` (seconds), 300 when unset.
    public static func defaultExpiry(environment: [String: String]) throws -> Expiry {
        guard let text = environment["CACHE_DEFAULT_TIMEOUT"], !text.isEmpty else { return .seconds(300) }
        guard let expiry = Expiry(parsing: text) else {
            throw CacheError(.usage, "Invalid CACHE_DEFAULT_TIMEOUT \"\(text)\": expected seconds (e.g. 300), a duration (5m) or none")
        }
        return expiry
    }

    private static func choose(url: String?, environment env: [String: String]) throws -> EndpointResolution {
        if let url { return EndpointResolution(endpoint: try Endpoint(parsing: url), source: "--url") }
        if let url = env["CACHECTL_URL"], !url.isEmpty {
            return EndpointResolution(endpoint: try Endpoint(parsing: url), source: "CACHECTL_URL")
        }
        let backend = env["CACHE_BACKEND"]?.lowercased()
        let redisURL = env["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let redisHost = env["REDIS_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        if backend == "redis" || (backend == nil && (redisURL != nil || redisHost != nil)) {
            if let redisURL { return EndpointResolution(endpoint: try Endpoint(parsing: redisURL), source: "REDIS_URL") }
            var port = 6379
            if let text = env["REDIS_PORT"], !text.isEmpty {
                guard let p = Int(text), (1...65535).contains(p) else {
                    throw CacheError(.usage, "Invalid REDIS_PORT \"\(text)\": expected a number from 1 to 65535")
                }
                port = p
            }
            var database = 0
            if let text = env["REDIS_DB"], !text.isEmpty {
                guard let db = Int(text), db >= 0 else { throw CacheError(.usage, "Invalid REDIS_DB \"\(text)\": expected a number") }
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
            throw CacheError(.usage, "Unknown CACHE_BACKEND \"\(other)\"", hint: "use redis, locmem, memory, file or dummy")
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

extension String {
    /// Without leading and trailing `scalar`s (`trimmingCharacters(in: CharacterSet(charactersIn:))`).
    /// Like Foundation, this works on unicode scalars, not characters.
    func trimming(_ scalar: Unicode.Scalar) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != scalar }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...scalars.lastIndex(where: { $0 != scalar })!]))
    }
}
