import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Who answers a key: one server, a Redis Cluster, or the primary Sentinel names. The cache's
/// commands go through it and never need to know which.
///
/// Each command is routed by its key's slot (`HashSlot`) to the primary that serves it, over one
/// connection per primary opened on first use; one server is a map with one primary for every slot.
/// A batch is split per node (`RoutedBatch`); every node's part goes out before any reply is
/// read, so the primaries work at the same time. Replies that redirect are retried: MOVED reads
/// the slot map again and resends, ASK resends once to the named node after ASKING, TRYAGAIN,
/// CLUSTERDOWN and LOADING back off and resend, and a node that drops its connection (a primary
/// killed, its replica being promoted; for Sentinel, a failover: the sentinels are asked again)
/// has its commands resent on a fresh map, all within the configured timeout. A command whose
/// connection was lost may have run before the loss, so a resent command runs at least once:
/// the cache's writes (SET, SADD, UNLINK) are idempotent. One plain server is never retried.
public final class RedisTopology {
    /// How the primaries are found.
    public enum Discovery: Sendable {
        /// One server at a fixed address.
        case server(RedisAddress)
        /// A Redis Cluster, from any of its seed nodes.
        case cluster(seeds: [RedisAddress])
        /// The primary that the sentinels name.
        case sentinel(SentinelResolver)
    }

    /// How the primaries are found.
    public let discovery: Discovery
    /// Who answers which slot, as last read.
    public private(set) var map: SlotMap
    /// Commands sent again after a redirect, a busy cluster or a lost node.
    public private(set) var retries = 0
    /// Slot map reads (or Sentinel questions) after the first.
    public private(set) var refreshes = 0
    /// Whether keys are spread over several primaries (a cluster): multi-key commands must then
    /// keep to one slot.
    public var isCluster: Bool {
        if case .cluster = discovery { return true }
        return false
    }

    private let credentials: RedisCredentials
    private let database: Int
    private let timeout: Double
    private let tls: TLSOptions
    /// Whether the cluster speaks TLS (`rediss+cluster://`): the addresses it reports then do too.
    private var speaksTLS: Bool {
        if case .cluster(let seeds) = discovery, case .tls = seeds.first { return true }
        return false
    }
    private var connections: [RedisAddress: RedisConnection] = [:]
    /// Connections for resends only, so a resend never waits behind the replies of a later
    /// batch in flight on the main ones; always drained before `receive` returns.
    private var retryConnections: [RedisAddress: RedisConnection] = [:]
    /// Connections for batches run (sent and received at once) while others are in flight on
    /// the main ones: their replies must never be read as those of the batches in flight.
    private var sideConnections: [RedisAddress: RedisConnection] = [:]
    /// Batches sent with `send` and not yet received.
    private var outstanding = 0

    /// Finds the primaries and connects to the first one, within `timeout`.
    ///
    /// Throws `.unreachable` when nothing answers, `.usage` when a cluster seed is not a cluster
    /// node or Sentinel knows no such primary, `.authentication` when the credentials are refused.
    public init(_ discovery: Discovery, database: Int = 0, credentials: RedisCredentials, timeout: Double,
                tls: TLSOptions = TLSOptions()) throws {
        self.discovery = discovery
        self.database = database
        self.credentials = credentials
        self.timeout = timeout
        self.tls = tls
        switch discovery {
        case .server(let address):
            map = .single(address)
            connections[address] = try RedisConnection.open(address, credentials: credentials, database: database, timeout: timeout, tls: tls)
        case .cluster(let seeds):
            map = try Self.discover(from: seeds, credentials: credentials, timeout: timeout, tls: tls)
        case .sentinel(let resolver):
            let (address, connection) = try resolver.connectToPrimary()
            map = .single(address)
            if database != 0 { try connection.send(["SELECT", RedisArgument(database)]).checked(context: "Cannot select database \(database) on \(address)") }
            connections[address] = connection
        }
    }

