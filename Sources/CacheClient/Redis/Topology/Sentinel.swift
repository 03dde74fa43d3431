import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Finds the primary that Redis Sentinel names: asks each sentinel in turn (SENTINEL
/// GET-MASTER-ADDR-BY-NAME), then checks with ROLE that the server named is a primary, since a
/// sentinel's answer can lag a failover by a moment.
public struct SentinelResolver: Sendable {
    /// The sentinels, tried in order.
    public var sentinels: [RedisAddress]
    /// The name the sentinels monitor the primary under.
    public var masterName: String
    /// Credentials of the data servers (sentinels are asked without any unless they require them).
    public var credentials: RedisCredentials
    /// Seconds for the whole resolution, retries included.
    public var timeout: Double

    /// Creates a resolver.
    public init(sentinels: [RedisAddress], masterName: String, credentials: RedisCredentials, timeout: Double) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.credentials = credentials
        self.timeout = timeout
    }

    /// Connects to the current primary, authenticated; retries while a failover settles.
    ///
    /// Throws `.usage` when every sentinel that answers knows no primary of that name,
    /// `.unreachable` when no sentinel answers or no primary is confirmed within the timeout.
    public func connectToPrimary() throws -> (address: RedisAddress, connection: RedisConnection) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var lastProblem = "no sentinel answered"
        var delay = 0.05
        while true {
            var answered = 0
            var unknown = 0
            for sentinel in sentinels {
                let named: RedisAddress?
                do {
                    named = try ask(sentinel)
                    answered += 1
                } catch let error as CacheError {
                    if error.kind == .authentication { throw error }
                    lastProblem = error.message
                    continue
                }
                guard let named else {
                    unknown += 1
                    continue
                }
                do {
                    let connection = try RedisConnection.open(named, credentials: credentials, timeout: timeout)
                    let role = try connection.send(["ROLE"]).checked(context: "Cannot ask \(named) for its role").array?.first?.string
                    if role == "master" { return (named, connection) }
                    lastProblem = "the sentinels name \(named) as the primary of \"\(masterName)\", but it is a \(role ?? "server of unknown role") (a failover under way?)"
                } catch let error as CacheError {
                    if error.kind == .authentication { throw error }
                    lastProblem = error.message
                }
            }
            if answered > 0 && unknown == answered {
                throw CacheError(.usage, "No sentinel at \(sentinels.map(\.description).joined(separator: ",")) monitors a primary named \"\(masterName)\"",
                                 hint: "check the name with redis-cli -p PORT SENTINEL MASTERS")
            }
            if ContinuousClock.now >= deadline {
                throw CacheError(.unreachable, "Cannot find the primary \"\(masterName)\" through Sentinel: \(lastProblem)",
                                 hint: "raise --timeout if a failover is under way")
            }
            sleep(seconds: delay)
            delay = min(delay * 2, 0.5)
        }
    }

    /// The address one sentinel names, or nil when it knows no primary of that name.
    private func ask(_ sentinel: RedisAddress) throws -> RedisAddress? {
        let connection = try RedisConnection(address: sentinel, timeout: min(timeout, 2))
        var reply = try connection.send(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", RedisArgument(masterName)])
        if let message = reply.errorMessage, message.hasPrefix("NOAUTH"), credentials.password != nil {
            // A sentinel with its own requirepass: try the data servers' password.
            reply = try RedisConnection.open(sentinel, credentials: credentials, timeout: min(timeout, 2))
                .send(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", RedisArgument(masterName)])
        }
        try reply.checked(context: "Cannot ask the sentinel \(sentinel)")
        guard let parts = reply.array, parts.count == 2, let host = parts[0].string,
              let port = parts[1].integer.map(Int.init), (1...65535).contains(port) else { return nil }
        return .tcp(host: host, port: port)
    }
}
