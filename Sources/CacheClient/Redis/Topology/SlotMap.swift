/// One node of a Redis Cluster as the slot map names it.
public struct ClusterNode: Hashable, Sendable {
    /// Where it listens.
    public var address: RedisAddress
    /// The node's 40-character id ("" when the reply gave none).
    public var id: String
    /// Whether it serves its slots (a primary) or copies them (a replica).
    public var isPrimary: Bool
    /// False when the cluster marks it as failing or still loading.
    public var isHealthy: Bool

    /// Creates a node.
    public init(address: RedisAddress, id: String = "", isPrimary: Bool, isHealthy: Bool = true) {
        self.address = address
        self.id = id
        self.isPrimary = isPrimary
        self.isHealthy = isHealthy
    }
}

/// A primary, its replicas and the slot ranges the primary serves.
public struct ClusterShard: Sendable, Equatable {
    /// The node that serves the slots.
    public var primary: ClusterNode
    /// Its replicas.
    public var replicas: [ClusterNode]
    /// Slot ranges, inclusive at both ends, sorted.
    public var slots: [ClosedRange<Int>]

    /// Creates a shard.
    public init(primary: ClusterNode, replicas: [ClusterNode] = [], slots: [ClosedRange<Int>]) {
        self.primary = primary
        self.replicas = replicas
        self.slots = slots.sorted { $0.lowerBound < $1.lowerBound }
    }
}

/// Which primary serves each of the 16384 slots, as read from CLUSTER SHARDS (Redis 7) or
/// CLUSTER SLOTS (older servers). A value: a MOVED reply makes the router read a new one.
public struct SlotMap: Sendable, Equatable {
    /// The shards that serve at least one slot, ordered by their first slot.
    public private(set) var shards: [ClusterShard]
    /// Slot → index into `shards`; `unassigned` where no shard serves the slot.
    private var owners: [UInt16]
    private static let unassigned = UInt16.max

    /// A map from shards; throws `.failed` when two shards claim one slot.
    public init(shards: [ClusterShard]) throws {
        let serving = shards.filter { !$0.slots.isEmpty }.sorted { $0.slots[0].lowerBound < $1.slots[0].lowerBound }
        var owners = [UInt16](repeating: Self.unassigned, count: HashSlot.count)
        for (index, shard) in serving.enumerated() {
            for range in shard.slots {
                guard range.lowerBound >= 0, range.upperBound < HashSlot.count else {
                    throw CacheError(.failed, "Cannot read the cluster's slot map: slot range \(range) is out of 0…16383")
                }
                for slot in range {
                    if owners[slot] != Self.unassigned {
                        throw CacheError(.failed, "Cannot read the cluster's slot map: slot \(slot) is claimed by two primaries")
                    }
                    owners[slot] = UInt16(index)
                }
            }
        }
        self.shards = serving
        self.owners = owners
    }

    /// One server holding every slot: the map of a server that is not a cluster.
    public static func single(_ address: RedisAddress) -> SlotMap {
        // Cannot fail: one shard, one range within bounds.
        try! SlotMap(shards: [ClusterShard(primary: ClusterNode(address: address, isPrimary: true), slots: [0...(HashSlot.count - 1)])])
    }

    /// The index into `shards` of the shard serving `slot`, or nil when no primary serves it.
    public func shardIndex(for slot: HashSlot) -> Int? {
        let owner = owners[slot.value]
        return owner == Self.unassigned ? nil : Int(owner)
    }

    /// The primary serving `slot`, or nil when no primary serves it.
    public func primary(for slot: HashSlot) -> RedisAddress? {
        shardIndex(for: slot).map { shards[$0].primary.address }
    }

    /// Every primary that serves slots, in slot order.
    public var primaries: [RedisAddress] { shards.map(\.primary.address) }

    /// How many slots no primary serves (0 in a healthy cluster).
    public var unassignedSlots: Int { owners.lazy.filter { $0 == Self.unassigned }.count }

    /// The same map with every TCP address speaking TLS (a `rediss+cluster://` cluster reports plain host:port pairs).
    func overTLS() -> SlotMap {
        var copy = self
        for index in copy.shards.indices {
            copy.shards[index].primary.address = copy.shards[index].primary.address.overTLS
            for replica in copy.shards[index].replicas.indices {
                copy.shards[index].replicas[replica].address = copy.shards[index].replicas[replica].address.overTLS
            }
        }
        return copy
    }