    /// A topology for an endpoint that names Redis; nil for other endpoints.
    public convenience init?(endpoint: Endpoint, timeout: Double, tls: TLSOptions = TLSOptions()) throws {
        switch endpoint {
        case .redis(let address, let database, let credentials):
            try self.init(.server(address), database: database, credentials: credentials, timeout: timeout, tls: tls)
        case .cluster(let seeds, let credentials):
            try self.init(.cluster(seeds: seeds), credentials: credentials, timeout: timeout, tls: tls)
        case .sentinel(let sentinels, let name, let database, let credentials):
            let resolver = SentinelResolver(sentinels: sentinels, masterName: name, credentials: credentials, timeout: timeout)
            try self.init(.sentinel(resolver), database: database, credentials: credentials, timeout: timeout)
        default:
            return nil
        }
    }

    /// Every primary that serves slots, in slot order.
    public var primaries: [RedisAddress] { map.primaries }

    /// Reads the slot map again from any node known (primaries, replicas, then the seeds), or
    /// asks the sentinels again; one plain server has nothing to refresh.
    public func refresh() throws {
        let seeds: [RedisAddress]
        switch discovery {
        case .server: return
        case .sentinel(let resolver):
            let (address, connection) = try resolver.connectToPrimary()
            if database != 0 { try connection.send(["SELECT", RedisArgument(database)]).checked(context: "Cannot select database \(database) on \(address)") }
            if map.primaries != [address] { connections = [:]; retryConnections = [:]; sideConnections = [:] }
            map = .single(address)
            connections[address] = connection
            refreshes += 1
            return
        case .cluster(let named): seeds = named
        }
        var candidates: [RedisAddress] = []
        for shard in map.shards { candidates += [shard.primary.address] + shard.replicas.map(\.address) }
        candidates += seeds
        var seen = Set<RedisAddress>()
        map = try Self.discover(from: candidates.filter { seen.insert($0).inserted }, credentials: credentials, timeout: timeout, tls: tls)
        refreshes += 1
    }

    /// The connection to `node`, opened and authenticated on first use.
    public func connection(to node: RedisAddress) throws -> RedisConnection {
        if let connection = connections[node] { return connection }
        let connection = try RedisConnection.open(node, credentials: credentials, database: database, timeout: timeout, tls: tls)
        connections[node] = connection
        return connection
    }

    /// What a SCAN over every primary must watch: the slot map and the slots being migrated,
    /// read again now. Two equal readings with no slot in migration mean no key moved between
    /// primaries in between; one plain server or Sentinel never moves keys.
    public func slotMovement() throws -> SlotMovement {
        guard isCluster else { return SlotMovement(map: map, openSlots: []) }
        try refresh()
        var open: [String] = []
        for primary in map.primaries {
            let nodes = try send(["CLUSTER", "NODES"], to: primary).checked(context: "Cannot read the cluster state of \(primary)").string ?? ""
            for line in nodes.split(separator: "\n") where line.contains("myself") {
                open += line.split(separator: " ").filter { $0.hasPrefix("[") }.map(String.init)
            }
        }
        return SlotMovement(map: map, openSlots: open.sorted())
    }

    /// The connection for a command sent and answered at once: the main one, or while batches
    /// are in flight on it, a connection of its own.
    private func directConnection(to node: RedisAddress) throws -> RedisConnection {
        guard outstanding > 0 else { return try connection(to: node) }
        if let connection = sideConnections[node] { return connection }
        let connection = try RedisConnection.open(node, credentials: credentials, database: database, timeout: timeout, tls: tls)
        sideConnections[node] = connection
        return connection
    }

    /// Forgets the connection to `node` (after it failed), so the next use opens a new one.
    public func dropConnection(to node: RedisAddress) {
        connections[node] = nil
        retryConnections[node] = nil
        sideConnections[node] = nil
    }

