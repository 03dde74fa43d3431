import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A Redis Cluster used as one server: routes each command to the primary that serves its key's
/// slot, over one connection per primary opened on first use.
///
/// A batch is split per node (`RoutedBatch`); every node's part goes out before any reply is
/// read, so the primaries work at the same time. Replies that redirect are retried: MOVED reads
/// the slot map again and resends, ASK resends once to the named node after ASKING, TRYAGAIN,
/// CLUSTERDOWN and LOADING back off and resend, and a node that drops its connection (a primary
/// killed, its replica being promoted) has its commands resent on a fresh map, all within the
/// configured timeout. A command whose connection was lost may have run before the loss, so a
/// resent command runs at least once: the cache's writes (SET, SADD, UNLINK) are idempotent.
public final class ClusterTopology {
    /// The nodes named in the URL.
    public let seeds: [RedisAddress]
    /// Who answers which slot, as last read.
    public private(set) var map: SlotMap
    /// Commands sent again after a redirect, a busy cluster or a lost node.
    public private(set) var retries = 0
    /// Slot map reads after the first.
    public private(set) var refreshes = 0

    private let credentials: RedisCredentials
    private let timeout: Double
    private var connections: [RedisAddress: RedisConnection] = [:]
    /// Connections for resends made while other batches are in flight on the main ones.
    private var retryConnections: [RedisAddress: RedisConnection] = [:]
    /// Batches sent and not yet received.
    private var inFlight = 0

    /// Reads the slot map from the first seed that answers, within `timeout` per seed.
    ///
    /// Throws `.unreachable` when no seed answers, `.usage` when a seed is not a cluster node,
    /// `.authentication` when the credentials are refused.
    public init(seeds: [RedisAddress], credentials: RedisCredentials, timeout: Double) throws {
        self.seeds = seeds
        self.credentials = credentials
        self.timeout = timeout
        map = try SlotMap(shards: [])
        map = try Self.discover(from: seeds, credentials: credentials, timeout: timeout)
    }

    /// Every primary that serves slots, in slot order.
    public var primaries: [RedisAddress] { map.primaries }

    /// Reads the slot map again from any node known (primaries, replicas, then the seeds).
    public func refresh() throws {
        var candidates: [RedisAddress] = []
        for shard in map.shards { candidates += [shard.primary.address] + shard.replicas.map(\.address) }
        candidates += seeds
        var seen = Set<RedisAddress>()
        map = try Self.discover(from: candidates.filter { seen.insert($0).inserted }, credentials: credentials, timeout: timeout)
        refreshes += 1
    }

    /// The connection to `node`, opened and authenticated on first use.
    public func connection(to node: RedisAddress) throws -> RedisConnection {
        if let connection = connections[node] { return connection }
        let connection = try RedisConnection.open(node, credentials: credentials, timeout: timeout)
        connections[node] = connection
        return connection
    }

    /// Forgets the connection to `node` (after it failed), so the next use opens a new one.
    public func dropConnection(to node: RedisAddress) {
        connections[node] = nil
        retryConnections[node] = nil
    }

    /// Sends one command for a key in `slot` and returns its reply, following redirects.
    public func send(_ arguments: [RedisArgument], slot: HashSlot) throws -> RESPValue {
        var batch = RoutedBatch(map: map)
        batch.append(slot: slot, arguments)
        return try run(batch)[0]
    }

    /// Sends one command to one node (INFO, SCAN, DBSIZE…), without redirects.
    public func send(_ arguments: [RedisArgument], to node: RedisAddress) throws -> RESPValue {
        do {
            return try connection(to: node).send(arguments)
        } catch {
            dropConnection(to: node)
            throw error
        }
    }

    /// Sends a batch and waits for every reply, in the order the commands were added.
    public func run(_ batch: RoutedBatch) throws -> [RESPValue] {
        try receive(send(batch))
    }

    /// Sends every node's part of a batch without waiting; read the replies with `receive`.
    public func send(_ batch: RoutedBatch) throws -> ClusterBatchInFlight {
        let flight = transmit(batch, pool: inFlight > 0 ? .retry : .main)
        inFlight += 1
        return flight
    }

