/// Lua scripts for checks that must be atomic with a change on the server. Entry writes use
/// none (see RedisBackend+Batch.swift): they must work where EVAL is renamed away or denied.
enum RedisScripts {
    /// KEYS[1] = tag set, KEYS[2…] = members to look at. Removes the members whose entry is gone,
    /// atomically, so a key written between a client's look and the SREM is never unindexed.
    /// Returns how many were removed.
    static let removeMissingMembers = """
        local removed = 0
        for i = 2, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 0 then
            removed = removed + redis.call('SREM', KEYS[1], KEYS[i])
          end
        end
        return removed
        """
}
