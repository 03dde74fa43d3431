/// Lua scripts that keep a write and its tag memberships atomic on the server.
///
/// A tag set must live at least as long as its longest-living member: a set that is new gets
/// the member's lifetime, an existing set with a shorter lifetime is extended, and a member
/// without expiry makes the set persistent. `EXPIRE … GT` alone cannot do this, because GT
/// treats the fresh set (no expiry yet) as infinite and never sets one.
enum RedisScripts {
    /// KEYS[1] = tag set; ARGV[1] = member lifetime in ms (-1 = none); ARGV[2…] = members.
    static let addToTag = """
        local existed = redis.call('EXISTS', KEYS[1])
        local current = redis.call('PTTL', KEYS[1])
        for i = 2, #ARGV, 1000 do
          redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
        end
        local ttl = tonumber(ARGV[1])
        if ttl < 0 then
          if current >= 0 then redis.call('PERSIST', KEYS[1]) end
        elseif existed == 0 or (current >= 0 and current < ttl) then
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        return 1
        """

    /// KEYS[1] = entry key, KEYS[2] = counters hash, KEYS[3…] = tag sets;
    /// ARGV[1] = value, ARGV[2] = lifetime in ms (-1 = none), ARGV[3] = "NX" or "",
    /// ARGV[4] = "STRING" to leave a key of another type alone (optional).
    /// Returns 1 when written, 0 when NX found the key, or the other type's name.
    static let setEntry = """
        if ARGV[4] == 'STRING' then
          local kind = redis.call('TYPE', KEYS[1])['ok']
          if kind ~= 'none' and kind ~= 'string' then return kind end
        end
        local ttl = tonumber(ARGV[2])
        local ok
        if ttl >= 0 and ARGV[3] == 'NX' then ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl, 'NX')
        elseif ttl >= 0 then ok = redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
        elseif ARGV[3] == 'NX' then ok = redis.call('SET', KEYS[1], ARGV[1], 'NX')
        else ok = redis.call('SET', KEYS[1], ARGV[1]) end
        if not ok then return 0 end
        for i = 3, #KEYS do
          local existed = redis.call('EXISTS', KEYS[i])
          local current = redis.call('PTTL', KEYS[i])
          redis.call('SADD', KEYS[i], KEYS[1])
          if ttl < 0 then
            if current >= 0 then redis.call('PERSIST', KEYS[i]) end
          elseif existed == 0 or (current >= 0 and current < ttl) then
            redis.call('PEXPIRE', KEYS[i], ttl)
          end
        end
        redis.call('HINCRBY', KEYS[2], 'sets', 1)
        return 1
        """

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