    /// Reads the replies of a batch sent earlier, resending what was redirected or lost.
    ///
    /// Throws `.unreachable` when a node stays lost past the timeout; a command still redirected
    /// at the deadline keeps its error reply (TRYAGAIN, CLUSTERDOWN) for the caller to report.
    public func receive(_ flight: ClusterBatchInFlight) throws -> [RESPValue] {
        inFlight -= 1
        var results = [RESPValue](repeating: .null, count: flight.batch.count)
        var pending = collect(flight, into: &results, positions: nil)
        guard !pending.isEmpty else { return results }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var delay = 0.02
        while !pending.isEmpty {
            let reasons = Set(pending.map(\.reason))
            if reasons.contains(.lost) || reasons.contains(.busy) || reasons.contains(.moved) {
                if ContinuousClock.now >= deadline { break }
                if reasons.contains(.lost) || reasons.contains(.busy) {
                    sleep(seconds: delay)
                    delay = min(delay * 2, 0.5)
                }
                // A failed refresh (every node busy electing) is retried on the next round.
                try? refresh()
            }
            retries += pending.count
            var batch = RoutedBatch(map: map)
            var positions: [Int] = []
            for item in pending {
                let node = item.ask ?? (item.slot < 0 ? item.node : nil)
                if item.ask != nil { positions.append(-1) }
                batch.append(encoded: item.command, slot: item.slot, node: node, asking: item.ask != nil)
                positions.append(item.position)
            }
            pending = collect(transmit(batch, pool: .retry), into: &results, positions: positions)
            if ContinuousClock.now >= deadline { break }
        }
        if let lost = pending.first(where: { $0.reason == .lost }) {
            throw lost.error ?? CacheError(.unreachable, "Lost the connection to the cluster node \(lost.node)")
        }
        return results
    }

    // MARK: - Transmission

    private enum Pool { case main, retry }

    private func transmit(_ batch: RoutedBatch, pool: Pool) -> ClusterBatchInFlight {
        var sentOn: [RedisConnection?] = []
        var errors: [CacheError?] = []
        for part in batch.parts {
            guard part.node != RoutedBatch.unserved else {
                sentOn.append(nil)
                errors.append(nil)
                continue
            }
            do {
                let connection: RedisConnection
                switch pool {
                case .main: connection = try self.connection(to: part.node)
                case .retry:
                    if let existing = retryConnections[part.node] {
                        connection = existing
                    } else {
                        connection = try RedisConnection.open(part.node, credentials: credentials, timeout: timeout)
                        retryConnections[part.node] = connection
                    }
                }
                try connection.send(part.buffer)
                sentOn.append(connection)
                errors.append(nil)
            } catch {
                dropConnection(to: part.node)
                sentOn.append(nil)
                errors.append(error as? CacheError ?? CacheError(.unreachable, "Lost the connection to \(part.node): \(error)"))
            }
        }
        return ClusterBatchInFlight(batch: batch, sentOn: sentOn, errors: errors)
    }

    private enum Reason: Hashable { case moved, ask, busy, lost }

    private struct Pending {
        var position: Int
        var slot: Int32
        var node: RedisAddress
        var command: ArraySlice<UInt8>
        var reason: Reason
        var ask: RedisAddress?
        var error: CacheError?
    }

    /// Puts a flight's replies into `results` (at `positions`, or the batch's own positions) and
    /// returns the commands to send again.
    private func collect(_ flight: ClusterBatchInFlight, into results: inout [RESPValue], positions: [Int]?) -> [Pending] {
        var pending: [Pending] = []
        let batch = flight.batch
        for (index, part) in batch.parts.enumerated() {
            func resend(_ local: Int, _ reason: Reason, ask: RedisAddress? = nil, error: CacheError? = nil) {
                let position = part.positions[local]
                guard !batch.discarded.contains(position) else { return }
                pending.append(Pending(position: positions?[position] ?? position, slot: batch.slots[position], node: part.node,
                                       command: part.command(local), reason: reason, ask: ask, error: error))
            }
            guard let connection = flight.sentOn[index] else {
                let reason: Reason = part.node == RoutedBatch.unserved ? .busy : .lost
                for local in part.positions.indices { resend(local, reason, error: flight.errors[index]) }
                continue
            }
            let replies: [RESPValue]
            do {
                replies = try connection.receive(count: part.positions.count)
            } catch {
                if connections[part.node] === connection || retryConnections[part.node] === connection { dropConnection(to: part.node) }
                for local in part.positions.indices { resend(local, .lost, error: error as? CacheError) }
                continue
            }
            let host: String
            if case .tcp(let name, _) = part.node { host = name } else { host = "127.0.0.1" }
            for (local, reply) in replies.enumerated() {
                let position = part.positions[local]
                if batch.discarded.contains(position) { continue }
                // A reply that asks for a resend stays in place: it is the answer if the resend never succeeds.
                results[positions?[position] ?? position] = reply
                guard let message = reply.errorMessage else { continue }
                if let redirect = ClusterRedirect(error: message, replyingHost: host) {
                    switch redirect {
                    case .moved: resend(local, .moved)
                    case .ask(_, let address):
                        // An ASK answered by ASK again is a slot moving on: follow the map instead.
                        resend(local, part.node == address ? .moved : .ask, ask: part.node == address ? nil : address)
                    case .tryAgain, .clusterDown: resend(local, .busy)
                    }
                } else if message.hasPrefix("LOADING") {
                    resend(local, .busy)
                }
            }
        }
        return pending
    }

