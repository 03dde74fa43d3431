/// An error reply of a Redis server, classified once by its code (the first word): every place
/// that meets an error reply (commands, pipelines, transactions, later cluster redirects) asks
/// this value what it means instead of matching message text itself.
public struct RedisErrorReply: Sendable, Equatable {
    /// What kind of refusal a reply is.
    public enum Kind: Sendable, Equatable {
        /// LOADING, BUSY, TRYAGAIN, MASTERDOWN: the server cannot serve now; try again later.
        case temporary
        /// READONLY: the server is a replica.
        case readOnly
        /// OOM: `maxmemory` is reached and the eviction policy refuses writes.
        case outOfMemory
        /// NOPERM: the user lacks an ACL permission.
        case noPermission
        /// NOAUTH, WRONGPASS and the other refused logins.
        case authentication
        /// The database index does not exist on this server (SELECT).
        case noSuchDatabase
        /// WRONGTYPE: the key holds another type.
        case wrongType
        /// NOSCRIPT: the script cache does not hold the digest.
        case noScript
        /// The command does not exist (or was renamed away).
        case unknownCommand
        /// EXECABORT: a transaction was discarded because a command was refused while queued.
        case transactionAborted
        /// MOVED or ASK: the key lives on another cluster node.
        case redirect
        /// BUSYKEY: RESTORE found the key.
        case busyKey
        /// Anything else.
        case other
    }

    /// The reply's text, e.g. `READONLY You can't write against a read only replica.`.
    public let message: String
    /// The classification.
    public let kind: Kind

    /// Classifies an error reply's text.
    public init(_ message: String) {
        self.message = message
        let code = message.prefix { $0 != " " }
        switch code {
        case "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN": kind = .temporary
        case "READONLY": kind = .readOnly
        case "OOM": kind = .outOfMemory
        case "NOPERM": kind = .noPermission
        case "NOAUTH", "WRONGPASS": kind = .authentication
        case "WRONGTYPE": kind = .wrongType
        case "NOSCRIPT": kind = .noScript
        case "EXECABORT": kind = .transactionAborted
        case "MOVED", "ASK": kind = .redirect
        case "BUSYKEY": kind = .busyKey
        default:
            let lowered = message.lowercased()
            if lowered.contains("invalid password") || lowered.contains("without any password configured") {
                kind = .authentication
            } else if lowered.contains("db index is out of range") || lowered.contains("invalid db index") {
                kind = .noSuchDatabase
            } else if lowered.hasPrefix("err unknown command") {
                kind = .unknownCommand
            } else {
                kind = .other
            }
        }
    }

    /// The reply of `value`, when it is an error reply.
    public init?(_ value: RESPValue) {
        guard let message = value.errorMessage else { return nil }
        self.init(message)
    }

    /// The command a NOPERM reply names (`'script|load'` → `SCRIPT LOAD`); nil when it names a key or channel.
    var deniedCommand: String? {
        guard kind == .noPermission, let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close]).replacingScalar("|", with: " ").uppercased()
    }

    /// The library error for this reply: the kind decides the exit code, the message names the
    /// cause in the operator's terms, with a hint where one can act.
    public func cacheError(context: String, endpoint: String = "the server") -> CacheError {
        let first = message.split(separator: "\n").first.map(String.init) ?? message
        switch kind {
        case .temporary:
            return CacheError(.temporary, "\(context): the server cannot serve right now (\(first))",
                              hint: "try again in a moment; it is loading its data, running a long script, or failing over")
        case .readOnly:
            return CacheError(.unavailable, "\(context): \(endpoint) is a replica, which accepts no writes (\(first))",
                              hint: "point --url at the primary; redis-cli ROLE on the replica names it")
        case .outOfMemory:
            return CacheError(.unavailable, "\(context): \(endpoint) is out of memory: maxmemory is reached and its eviction policy refuses writes (\(first))",
                              hint: "raise maxmemory, choose an evicting maxmemory-policy, or delete keys")
        case .noPermission:
            if let command = deniedCommand {
                let category = Self.aclCategory(of: command).map { " (ACL category \($0))" } ?? ""
                return CacheError(.permission, "\(context): the Redis user may not run \(command)\(category) (\(first))",
                                  hint: "the login worked; grant the user the command or its category with ACL SETUSER")
            }
            return CacheError(.permission, "\(context): the Redis user may not access a key or channel this needs (\(first))",
                              hint: "the login worked; widen the user's key patterns (ACL SETUSER … ~pattern)")
        case .authentication:
            return CacheError(.authentication, "\(context): authentication refused (\(first))",
                              hint: "set REDIS_PASSWORD or --password-file, and a user in the URL for ACL users")
        case .noSuchDatabase:
            return CacheError(.usage, "\(context): the server has no such database (\(first))",
                              hint: "use a database index below the server's `databases` setting (16 by default)")
        case .wrongType:
            return CacheError(.badInput, "\(context): \(first)")
        case .unknownCommand:
            return CacheError(.unavailable, "\(context): the server does not offer this command (\(first))",
                              hint: "it may be renamed or disabled (rename-command) on this server")
        default:
            return CacheError(.unavailable, "\(context): Redis replied \(first)")
        }
    }

    /// The ACL category that grants a command cachectl sends, for the message of a NOPERM reply.
    static func aclCategory(of command: String) -> String? {
        let name = command.split(separator: " ").first.map(String.init) ?? command
        switch name {
        case "EVAL", "EVALSHA", "SCRIPT", "FCALL", "FUNCTION": return "@scripting"
        case "SET", "GET", "MGET", "SETEX", "PSETEX": return "@string"
        case "SADD", "SREM", "SMEMBERS", "SSCAN", "SCARD", "SISMEMBER": return "@set"
        case "HINCRBY", "HGETALL", "HSET", "HGET": return "@hash"
        case "UNLINK", "DEL", "RENAME", "TYPE", "EXISTS", "PTTL", "PEXPIRE", "PERSIST", "SCAN", "DUMP", "RESTORE", "DBSIZE", "FLUSHDB":
            return "@keyspace"
        case "MULTI", "EXEC", "WATCH", "UNWATCH", "DISCARD": return "@transaction"
        case "INFO", "CONFIG": return "@dangerous"
        case "PING", "SELECT", "AUTH", "HELLO": return "@connection"
        default: return nil
        }
    }
}
