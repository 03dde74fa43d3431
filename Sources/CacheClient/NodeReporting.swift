/// A backend made of Redis servers that can describe each one (`stats --per-node`).
public protocol NodeReporting: CacheBackend {
    /// Every node with its role, keys (DBSIZE) and server figures (INFO): on a cluster every
    /// primary and replica, on one server or Sentinel the primary. A replica that does not
    /// answer is listed with the role `unreachable`; an unreachable primary throws `.unreachable`
    /// naming it.
    func nodeStatistics() throws -> [NodeStatus]
}

extension RedisTopology {
    /// One node's figures: INFO, ROLE and DBSIZE in one pipeline over a connection of its own
    /// (a replica answers its own DBSIZE; routed commands would be redirected to a primary).
    func nodeStatus(of node: RedisAddress, slots: [ClosedRange<Int>]) throws -> NodeStatus {
        let start = ContinuousClock.now
        let replies = try pipeline([["INFO"], ["ROLE"], ["DBSIZE"]], to: node)
        let latency = (ContinuousClock.now - start).seconds
        let info = ServerStatistics(info: try replies[0].checked(context: "Cannot read INFO of \(node)").string ?? "")
        return NodeStatus(address: node.description, role: replies[1].array?.first?.string ?? info.role ?? "unknown",
                          latency: latency, version: info.version, slots: slots.map { [$0.lowerBound, $0.upperBound] },
                          statistics: info, keys: try replies[2].checked(context: "Cannot read DBSIZE of \(node)").integer)
    }
}

extension RedisTopologyBackend: NodeReporting {
    public func nodeStatistics() throws -> [NodeStatus] {
        var nodes: [NodeStatus] = []
        for shard in redis.map.shards {
            do {
                nodes.append(try redis.nodeStatus(of: shard.primary.address, slots: redis.isCluster ? shard.slots : []))
            } catch let error as CacheError where error.kind == .unreachable {
                throw CacheError(.unreachable, "The primary \(shard.primary.address) of \(endpointDescription) is unreachable: \(error.message)",
                                 hint: "check the node, or wait for its replica to be promoted (cluster-node-timeout)")
            }
            for replica in shard.replicas {
                nodes.append((try? redis.nodeStatus(of: replica.address, slots: []))
                             ?? NodeStatus(address: replica.address.description, role: "unreachable", latency: nil, version: nil, slots: []))
            }
        }
        return nodes
    }
}

extension RedisBackend: NodeReporting {
    /// The one server as one row.
    public func nodeStatistics() throws -> [NodeStatus] {
        let start = ContinuousClock.now
        let replies = try connection.pipeline([["INFO"], ["ROLE"], ["DBSIZE"]])
        let latency = (ContinuousClock.now - start).seconds
        let info = ServerStatistics(info: try check(replies[0], context: "Cannot read INFO").string ?? "")
        return [NodeStatus(address: address.description, role: replies[1].array?.first?.string ?? info.role ?? "unknown", latency: latency,
                           version: info.version, slots: [], statistics: info, keys: try check(replies[2], context: "Cannot read DBSIZE").integer)]
    }
}
