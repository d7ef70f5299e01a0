namespace Celeriac.Redis;

/// <summary>The store's Lua scripts; like the broker's, they use the server's clock.</summary>
internal static class RedisStoreScripts
{
    /// <summary>
    /// KEYS: next free slot of the limit, the ticket's reservation. ARGV: interval µs, consume-within µs.
    /// Returns the wait in µs. Numbers are formatted with %.0f since Lua's tostring would round them.
    /// </summary>
    public const string Reserve = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local slot = tonumber(redis.call('GET', KEYS[2]) or '-1')
        if slot < 0 then
          local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
          if tat < now then tat = now end
          slot = tat
          local nextSlot = tat + tonumber(ARGV[1])
          redis.call('SET', KEYS[1], string.format('%.0f', nextSlot), 'PX', math.ceil((nextSlot - now) / 1000) + 1000)
        end
        local wait = slot - now
        if wait <= tonumber(ARGV[2]) then
          redis.call('DEL', KEYS[2])
        else
          redis.call('SET', KEYS[2], string.format('%.0f', slot), 'PX', math.ceil(wait / 1000) + 60000)
        end
        return wait
        """;

    /// <summary>KEYS: lock. ARGV: owner, ttl ms. Returns the owner holding the lock afterwards.</summary>
    public const string Acquire = """
        local current = redis.call('GET', KEYS[1])
        if current and current ~= ARGV[1] then return current end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ARGV[1]
        """;

    /// <summary>KEYS: lock. ARGV: owner.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>KEYS: revoked set. ARGV: task id, expiry ms.</summary>
    public const string Revoke = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        return 1
        """;

    /// <summary>KEYS: revoked set. Drops expired revocations, returns the others.</summary>
    public const string Revoked = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        return redis.call('ZRANGE', KEYS[1], 0, -1)
        """;

    /// <summary>
    /// KEYS: the group's member results (a hash by index), its completer. ARGV: index, result JSON, size, expiry ms.
    /// Returns the hash's fields and values when this member completed the group, else nil.
    /// </summary>
    public const string Join = """
        redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        if redis.call('HLEN', KEYS[1]) < tonumber(ARGV[3]) then return false end
        local completer = redis.call('GET', KEYS[2])
        if not completer then
          redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[4])
          completer = ARGV[1]
        end
        if completer ~= ARGV[1] then return false end
        return redis.call('HGETALL', KEYS[1])
        """;

    /// <summary>KEYS: revoked-names set (score: expiry), revoked-names hash (name: revoked at). ARGV: name, expiry ms.</summary>
    public const string RevokeName = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], now)
        return now
        """;

    /// <summary>KEYS: as <see cref="RevokeName"/>. Drops expired name revocations, returns name, revoked-at pairs.</summary>
    public const string RevokedNames = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
        for _, name in ipairs(expired) do redis.call('HDEL', KEYS[2], name) end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local result = {}
        for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
            result[#result + 1] = name
            result[#result + 1] = tonumber(redis.call('HGET', KEYS[2], name))
        end
        return result
        """;
}