    /// Reads the reply to CLUSTER SHARDS; `replyingHost` stands in for nodes that report no address.
    public init(clusterShards reply: RESPValue, replyingHost: String) throws {
        guard let items = reply.array else { throw Self.unexpected("CLUSTER SHARDS") }
        var shards: [ClusterShard] = []
        for item in items {
            let fields = Self.fields(item)
            var ranges: [ClosedRange<Int>] = []
            let bounds = (fields["slots"]?.array ?? []).compactMap { $0.integer.map(Int.init) }
            var index = 0
            while index + 1 < bounds.count {
                guard bounds[index] <= bounds[index + 1] else { throw Self.unexpected("CLUSTER SHARDS") }
                ranges.append(bounds[index]...bounds[index + 1])
                index += 2
            }
            var primary: ClusterNode?
            var replicas: [ClusterNode] = []
            for nodeReply in fields["nodes"]?.array ?? [] {
                let node = Self.fields(nodeReply)
                guard let port = (node["port"]?.integer).map(Int.init) ?? (node["tls-port"]?.integer).map(Int.init) else { continue }
                var host = node["endpoint"]?.string ?? ""
                if host.isEmpty || host == "?" { host = node["ip"]?.string ?? "" }
                if host.isEmpty || host == "?" { host = replyingHost }
                let health = node["health"]?.string ?? "online"
                let member = ClusterNode(address: .tcp(host: host, port: port), id: node["id"]?.string ?? "",
                                         isPrimary: node["role"]?.string == "master", isHealthy: health == "online")
                if member.isPrimary && primary == nil { primary = member } else { replicas.append(member) }
            }
            guard let primary else { continue }
            shards.append(ClusterShard(primary: primary, replicas: replicas, slots: ranges))
        }
        try self.init(shards: shards)
    }

    /// Reads the reply to CLUSTER SLOTS: `[start, end, [host, port, id], replicas…]` per range.
    public init(clusterSlots reply: RESPValue, replyingHost: String) throws {
        guard let items = reply.array else { throw Self.unexpected("CLUSTER SLOTS") }
        var byPrimary: [RedisAddress: ClusterShard] = [:]
        var order: [RedisAddress] = []
        for item in items {
            guard let parts = item.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer, start <= end else {
                throw Self.unexpected("CLUSTER SLOTS")
            }
            let nodes = parts[2...].compactMap { part -> ClusterNode? in
                guard let fields = part.array, fields.count >= 2, let port = fields[1].integer else { return nil }
                var host = fields[0].string ?? ""
                if host.isEmpty || host == "?" { host = replyingHost }
                return ClusterNode(address: .tcp(host: host, port: Int(port)), id: fields.count > 2 ? fields[2].string ?? "" : "", isPrimary: false)
            }
            guard var primary = nodes.first else { throw Self.unexpected("CLUSTER SLOTS") }
            primary.isPrimary = true
            if byPrimary[primary.address] == nil {
                byPrimary[primary.address] = ClusterShard(primary: primary, replicas: Array(nodes.dropFirst()), slots: [])
                order.append(primary.address)
            }
            byPrimary[primary.address]!.slots.append(Int(start)...Int(end))
        }
        try self.init(shards: order.map { address in
            let shard = byPrimary[address]!
            return ClusterShard(primary: shard.primary, replicas: shard.replicas, slots: shard.slots)
        })
    }

    /// A RESP2 map (a flat array of name, value, name, value…) as a dictionary.
    private static func fields(_ reply: RESPValue) -> [String: RESPValue] {
        guard let items = reply.array else { return [:] }
        var fields: [String: RESPValue] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string { fields[name] = items[index + 1] }
            index += 2
        }
        return fields
    }

    private static func unexpected(_ command: String) -> CacheError {
        CacheError(.failed, "Cannot read the cluster's slot map: unexpected reply to \(command)")
    }
}

extension RedisAddress: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .tcp(let host, let port):
            hasher.combine(0)
            hasher.combine(host)
            hasher.combine(port)
        case .unix(let path):
            hasher.combine(1)
            hasher.combine(path)
        case .tls(let host, let port):
            hasher.combine(2)
            hasher.combine(host)
            hasher.combine(port)
        }
    }
}
