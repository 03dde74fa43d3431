import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Credentials for a Redis server: a password, optionally with an ACL user name.
public struct RedisCredentials: Sendable, Equatable {
    /// The ACL user, or nil for the default user.
    public var username: String?
    /// The password, or nil for none.
    public var password: String?

    /// Creates credentials.
    public init(username: String? = nil, password: String? = nil) {
        self.username = username
        self.password = password
    }
}

/// A backend named by a URL, resolved but not yet opened.
public enum Endpoint: Sendable, Equatable {
    /// One Redis server.
    case redis(address: RedisAddress, database: Int, credentials: RedisCredentials)
    /// A Redis Cluster, by its seed nodes.
    case cluster(seeds: [RedisAddress], credentials: RedisCredentials)
    /// The primary that Redis Sentinel names `masterName`, asked of any of `sentinels`.
    case sentinel(sentinels: [RedisAddress], masterName: String, database: Int, credentials: RedisCredentials)
    /// The snapshot file.
    case snapshot(path: String)
    /// A JSON Lines file of entries (`-` for stdin/stdout); a migrate endpoint only.
    case jsonLines(path: String)
    /// Accepts writes, stores nothing.
    case dummy

    /// The default snapshot path when nothing else is configured.
    public static let defaultSnapshotPath = ".cachectl/cache.snapshot"

    /// Creates `./.cachectl/` when `path` lies directly in it and it is missing: the default
    /// directory is cachectl's own, so a fresh checkout needs no `mkdir` before the first run.
    /// Any other missing directory is left for the caller to report: a typo must not create a tree.
    public static func createDefaultDirectory(containing path: String) throws {
        var parent = path
        while parent.hasPrefix("./") { parent.removeFirst(2) }
        guard let slash = parent.lastIndex(of: "/"), parent[..<slash] == ".cachectl" else { return }
        if mkdir(".cachectl", 0o755) != 0, errno != EEXIST {
            throw CacheError(.io, "Cannot create the directory .cachectl: \(String(cString: strerror(errno)))")
        }
    }

