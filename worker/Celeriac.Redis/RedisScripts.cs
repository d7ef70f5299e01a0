namespace Celeriac.Redis;

/// <summary>
/// The broker's Lua scripts. Every state change of a queue happens inside one script, so it is atomic
/// with respect to every other worker: a delayed message is moved to the stream exactly once, and a
/// receipt (stream id + delivery number) is checked against the pending entries list before anything
/// is acknowledged, extended, released or dead-lettered. Time is the server's (TIME), so the clocks of
/// the workers never disagree about leases or due times.
/// Keys of one queue: stream, delayed (zset member "seq:deliveries" scored by due ms), bodies (hash of the
/// delayed members), leases (zset stream id scored by lease deadline ms), seq (counter).
/// Stream entries carry fields b (body) and d (deliveries before this entry, when not 0).
/// </summary>
internal static class RedisScripts
{
    private const string Common = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function ensure(s, group)
          if redis.call('EXISTS', s) == 0 then redis.call('XGROUP', 'CREATE', s, group, '0', 'MKSTREAM') end
        end
        local function fields(f)
          local body, d = nil, 0
          for j = 1, #f, 2 do
            if f[j] == 'b' then body = f[j + 1] elseif f[j] == 'd' then d = tonumber(f[j + 1]) end
          end
          return body, d
        end
        local function times(s, group, id)
          if redis.call('EXISTS', s) == 0 then return -1 end
          local p = redis.call('XPENDING', s, group, id, id, 1)
          if #p == 0 then return -1 end
          return tonumber(p[1][4])
        end
        local function promote(s, d, b, group)
          local due = redis.call('ZRANGEBYSCORE', d, '-inf', now, 'LIMIT', 0, 1000)
          if #due == 0 then return 0 end
          ensure(s, group)
          for _, m in ipairs(due) do
            local body = redis.call('HGET', b, m)
            if body then
              local sep = string.find(m, ':', 1, true)
              redis.call('XADD', s, '*', 'b', body, 'd', string.sub(m, sep + 1))
              redis.call('HDEL', b, m)
            end
            redis.call('ZREM', d, m)
          end
          return #due
        end

