/// `keys` and `usage` on a cluster or a Sentinel setup: the single server's scan (see
/// `RedisKeyWalking`) on every primary in turn — never a replica, which holds the same keys
/// again — so the figures add up over the primaries; through Sentinel, the one primary it names.
/// Sampling draws from each primary in proportion to its DBSIZE.
///
/// During a live reshard a key that moves between primaries while the scan runs may be missed or
/// counted twice (a key found gone from its node, MOVED or ASK, is left out); `flush` repeats
/// its passes for that, an estimate of usage does not.
extension RedisTopologyBackend: RedisKeyWalking {
    func keyScanNodes() throws -> [KeyScanNode] {
        try redis.primaries.map { KeyScanNode(name: $0.description, connection: try redis.connection(to: $0)) }
    }

    func tagSetReader() -> RedisEntrySource { RedisEntrySource(self) }
}