    /// Sends one command, routed by its key (keyless commands go to the first primary), and
    /// returns its reply. An error reply is returned, not thrown; only transport failures throw.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) throws -> RESPValue {
        guard isCluster else { return try onPrimary { try $0.send(arguments) } }
        var batch = RoutedBatch(map: map)
        if let slot = Self.slot(of: arguments) {
            batch.append(slot: slot, arguments)
        } else {
            batch.begin(node: map.primaries.first ?? RoutedBatch.unserved, arguments: arguments.count)
            for argument in arguments { batch.add(argument.bytes) }
        }
        return try run(batch)[0]
    }

    /// Sends one command written as plain strings, e.g. `send("PING")`.
    @discardableResult
    public func send(_ arguments: String...) throws -> RESPValue {
        try send(arguments.map { RedisArgument($0) })
    }

    /// Sends commands, each routed by its key, and returns their replies in order.
    public func pipeline(_ commands: [[RedisArgument]]) throws -> [RESPValue] {
        guard isCluster else { return try onPrimary { try $0.pipeline(commands) } }
        var batch = RoutedBatch(map: map)
        for command in commands {
            if let slot = Self.slot(of: command) {
                batch.append(slot: slot, command)
            } else {
                batch.begin(node: map.primaries.first ?? RoutedBatch.unserved, arguments: command.count)
                for argument in command { batch.add(argument.bytes) }
            }
        }
        return try run(batch)
    }

    /// An empty batch routed by the current slot map.
    public func batch() -> RoutedBatch { RoutedBatch(map: map, hashesKeys: isCluster) }

    /// Sends one command to one node (INFO, SCAN, DBSIZE…), without redirects.
    public func send(_ arguments: [RedisArgument], to node: RedisAddress) throws -> RESPValue {
        do {
            return try directConnection(to: node).send(arguments)
        } catch {
            dropConnection(to: node)
            throw error
        }
    }

    /// Sends a batch of commands to one node, without redirects.
    public func pipeline(_ commands: [[RedisArgument]], to node: RedisAddress) throws -> [RESPValue] {
        do {
            return try directConnection(to: node).pipeline(commands)
        } catch {
            dropConnection(to: node)
            throw error
        }
    }

    /// Runs `body` on the one primary of a server or a Sentinel setup; for Sentinel, a lost
    /// connection or a READONLY reply (the primary was demoted) asks the sentinels again and
    /// runs `body` once more on the new primary.
    private func onPrimary<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        guard let primary = map.primaries.first else { throw CacheError(.unreachable, "No primary is known") }
        guard case .sentinel = discovery else { return try body(directConnection(to: primary)) }
        do {
            let result = try body(directConnection(to: primary))
            if let replies = result as? [RESPValue], replies.contains(where: { $0.errorMessage?.hasPrefix("READONLY") == true }) {
                throw CacheError(.unreachable, "\(primary) is no longer the primary")
            }
            if let reply = result as? RESPValue, reply.errorMessage?.hasPrefix("READONLY") == true {
                throw CacheError(.unreachable, "\(primary) is no longer the primary")
            }
            return result
        } catch let error as CacheError where error.kind == .unreachable {
            dropConnection(to: primary)
            retries += 1
            try refresh()
            return try body(directConnection(to: map.primaries[0]))
        }
    }

    /// Waits (`WAIT replicas milliseconds`) on every connection open to each of `nodes` — the
    /// writes of a connection are what its `WAIT` covers, and resends may have gone over a
    /// connection of their own — all at once; returns per node the fewest replicas any of its
    /// connections reported. A node without a connection made no writes: it is not asked.
    public func waitForReplicas(_ replicas: Int, milliseconds: Int64, on nodes: [RedisAddress]) throws -> [RedisAddress: Int] {
        var buffer = RedisCommandBuffer(capacity: 48)
        buffer.append(["WAIT", RedisArgument(replicas), RedisArgument(milliseconds)])
        var asked: [(node: RedisAddress, connection: RedisConnection)] = []
        for node in nodes {
            for connection in [connections[node], retryConnections[node], sideConnections[node]].compactMap({ $0 }) {
                do {
                    try connection.send(buffer)
                } catch {
                    dropConnection(to: node)
                    throw error
                }
                asked.append((node, connection))
            }
        }
        var result: [RedisAddress: Int] = [:]
        for (node, connection) in asked {
            let reply: RESPValue
            do {
                reply = try connection.receive(count: 1)[0]
            } catch {
                dropConnection(to: node)
                throw error
            }
            let acknowledged = Int(try reply.checked(context: "Cannot wait for the replicas of \(node)").integer ?? 0)
            result[node] = min(result[node] ?? acknowledged, acknowledged)
        }
        return result
    }

    /// The primary serving each store key now (the one server for a plain server or Sentinel).
    public func primary(ofKey key: String) -> RedisAddress? {
        guard isCluster else { return map.primaries.first }
        return map.primary(for: HashSlot(key: key))
    }

    /// The slot of a command's key: the first argument after the name (after the key count for
    /// EVAL and EVALSHA); nil for commands without a key.
    static func slot(of command: [RedisArgument]) -> HashSlot? {
        guard let name = command.first?.bytes, command.count > 1 else { return nil }
        switch String(decoding: name, as: UTF8.self).uppercased() {
        case "EVAL", "EVALSHA", "FCALL":
            guard command.count > 3, let keys = Int(String(decoding: command[2].bytes, as: UTF8.self)), keys > 0 else { return nil }
            return HashSlot(key: command[3].bytes)
        case "INFO", "DBSIZE", "SCAN", "PING", "ROLE", "CONFIG", "FLUSHDB", "FLUSHALL", "SCRIPT", "CLUSTER", "SELECT", "AUTH",
             "WAIT", "ASKING", "CLIENT", "DEBUG", "SENTINEL", "MEMORY":
            return nil
        default:
            return HashSlot(key: command[1].bytes)
        }
    }

    /// Sends a batch and waits for every reply, in the order the commands were added. While
    /// other batches are in flight, it goes over connections of its own.
    public func run(_ batch: RoutedBatch) throws -> [RESPValue] {
        try settle(transmit(batch, pool: outstanding > 0 ? .side : .main))
    }

    /// Sends every node's part of a batch without waiting; read the replies with `receive`.
    public func send(_ batch: RoutedBatch) throws -> RoutedBatchInFlight {
        // Every batch goes over the main connections: each connection answers in the order it
        // was sent to, and batches are received in the order they were sent.
        outstanding += 1
        return transmit(batch, pool: .main)
    }

    /// Reads the replies of a batch sent earlier, resending what was redirected or lost.
    ///
    /// Throws `.unreachable` when a node stays lost past the timeout; a command still redirected
    /// at the deadline keeps its error reply (TRYAGAIN, CLUSTERDOWN) for the caller to report.
    public func receive(_ flight: RoutedBatchInFlight) throws -> [RESPValue] {
        outstanding -= 1
        return try settle(flight)
    }

    /// Reads a flight's replies and resends what was redirected or lost.
    private func settle(_ flight: RoutedBatchInFlight) throws -> [RESPValue] {
        var results = [RESPValue](repeating: .null, count: flight.batch.count)
        var pending = collect(flight, into: &results, positions: nil)
        guard !pending.isEmpty else { return results }
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var delay = 0.02
        while !pending.isEmpty {
            let reasons = Set(pending.map(\.reason))
            if case .server = discovery, reasons.contains(.lost) { break }
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
            throw lost.error ?? CacheError(.unreachable, "Lost the connection to \(lost.node)")
        }
        return results
    }

    // MARK: - Transmission

    private enum Pool { case main, retry, side }

    private func transmit(_ batch: RoutedBatch, pool: Pool) -> RoutedBatchInFlight {
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
                        connection = try RedisConnection.open(part.node, credentials: credentials, database: database, timeout: timeout, tls: tls)
                        retryConnections[part.node] = connection
                    }
                case .side:
                    if let existing = sideConnections[part.node] {
                        connection = existing
                    } else {
                        connection = try RedisConnection.open(part.node, credentials: credentials, database: database, timeout: timeout, tls: tls)
                        sideConnections[part.node] = connection
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
        return RoutedBatchInFlight(batch: batch, sentOn: sentOn, errors: errors)
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
    private func collect(_ flight: RoutedBatchInFlight, into results: inout [RESPValue], positions: [Int]?) -> [Pending] {
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
                if connections[part.node] === connection || retryConnections[part.node] === connection || sideConnections[part.node] === connection {
                    dropConnection(to: part.node)
                }
                for local in part.positions.indices { resend(local, .lost, error: error as? CacheError) }
                continue
            }
            let host = part.node.host ?? "127.0.0.1"
            for (local, reply) in replies.enumerated() {
                let position = part.positions[local]
                if batch.discarded.contains(position) { continue }
                // A reply that asks for a resend stays in place: it is the answer if the resend never succeeds.
                results[positions?[position] ?? position] = reply
                guard let message = reply.errorMessage else { continue }
                if var redirect = ClusterRedirect(error: message, replyingHost: host) {
                    if speaksTLS { redirect = redirect.overTLS }
                    switch redirect {
                    case .moved: resend(local, .moved)
                    case .ask(_, let address):
                        // An ASK answered by ASK again is a slot moving on: follow the map instead.
                        resend(local, part.node == address ? .moved : .ask, ask: part.node == address ? nil : address)
                    case .tryAgain, .clusterDown: resend(local, .busy)
                    }
                } else if message.hasPrefix("LOADING") {
                    resend(local, .busy)
                } else if message.hasPrefix("READONLY"), case .sentinel = discovery {
                    // The primary was demoted by a failover: ask the sentinels again.
                    resend(local, .moved)
                }
            }
        }
        return pending
    }

    // MARK: - Discovery

    private static func discover(from candidates: [RedisAddress], credentials: RedisCredentials, timeout: Double,
                                 tls: TLSOptions) throws -> SlotMap {
        var lastError: CacheError?
        var partial: SlotMap?
        for address in candidates {
            do {
                let connection = try RedisConnection.open(address, credentials: credentials, database: 0, timeout: timeout, tls: tls)
                let host = address.host ?? "127.0.0.1"
                var reply = try connection.send(["CLUSTER", "SHARDS"])
                var map: SlotMap
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
                if case .tls = address { map = map.overTLS() }
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

/// A routed batch sent, whose replies are not read yet.
public struct RoutedBatchInFlight {
    let batch: RoutedBatch
    let sentOn: [RedisConnection?]
    let errors: [CacheError?]
}

extension RedisConnection {
    /// Connects to `address` and authenticates with `credentials` (AUTH, also for an ACL user), within `timeout`.
    static func open(_ address: RedisAddress, credentials: RedisCredentials, database: Int = 0, timeout: Double,
                     tls: TLSOptions = TLSOptions()) throws -> RedisConnection {
        let connection = try RedisConnection(address: address, timeout: timeout, tls: tls)
        var auth: [RedisArgument]?
        if let password = credentials.password {
            auth = credentials.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)]
        } else if let username = credentials.username {
            // A user without a password: Redis still needs AUTH to switch user; an empty password fails clearly.
            auth = ["AUTH", RedisArgument(username), ""]
        }
        var setup: [[RedisArgument]] = []
        if let auth { setup.append(auth) }
        if database != 0 { setup.append(["SELECT", RedisArgument(database)]) }
        if !setup.isEmpty {
            for reply in try connection.pipeline(setup) { try reply.checked(context: "Cannot open \(address)") }
        }
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

/// The slot map and the slots in migration at one moment (see `RedisTopology.slotMovement()`).
public struct SlotMovement: Equatable, Sendable {
    /// The slot map.
    public var map: SlotMap
    /// Slots being migrated, as CLUSTER NODES shows them (`[5461->-id]`, `[5461-<-id]`).
    public var openSlots: [String]
    /// Whether keys may be moving between primaries.
    public var isMoving: Bool { !openSlots.isEmpty }
}

extension RedisAddress {
    /// The host of a TCP or TLS address.
    var host: String? {
        switch self {
        case .tcp(let host, _), .tls(let host, _): return host
        case .unix: return nil
        }
    }
}

extension ClusterRedirect {
    /// The same redirect to a node speaking TLS.
    var overTLS: ClusterRedirect {
        switch self {
        case .moved(let slot, let address): return .moved(slot: slot, address: address.overTLS)
        case .ask(let slot, let address): return .ask(slot: slot, address: address.overTLS)
        default: return self
        }
    }
}