        """;

    /// <summary>KEYS: stream, delayed, bodies, seq, queues. ARGV: group, queue, channel, then (due ms or 0, body) pairs.</summary>
    public const string Send = Common + """
        local s, d, b, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local group = ARGV[1]
        redis.call('SADD', KEYS[5], ARGV[2])
        local ready = 0
        for i = 4, #ARGV, 2 do
          local due = tonumber(ARGV[i])
          if due > now then
            local m = redis.call('INCR', seq) .. ':0'
            redis.call('HSET', b, m, ARGV[i + 1])
            redis.call('ZADD', d, due, m)
          else
            if ready == 0 then ensure(s, group) end
            redis.call('XADD', s, '*', 'b', ARGV[i + 1])
            ready = ready + 1
          end
        end
        if ready > 0 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
        return ready
        """;

    /// <summary>
    /// KEYS: (stream, delayed, bodies, leases) per queue, in priority order. ARGV: group, consumer, max, lease ms, mode,
    /// then in mode "adopt" one stream id per queue. Returns { next due ms or -1, now, then (queue index, id, body,
    /// delivery number, deliveries) per message }.
    /// Mode "wait" (the caller blocks in XREADGROUP next when nothing is ready) creates the streams that do not exist yet,
    /// so that the read has a group to wait on. Mode "adopt" runs behind such a read: entries of this consumer's pending
    /// list after the given id (everything it had seen before) that hold no lease were claimed by the read and are
    /// leased now; those beyond max go back at once with their delivery count reset, for the next receive to take.
    /// </summary>
    public const string Receive = Common + """
        local group, consumer = ARGV[1], ARGV[2]
        local max, lease, mode = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local out = { -1, now }
        local n = 0
        for i = 1, #KEYS, 4 do
          local s, d, b, l = KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3]
          local q = (i - 1) / 4
          if mode == 'adopt' and redis.call('EXISTS', s) == 1 then
            local after = ARGV[6 + q]
            local ok, pending = pcall(redis.call, 'XPENDING', s, group, after, '+', 100, consumer)
            if ok then
              for _, p in ipairs(pending) do
                local id = p[1]
                if id ~= after and not redis.call('ZSCORE', l, id) then
                  local e = redis.call('XRANGE', s, id, id)
                  if #e == 0 then
                    redis.call('XACK', s, group, id)
                  elseif n < max then
                    local body, before = fields(e[1][2])
                    local k = tonumber(p[4])
                    redis.call('ZADD', l, now + lease, id)
                    table.insert(out, q); table.insert(out, id); table.insert(out, body); table.insert(out, k); table.insert(out, before + k)
                    n = n + 1
                  else
                    redis.call('XCLAIM', s, group, consumer, 0, id, 'RETRYCOUNT', 0, 'JUSTID')
                    redis.call('ZADD', l, now, id)
                  end
                end
              end
            end
          end
          promote(s, d, b, group)
          if n < max then
            local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'LIMIT', 0, max - n)
            for _, id in ipairs(expired) do
              local claimed = redis.call('XCLAIM', s, group, consumer, 0, id)
              if #claimed > 0 and claimed[1] then
                local body, before = fields(claimed[1][2])
                local k = times(s, group, id)
                redis.call('ZADD', l, now + lease, id)
                table.insert(out, q); table.insert(out, id); table.insert(out, body); table.insert(out, k); table.insert(out, before + k)
                n = n + 1
              else
                redis.call('ZREM', l, id)
              end
            end
          end
          if n < max and redis.call('EXISTS', s) == 1 then
            local ok, res = pcall(redis.call, 'XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - n, 'STREAMS', s, '>')
            if not ok then
              redis.call('XGROUP', 'CREATE', s, group, '0')
              res = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - n, 'STREAMS', s, '>')
            end
            if res then
              for _, e in ipairs(res[1][2]) do
                local body, before = fields(e[2])
                redis.call('ZADD', l, now + lease, e[1])
                table.insert(out, q); table.insert(out, e[1]); table.insert(out, body); table.insert(out, 1); table.insert(out, before + 1)
                n = n + 1
              end
            end
          end
        end
        if n == 0 then
          local next = -1
          for i = 1, #KEYS, 4 do
            if mode ~= '' then ensure(KEYS[i], group) end
            for _, key in ipairs({ KEYS[i + 1], KEYS[i + 3] }) do
              local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
              if #first > 0 then
                local score = tonumber(first[2])
                if next < 0 or score < next then next = score end
              end
            end
          end
          out[1] = next
        end
        return out
        """;

    /// <summary>KEYS: stream, leases. ARGV: group, then (id, delivery number) pairs. Acks only receipts that still hold their delivery.</summary>
    public const string Ack = Common + """
        local s, l, group = KEYS[1], KEYS[2], ARGV[1]
        local n = 0
        for i = 2, #ARGV, 2 do
          if times(s, group, ARGV[i]) == tonumber(ARGV[i + 1]) then
            redis.call('XACK', s, group, ARGV[i])
            redis.call('XDEL', s, ARGV[i])
            redis.call('ZREM', l, ARGV[i])
            n = n + 1
          end
        end
        return n
        """;

    /// <summary>
    /// KEYS: stream, leases. ARGV: group, consumer, lease ms, then (id, delivery number) pairs. XCLAIM JUSTID
    /// (which does not count a delivery) resets the entry's idle time, so XPENDING shows operators a live task as live.
    /// </summary>
    public const string Extend = Common + """
        local s, l, group, consumer = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
        local deadline = now + tonumber(ARGV[3])
        local n = 0
        for i = 4, #ARGV, 2 do
          if times(s, group, ARGV[i]) == tonumber(ARGV[i + 1]) then
            redis.call('XCLAIM', s, group, consumer, 0, ARGV[i], 'JUSTID')
            redis.call('ZADD', l, 'XX', deadline, ARGV[i])
            n = n + 1
          end
        end
        return n
        """;

    /// <summary>KEYS: stream, delayed, bodies, leases, seq. ARGV: group, id, delivery number, delay ms, channel, queue.</summary>
    public const string Release = Common + """
        local s, d, b, l, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
        local group, id, k, delay = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        if times(s, group, id) ~= k then return 0 end
        local e = redis.call('XRANGE', s, id, id)
        redis.call('XACK', s, group, id)
        redis.call('XDEL', s, id)
        redis.call('ZREM', l, id)
        if #e == 0 then return 0 end
        local body, before = fields(e[1][2])
        local deliveries = before + k
        if delay <= 0 then
          redis.call('XADD', s, '*', 'b', body, 'd', deliveries)
          redis.call('PUBLISH', ARGV[5], ARGV[6])
        else
          local m = redis.call('INCR', seq) .. ':' .. deliveries
          redis.call('HSET', b, m, body)
          redis.call('ZADD', d, now + delay, m)
        end
        return 1
        """;

    /// <summary>KEYS: stream, leases, dead. ARGV: group, id, delivery number, reason, queue.</summary>
    public const string DeadLetter = Common + """
        local s, l, dead = KEYS[1], KEYS[2], KEYS[3]
        local group, id = ARGV[1], ARGV[2]
        if times(s, group, id) ~= tonumber(ARGV[3]) then return 0 end
        local e = redis.call('XRANGE', s, id, id)
        redis.call('XACK', s, group, id)
        redis.call('XDEL', s, id)
        redis.call('ZREM', l, id)
        if #e == 0 then return 0 end
        local body = fields(e[1][2])
        redis.call('XADD', dead, '*', 'q', ARGV[5], 'b', body, 'r', ARGV[4], 't', now)
        return 1
        """;

    /// <summary>KEYS: stream, delayed, leases. ARGV: group. Returns { ready, in flight, delayed }.</summary>
    public const string Depth = Common + """
        local s, d, l, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
        local length, pending = 0, 0
        if redis.call('EXISTS', s) == 1 then
          length = redis.call('XLEN', s)
          local ok, p = pcall(redis.call, 'XPENDING', s, group)
          if ok then pending = tonumber(p[1]) end
        end
        local expired = redis.call('ZCOUNT', l, '-inf', now)
        local due = redis.call('ZCOUNT', d, '-inf', now)
        local delayed = redis.call('ZCARD', d)
        return { length - pending + expired + due, pending - expired, delayed - due }
        """;

    /// <summary>
    /// KEYS: stream, delayed, leases. ARGV: group. Milliseconds since the oldest ready message became receivable, or -1:
    /// the first stream entry after the group's last delivered id (its id is the server time it was added: sent or
    /// promoted when due), the oldest expired lease (its deadline) and the oldest due delayed member (its due time).
    /// </summary>
    public const string OldestReady = Common + """
        local s, d, l, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
        local oldest = -1
        local function older(ms) if oldest < 0 or ms < oldest then oldest = ms end end
        if redis.call('EXISTS', s) == 1 then
          local start = '-'
          local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', s)
          if ok then
            for _, g in ipairs(groups) do
              local name, last = nil, nil
              for j = 1, #g, 2 do
                if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then last = g[j + 1] end
              end
              if name == group and last then start = '(' .. last end
            end
          end
          local first = redis.call('XRANGE', s, start, '+', 'COUNT', 1)
          if #first > 0 then older(tonumber(string.match(first[1][1], '^(%d+)'))) end
        end
        local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
        if #expired > 0 then older(tonumber(expired[2])) end
        local due = redis.call('ZRANGEBYSCORE', d, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
        if #due > 0 then older(tonumber(due[2])) end
        if oldest < 0 then return -1 end
        return math.max(0, now - oldest)
        """;

    /// <summary>
    /// KEYS: stream. ARGV: group, idle ms, consumer to remove regardless of idleness (or ""). Removes consumers that
    /// hold no pending entry and were idle that long (workers that died; their entries were claimed by others) and
    /// returns how many. A consumer with pending entries is never removed: that would drop its entries.
    /// </summary>
    public const string Sweep = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
        if not ok then return 0 end
        local removed = 0
        for _, c in ipairs(consumers) do
          local name, pending, idle = nil, 0, 0
          for j = 1, #c, 2 do
            if c[j] == 'name' then name = c[j + 1] elseif c[j] == 'pending' then pending = c[j + 1] elseif c[j] == 'idle' then idle = c[j + 1] end
          end
          if pending == 0 and (idle >= tonumber(ARGV[2]) or name == ARGV[3]) then
            redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
            removed = removed + 1
          end
        end
        return removed
        """;

    /// <summary>
    /// KEYS: stream, leases. ARGV: group, idle ms. Pending entries idle that long without a lease were claimed by a blocking
    /// read whose adopting script never ran (the worker died in between); they get an expired lease, so that the next
    /// receive takes them. Returns how many. Needs Redis 6.2 (XPENDING IDLE); on older servers it finds none.
    /// </summary>
    public const string Orphans = Common + """
        local s, l = KEYS[1], KEYS[2]
        if redis.call('EXISTS', s) == 0 then return 0 end
        local ok, pending = pcall(redis.call, 'XPENDING', s, ARGV[1], 'IDLE', tonumber(ARGV[2]), '-', '+', 1000)
        if not ok then return 0 end
        local n = 0
        for _, p in ipairs(pending) do
          if not redis.call('ZSCORE', l, p[1]) then
            redis.call('ZADD', l, now, p[1])
            n = n + 1
          end
        end
        return n
        """;

    /// <summary>KEYS: stream, delayed, bodies, leases, seq, queues. ARGV: queue. Returns how many messages were deleted.</summary>
    public const string Purge = """
        local count = 0
        if redis.call('EXISTS', KEYS[1]) == 1 then count = redis.call('XLEN', KEYS[1]) end
        count = count + redis.call('ZCARD', KEYS[2])
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        redis.call('SREM', KEYS[6], ARGV[1])
        return count
        """;
}
