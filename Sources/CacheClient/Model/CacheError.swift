/// The one error type of CacheClient: what failed, why, and what the user can do about it.
///
/// `kind` says which class of failure this is; the executable maps each kind to one exit code.
public struct CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The classes of failure, each with its own exit code in the command-line tool.
    public enum Kind: String, Sendable, Equatable {
        /// The request itself is wrong (bad option, unknown URL scheme, unsupported feature).
        case usage
        /// Input data is malformed: a manifest line, a damaged or foreign snapshot file, a migrate conflict.
        case badInput
        /// The backend cannot be reached (connection refused, timeout, connection lost).
        case unreachable
        /// The backend is reached but cannot serve the request: a read-only replica, out of
        /// memory, a command the server does not offer, any error reply not classified otherwise.
        case unavailable
        /// A local file could not be read or written (permissions, disk full).
        case io
        /// Someone else holds the resource (a lock, a key written with `ifAbsent`); trying again later may work.
        case busy
        /// The server cannot serve right now (LOADING, BUSY, TRYAGAIN, MASTERDOWN); trying again later may work.
        case temporary
        /// The server refused the credentials.
        case authentication
        /// The login worked, but the user lacks an ACL permission (a command, a category or a key).
        case permission
        /// An operation was interrupted (SIGINT, SIGTERM) and stopped at a batch boundary.
        case interrupted
        /// Some items of a batch failed, or a check failed (not a server refusal: those are `unavailable`).
        case failed
    }

    /// The class of failure.
    public var kind: Kind
    /// A full sentence of the form "what failed: why".
    public var message: String
    /// What the user can do about it, when there is something.
    public var hint: String?

    /// Creates an error of `kind` with a message and an optional hint.
    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String {
        if let hint { return "\(message) (\(hint))" }
        return message
    }
}

extension CacheError {
    /// A key that holds another type than a cache entry (a string), left unchanged.
    public static func otherType(_ type: String, key: String) -> CacheError {
        CacheError(.badInput, "\(key.displayQuoted) holds a \(type), not a cache entry (a string); it was left unchanged",
                   hint: "pass --force to replace it with a string")
    }
}