    /// Parses a backend URL: `redis://`, `rediss://` (TLS), `redis+cluster://`, `rediss+cluster://`, `redis+sentinel://`, `unix://`, `file:`, `jsonl:`, `dummy:` or a bare path.
    ///
    /// Throws `.usage` for an unknown scheme or a malformed URL, naming the URL with its password redacted.
    public init(parsing url: String) throws {
        let shown = Endpoint.redact(url)
        if url == "dummy:" || url == "dummy://" {
            self = .dummy
            return
        }
        if url.hasPrefix("file:") {
            var path = String(url.dropFirst("file:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): file: needs a path, e.g. file:./cache.snapshot") }
            self = .snapshot(path: path)
            return
        }
        if url.hasPrefix("jsonl:") {
            let path = String(url.dropFirst("jsonl:".count))
            guard !path.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): jsonl: needs a path or -, e.g. jsonl:entries.jsonl") }
            self = .jsonLines(path: path)
            return
        }
        guard let schemeEnd = url.firstRange(of: "://") else {
            guard !url.isEmpty else { throw CacheError(.usage, "Invalid URL: it is empty") }
            if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), url[..<colon].count > 1,
               url[..<colon].allSatisfy({ $0.isLetter || $0 == "+" }) {
                let scheme = url[..<colon].lowercased()
                if Endpoint.serverSchemes.contains(scheme) {
                    throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): a \(scheme) URL starts with \(scheme)://",
                                     hint: "e.g. \(scheme)://127.0.0.1:6379")
                }
                throw CacheError(.usage, "Unknown URL scheme \(DisplayText.quoted(scheme)) in \(shown.displayQuoted)", hint: Endpoint.schemesHint)
            }
            self = try Endpoint.bareSnapshotPath(url, shown: shown)
            return
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = String(url[schemeEnd.upperBound...])
        switch scheme {
        case "redis", "rediss":
            let (credentials, authority) = try Endpoint.splitCredentials(rest, shown: shown)
            let (hostPart, queryDatabase) = try Endpoint.splitQuery(authority, shown: shown)
            var hostPort = hostPart
            var database = queryDatabase ?? 0
            if let slash = hostPart.firstIndex(of: "/") {
                hostPort = String(hostPart[..<slash])
                let dbText = hostPart[hostPart.index(after: slash)...]
                if !dbText.isEmpty {
                    guard let db = Int(dbText), db >= 0 else {
                        throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the database \(DisplayText.quoted(String(dbText))) is not a database number (0 or more)")
                    }
                    if let queryDatabase, queryDatabase != db {
                        throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): it names database \(db) in the path and \(queryDatabase) in ?db=",
                                         hint: "give the database once")
                    }
                    database = db
                }
            }
            let address = try Endpoint.parseAddress(hostPort.isEmpty ? "127.0.0.1" : hostPort, shown: shown)
            self = .redis(address: scheme == "rediss" ? address.overTLS : address, database: database, credentials: credentials)
        case "unix", "redis+unix":
            let (credentials, pathPart) = try Endpoint.splitCredentials(rest, shown: shown)
            let (path, queryDatabase) = try Endpoint.splitQuery(pathPart, shown: shown)
            let database = queryDatabase ?? 0
            guard !path.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): unix:// needs a socket path") }
            self = .redis(address: .unix(path: path), database: database, credentials: credentials)
        case "redis+cluster", "rediss+cluster":
            let (credentials, nodes) = try Endpoint.splitCredentials(rest, shown: shown)
            let seeds = try nodes.split(separator: ",").map { try Endpoint.parseAddress(String($0), shown: shown) }
            guard !seeds.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): name at least one seed node") }
            self = .cluster(seeds: scheme == "rediss+cluster" ? seeds.map(\.overTLS) : seeds, credentials: credentials)
        case "redis+sentinel":
            let (credentials, remainder) = try Endpoint.splitCredentials(rest, shown: shown)
            let parts = remainder.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts[1].isEmpty else {
                throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): name the primary the sentinels watch, e.g. redis+sentinel://127.0.0.1:26379/mymaster")
            }
            guard parts.count <= 3 else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): expected redis+sentinel://host:port[,host:port…]/master-name[/db]") }
            var database = 0
            if parts.count == 3, !parts[2].isEmpty {
                guard let db = Int(parts[2]), db >= 0 else {
                    throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the database \(String(parts[2]).displayQuoted) is not a number")
                }
                database = db
            }
            let sentinels = try parts[0].split(separator: ",").map { try Endpoint.parseAddress(String($0), shown: shown, defaultPort: 26379) }
            guard !sentinels.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): name at least one sentinel") }
            let name = String(parts[1]).percentDecoded ?? String(parts[1])
            self = .sentinel(sentinels: sentinels, masterName: name, database: database, credentials: credentials)
        default:
            throw CacheError(.usage, "Unknown URL scheme \(scheme.displayQuoted) in \(shown.displayQuoted)", hint: Endpoint.schemesHint)
        }
    }

    /// The URL as it may be printed: any password replaced by `***`.
    ///
    /// Works on malformed URLs too (`redis:/:secret@host`, `redis//:secret@host`): whatever
    /// stands before the last `@` after the scheme's slashes is user information, and everything
    /// after its first `:` (all of it, when there is no `:`) is taken for a password.
    public static func redact(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let head = url[..<at]
        let start: String.Index
        if let slashes = head.firstRange(of: "//") {
            start = slashes.upperBound
        } else if let slash = head.firstIndex(of: "/") {
            start = head.index(after: slash)
        } else if let colon = head.firstIndex(of: ":") {
            start = head.index(after: colon)
        } else {
            start = head.startIndex
        }
        let userInfo = url[start..<at]
        guard let colon = userInfo.firstIndex(of: ":") else {
            // A lone userinfo is a password in the seeds' `redis://secret@host` form.
            return url[..<start] + "***" + url[at...]
        }
        return url[..<userInfo.index(after: colon)] + "***" + url[at...]
    }

    /// The schemes of a Redis server, for telling a mistyped URL from a file name.
    static let serverSchemes: Set<String> = ["redis", "rediss", "unix", "redis+unix", "redis+cluster", "rediss+cluster",
                                             "redis+sentinel"]

    /// The schemes understood, for messages.
    static let schemesHint = "use redis://, rediss://, unix://, redis+cluster://, redis+sentinel://, file:PATH, jsonl:PATH or dummy:"

    /// A bare path names the snapshot file, except for what is more likely a mistyped URL: a
    /// scheme name without its colon (`dummy`, `redis`), or a path with `@` or `//` (a URL that
    /// lost its `:`), when no such file exists. Those are refused rather than created.
    private static func bareSnapshotPath(_ path: String, shown: String) throws -> Endpoint {
        var status = stat()
        guard stat(path, &status) != 0 else { return .snapshot(path: path) }
        let word = path.lowercased()
        if word == "dummy" || serverSchemes.contains(word) || word == "file" || word == "jsonl" {
            let example = word == "dummy" ? "dummy:" : word == "file" || word == "jsonl" ? "\(word):PATH" : "\(word)://127.0.0.1:6379"
            throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): no such snapshot file, and \(word) needs its colon",
                             hint: "write \(example), or ./\(path) for a new snapshot file of that name")
        }
        if path.contains("@") || path.contains("//") {
            throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): not a URL (no scheme://) and no such snapshot file",
                             hint: "write redis://host:port for a server, or file:PATH to create a snapshot file")
        }
        return .snapshot(path: path)
    }

    /// Splits `?db=N` off a host or socket path (as redis-py and others accept it); any other
    /// query is refused by name.
    private static func splitQuery(_ text: String, shown: String) throws -> (String, Int?) {
        guard let mark = text.firstIndex(of: "?") else { return (text, nil) }
        let query = text[text.index(after: mark)...]
        var database: Int?
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "db" else {
                throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): unknown query parameter \(DisplayText.quoted(String(parts[0])))",
                                 hint: "only ?db=N is understood, e.g. redis://127.0.0.1:6379?db=3")
            }
            guard let db = Int(parts[1]), db >= 0 else {
                throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the database \(DisplayText.quoted(String(parts[1]))) is not a database number (0 or more)")
            }
            database = db
        }
        return (String(text[..<mark]), database)
    }

    /// The endpoint as it may be printed, password redacted.
    public var description: String {
        switch self {
        case .redis(let address, let database, let credentials):
            let auth: String
            switch (credentials.username, credentials.password) {
            case (let user?, _?): auth = "\(user):***@"
            case (nil, _?): auth = ":***@"
            case (let user?, nil): auth = "\(user)@"
            case (nil, nil): auth = ""
            }
            if case .unix(let path) = address { return "unix://\(auth)\(path)" + (database == 0 ? "" : "?db=\(database)") }
            return "\(address.scheme)://\(auth)\(address)" + (database == 0 ? "" : "/\(database)")
        case .cluster(let seeds, let credentials):
            return "\(seeds.first?.scheme ?? "redis")+cluster://\(credentials.password == nil ? "" : "\(credentials.username ?? ""):***@")"
                + seeds.map(\.description).joined(separator: ",")
        case .sentinel(let sentinels, let name, let database, let credentials):
            return "redis+sentinel://\(credentials.password == nil ? "" : "\(credentials.username ?? ""):***@")"
                + sentinels.map(\.description).joined(separator: ",") + "/\(name)" + (database == 0 ? "" : "/\(database)")
        case .snapshot(let path): return "file:\(path)"
        case .jsonLines(let path): return "jsonl:\(path)"
        case .dummy: return "dummy:"
        }
    }

    /// The same endpoint with the password replaced (from `--password-file` or `REDIS_PASSWORD`).
    public func withPassword(_ password: String) -> Endpoint {
        switch self {
        case .redis(let address, let database, var credentials):
            credentials.password = password
            return .redis(address: address, database: database, credentials: credentials)
        case .cluster(let seeds, var credentials):
            credentials.password = password
            return .cluster(seeds: seeds, credentials: credentials)
        case .sentinel(let sentinels, let name, let database, var credentials):
            credentials.password = password
            return .sentinel(sentinels: sentinels, masterName: name, database: database, credentials: credentials)
        default:
            return self
        }
    }

    /// The credentials of a Redis or cluster endpoint; nil for the others.
    public var credentials: RedisCredentials? {
        switch self {
        case .redis(_, _, let credentials), .cluster(_, let credentials), .sentinel(_, _, _, let credentials): return credentials
        default: return nil
        }
    }

    /// The same endpoint with the ACL user replaced (`--user`).
    public func withUser(_ user: String) -> Endpoint {
        switch self {
        case .redis(let address, let database, var credentials):
            credentials.username = user
            return .redis(address: address, database: database, credentials: credentials)
        case .cluster(let seeds, var credentials):
            credentials.username = user
            return .cluster(seeds: seeds, credentials: credentials)
        case .sentinel(let sentinels, let name, let database, var credentials):
            credentials.username = user
            return .sentinel(sentinels: sentinels, masterName: name, database: database, credentials: credentials)
        default:
            return self
        }
    }

    private static func splitCredentials(_ rest: String, shown: String) throws -> (RedisCredentials, String) {
        guard let at = rest.lastIndex(of: "@") else { return (RedisCredentials(), rest) }
        let userInfo = rest[..<at]
        let remainder = String(rest[rest.index(after: at)...])
        if let colon = userInfo.firstIndex(of: ":") {
            let user = String(userInfo[..<colon]).percentDecoded ?? String(userInfo[..<colon])
            let password = String(userInfo[userInfo.index(after: colon)...])
            return (RedisCredentials(username: user.isEmpty ? nil : user,
                                     password: password.percentDecoded ?? password), remainder)
        }
        let password = String(userInfo)
        return (RedisCredentials(password: password.percentDecoded ?? password), remainder)
    }

    private static func parseAddress(_ text: String, shown: String, defaultPort: Int = 6379) throws -> RedisAddress {
        var host = text
        var port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the port \(DisplayText.quoted(String(after.dropFirst()))) is not a number from 1 to 65535")
                }
                port = p
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            let portText = text[text.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the port \(DisplayText.quoted(String(portText))) is not a number from 1 to 65535")
            }
            port = p
        }
        guard !host.isEmpty else { throw CacheError(.usage, "Invalid URL \(shown.displayQuoted): the host is empty") }
        return .tcp(host: host, port: port)
    }
}

extension RedisAddress {
    /// The same host and port over TLS (`rediss://`); a unix socket stays as it is.
    var overTLS: RedisAddress {
        if case .tcp(let host, let port) = self { return .tls(host: host, port: port) }
        return self
    }

    /// The URL scheme of a server at this address.
    var scheme: String {
        if case .tls = self { return "rediss" }
        return "redis"
    }
}
