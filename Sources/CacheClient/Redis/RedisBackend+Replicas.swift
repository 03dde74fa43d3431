extension RedisBackend: ReplicaAcknowledging {
    /// `WAIT` on the connection every write of this backend went over: one server holds every
    /// key, so either all items are acknowledged or none.
    public func acknowledgement(of items: [[String]], wait: ReplicaWait) throws -> ReplicaAcknowledgement {
        guard outstanding.isEmpty else {
            throw CacheError(.failed, "Cannot wait for replicas while batch replies are still outstanding")
        }
        let reply = try check(connection.send(["WAIT", RedisArgument(wait.replicas), RedisArgument(wait.milliseconds)]),
                              context: "Cannot wait for the replicas of \(endpointDescription)")
        let acknowledged = Int(reply.integer ?? 0)
        return ReplicaAcknowledgement(unacknowledged: acknowledged < wait.replicas ? items.count : 0, fewestReplicas: acknowledged)
    }
}