    // MARK: - Discovery

    private static func discover(from candidates: [RedisAddress], credentials: RedisCredentials, timeout: Double) throws -> SlotMap {
        var lastError: CacheError?
        var partial: SlotMap?
        for address in candidates {
            do {
                let connection = try RedisConnection.open(address, credentials: credentials, timeout: timeout)
                let host: String
                if case .tcp(let name, _) = address { host = name } else { host = "127.0.0.1" }
                var reply = try connection.send(["CLUSTER", "SHARDS"])
                let map: SlotMap
                if let message = reply.errorMessage {
                    if message.contains("cluster support disabled") {
                        throw CacheError(.usage, "\(address) is not a Redis Cluster node (cluster support disabled)",
                                         hint: "use redis://\(address) for a single server")
                    }
                    // Before Redis 7 there is no CLUSTER SHARDS.
                    reply = try connection.send(["CLUSTER", "SLOTS"])
                    map = try SlotMap(clusterSlots: try reply.checked(context: "Cannot read the slot map from \(address)"), replyingHost: host)
                } else {
                    map = try SlotMap(clusterShards: reply, replyingHost: host)
                }
                if map.unassignedSlots == 0 { return map }
                if partial == nil || map.unassignedSlots < partial!.unassignedSlots { partial = map }
            } catch let error as CacheError {
                if error.kind == .usage || error.kind == .authentication { throw error }
                lastError = error
            }
        }
        if let partial, !partial.shards.isEmpty { return partial }
        throw lastError ?? CacheError(.unreachable, "Cannot read the cluster's slot map: no node serves any slot",
                                      hint: "check the cluster with redis-cli --cluster check")
    }
}

/// A batch sent to a cluster whose replies are not read yet.
public struct ClusterBatchInFlight {
    let batch: RoutedBatch
    let sentOn: [RedisConnection?]
    let errors: [CacheError?]
}

extension RedisConnection {
    /// Connects to `address` and authenticates with `credentials` (AUTH, also for an ACL user), within `timeout`.
    static func open(_ address: RedisAddress, credentials: RedisCredentials, timeout: Double) throws -> RedisConnection {
        let connection = try RedisConnection(address: address, timeout: timeout)
        var auth: [RedisArgument]?
        if let password = credentials.password {
            auth = credentials.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)]
        } else if let username = credentials.username {
            // A user without a password: Redis still needs AUTH to switch user; an empty password fails clearly.
            auth = ["AUTH", RedisArgument(username), ""]
        }
        if let auth { try connection.send(auth).checked(context: "Cannot open \(address)") }
        return connection
    }
}

extension RESPValue {
    /// The reply itself, or the `CacheError` its error text means: refused credentials or
    /// permissions are `.authentication`, any other error reply `.failed`.
    @discardableResult
    func checked(context: String) throws -> RESPValue {
        guard let message = errorMessage else { return self }
        if message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") || message.contains("invalid password")
            || message.contains("without any password configured") || message.hasPrefix("NOPERM") {
            let first = message.split(separator: ".").first.map(String.init) ?? message
            throw CacheError(.authentication, "\(context): authentication refused (\(first))",
                             hint: "set REDIS_PASSWORD or --password-file, and a user in the URL for ACL users")
        }
        throw CacheError(.failed, "\(context): Redis replied \(message)")
    }
}
