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
        -- The latest time a .NET DateTimeOffset holds (9999-12-31T23:59:59.999Z): nothing Celeriac sends is due later.
        local latest = 253402300799999
        local function ensure(s, group)
          if redis.call('EXISTS', s) == 0 then redis.call('XGROUP', 'CREATE', s, group, '0', 'MKSTREAM') end
        end
        -- A delivery count as Celeriac writes it (decimal digits, fewer than ten); anything else counts as none.
        local function count(text)
          if type(text) == 'string' and #text < 10 and string.find(text, '^%d+$') then return tonumber(text) end
          return 0
        end
        local function quote(text)
          if #text > 60 then return string.sub(text, 1, 60) .. '...' end
          return text
        end
        -- A stream entry's body (field b), the deliveries before it (field d, the first if repeated) and, when the entry
        -- cannot be run, why: no body field, or several (which one to run would be a guess).
        local function fields(f)
          if type(f) ~= 'table' then f = {} end
          local body, bodies, d = nil, 0, nil
          for j = 1, #f - 1, 2 do
            if f[j] == 'b' then
              bodies = bodies + 1
              if bodies == 1 then body = f[j + 1] end
            elseif f[j] == 'd' and d == nil then
              d = f[j + 1]
            end
          end
          if bodies == 1 then return body, count(d), nil end
          if bodies > 1 then
            return body, count(d), 'the stream entry has ' .. bodies .. " body fields 'b'; running either would be a guess"
          end
          local names = {}
          for j = 1, math.min(#f - 1, 9), 2 do table.insert(names, "'" .. quote(f[j]) .. "'") end
          local has = 'no other field'
          if #names > 0 then has = 'fields ' .. table.concat(names, ', ') end
          return nil, count(d), "the stream entry has no body field 'b' (it has " .. has .. ')'
        end
        -- Adds a dead letter, without a body when there is none.
        local function letter(dead, queue, body, reason)
          if body then
            redis.call('XADD', dead, '*', 'q', queue, 'b', body, 'r', reason, 't', now)
          else
            redis.call('XADD', dead, '*', 'q', queue, 'r', reason, 't', now)
          end
        end
        local function times(s, group, id)
          if redis.call('EXISTS', s) == 0 then return -1 end
          local p = redis.call('XPENDING', s, group, id, id, 1)
          if #p == 0 then return -1 end
          return tonumber(p[1][4])
        end
        -- The text of an error caught by pcall: a table with err from redis.call, a string from Lua itself.
        local function why(e)
          if type(e) == 'table' then return tostring(e.err) end
          return tostring(e)
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
    /// KEYS: (stream, delayed, bodies, leases) per queue, in priority order, then the dead-letter stream. ARGV: group,
    /// consumer, max, lease ms, mode, then (queue name, stream id for mode "adopt" or "") per queue. Returns { next due ms
    /// or -1, now, notes, faults, then (queue index, id, body, delivery number, deliveries) per message }.
    /// Mode "wait" (the caller blocks in XREADGROUP next when nothing is ready) creates the streams that do not exist yet,
    /// so that the read has a group to wait on. Mode "adopt" runs behind such a read: entries of this consumer's pending
    /// list after the given id (everything it had seen before) that hold no lease were claimed by the read and are
    /// leased now; those beyond max go back at once with their delivery count reset, for the next receive to take.
    /// Each entry is converted on its own: one that cannot be run (no body field, several) is dead-lettered with the
    /// reason, in this script, and the others of the same read are handed out; a delayed member without a body or due
    /// after the year 9999 is dead-lettered too, and a lease member that names no entry is removed. Each of these adds a
    /// line to notes. A queue whose keys hold the wrong types is skipped (a line in faults), never the others; what was
    /// done for it before the error stays consistent (every write of an entry comes after the reads that can fail).
    /// </summary>
    public const string Receive = Common + """
        local group, consumer = ARGV[1], ARGV[2]
        local max, lease, mode = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local dead = KEYS[#KEYS]
        local kind = redis.call('TYPE', dead)['ok']
        if kind ~= 'stream' and kind ~= 'none' then
          return redis.error_reply('the dead-letter key ' .. dead .. ' holds a ' .. kind .. ', not a stream; nothing was received')
        end
        local notes, faults = {}, {}
        local out = { -1, now, notes, faults }
        local n = 0

        -- Hands one entry out under a lease, or dead-letters it on its own when it cannot be run.
        local function hand(q, queue, s, l, id, f, k)
          local body, before, problem = fields(f)
          if problem then
            letter(dead, queue, body, problem)
            redis.call('XACK', s, group, id)
            redis.call('XDEL', s, id)
            redis.call('ZREM', l, id)
            table.insert(notes, 'dead-lettered stream entry ' .. id .. ' of queue ' .. queue .. ': ' .. problem)
            return
          end
          redis.call('ZADD', l, now + lease, id)
          table.insert(out, q); table.insert(out, id); table.insert(out, body); table.insert(out, k)
          table.insert(out, math.min(before + k, 2147483647))
          n = n + 1
        end

        -- Whatever else goes wrong with one entry stays with it: it is dead-lettered with the error or, if even that
        -- fails, gets an expired lease for a later receive. Nothing claimed is left without a lease or a dead letter.
        local function failed(queue, s, l, id, e)
          local reason = 'the stream entry could not be read: ' .. why(e)
          if pcall(letter, dead, queue, nil, reason) then
            redis.call('XACK', s, group, id)
            redis.call('XDEL', s, id)
            redis.call('ZREM', l, id)
            table.insert(notes, 'dead-lettered stream entry ' .. id .. ' of queue ' .. queue .. ': ' .. reason)
          else
            redis.call('ZADD', l, now, id)
          end
        end

        local function take(q, queue, s, l, id, f, k)
          local ok, e = pcall(hand, q, queue, s, l, id, f, k)
          if not ok then failed(queue, s, l, id, e) end
        end

        -- The entries of one read, { id, fields } each, delivered for the first time: one pcall for the lot (a pcall
        -- per entry costs a tenth of the script), resumed after an entry that fails.
        local function takeall(q, queue, s, l, entries)
          local i = 1
          local function rest()
            while i <= #entries do
              hand(q, queue, s, l, entries[i][1], entries[i][2], 1)
              i = i + 1
            end
          end
          while i <= #entries do
            local ok, e = pcall(rest)
            if not ok then
              failed(queue, s, l, entries[i][1], e)
              i = i + 1
            end
          end
        end

        local function promote(queue, s, d, b)
          local due = redis.call('ZRANGEBYSCORE', d, '-inf', now, 'LIMIT', 0, 1000)
          if #due == 0 then return end
          ensure(s, group)
          for _, m in ipairs(due) do
            local body = redis.call('HGET', b, m)
            if body then
              local sep = string.find(m, ':', 1, true)
              local deliveries = 0
              if sep then deliveries = count(string.sub(m, sep + 1)) end
              redis.call('XADD', s, '*', 'b', body, 'd', deliveries)
              redis.call('HDEL', b, m)
            else
              local reason = "the delayed member '" .. quote(m) .. "' has no body in " .. b
              letter(dead, queue, nil, reason)
              table.insert(notes, 'dead-lettered a delayed member of queue ' .. queue .. ': ' .. reason)
            end
            redis.call('ZREM', d, m)
          end
        end

        local function serve(q, queue, after, s, d, b, l)
          if mode == 'adopt' and redis.call('EXISTS', s) == 1 then
            local ok, pending = pcall(redis.call, 'XPENDING', s, group, after, '+', 100, consumer)
            if ok then
              for _, p in ipairs(pending) do
                local id = p[1]
                if id ~= after and not redis.call('ZSCORE', l, id) then
                  local e = redis.call('XRANGE', s, id, id)
                  if #e == 0 then
                    redis.call('XACK', s, group, id)
                  elseif n < max then
                    take(q, queue, s, l, id, e[1][2], tonumber(p[4]))
                  else
                    redis.call('XCLAIM', s, group, consumer, 0, id, 'RETRYCOUNT', 0, 'JUSTID')
                    redis.call('ZADD', l, now, id)
                  end
                end
              end
            end
          end
          promote(queue, s, d, b)
          if n < max then
            local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'LIMIT', 0, max - n)
            for _, id in ipairs(expired) do
              local ok, claimed = pcall(redis.call, 'XCLAIM', s, group, consumer, 0, id)
              if not ok then
                -- Not a stream id, or no group to claim from: a lease of nothing. A stream key of another type is the
                -- queue's fault, not the member's.
                local e = why(claimed)
                if string.find(e, 'WRONGTYPE', 1, true) then error(claimed) end
                redis.call('ZREM', l, id)
                table.insert(notes, "removed the lease member '" .. quote(id) .. "' of queue " .. queue .. ': ' .. e)
              elseif #claimed > 0 and claimed[1] then
                take(q, queue, s, l, id, claimed[1][2], times(s, group, id))
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
            if res then takeall(q, queue, s, l, res[1][2]) end
          end
        end

        -- Nothing was ready: delayed members due after any calendar go to the dead letters; returns the next due time.
        local function idle(queue, s, d, b, l)
          if mode ~= '' then ensure(s, group) end
          local late = redis.call('ZRANGEBYSCORE', d, '(253402300799999', '+inf', 'WITHSCORES', 'LIMIT', 0, 100)
          for j = 1, #late, 2 do
            local m = late[j]
            local reason = "the delayed member '" .. quote(m) .. "' is due after the year 9999 (score " .. late[j + 1] .. ')'
            letter(dead, queue, redis.call('HGET', b, m), reason)
            redis.call('HDEL', b, m)
            redis.call('ZREM', d, m)
            table.insert(notes, 'dead-lettered a delayed member of queue ' .. queue .. ': ' .. reason)
          end
          local next = -1
          for _, key in ipairs({ d, l }) do
            local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
            if #first > 0 then
              local score = math.max(0, math.min(latest, tonumber(first[2])))
              if next < 0 or score < next then next = score end
            end
          end
          return next
        end

        for i = 1, #KEYS - 1, 4 do
          local q = (i - 1) / 4
          local queue, after = ARGV[6 + q * 2], ARGV[7 + q * 2]
          local ok, e = pcall(serve, q, queue, after, KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
          if not ok then table.insert(faults, 'queue ' .. queue .. ' was skipped: ' .. why(e)) end
        end
        if n == 0 then
          local next = -1
          for i = 1, #KEYS - 1, 4 do
            local q = (i - 1) / 4
            local queue = ARGV[6 + q * 2]
            local ok, due = pcall(idle, queue, KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
            if not ok then
              if #faults == 0 then table.insert(faults, 'queue ' .. queue .. ' was skipped: ' .. why(due)) end
            elseif due >= 0 and (next < 0 or due < next) then
              next = due
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
        local body, before = nil, 0
        if #e > 0 then
          body, before = fields(e[1][2])
          -- Never handed out (the receive dead-letters such entries); if it ever is, its lease runs out and the receive does.
          if not body then return 0 end
        end
        redis.call('XACK', s, group, id)
        redis.call('XDEL', s, id)
        redis.call('ZREM', l, id)
        if #e == 0 then return 0 end
        local deliveries = math.min(before + k, 2147483647)
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
        if #e > 0 then letter(dead, ARGV[5], fields(e[1][2]), ARGV[4]) end
        redis.call('XACK', s, group, id)
        redis.call('XDEL', s, id)
        redis.call('ZREM', l, id)
        return #e
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

    /// <summary>
    /// KEYS: stream, delayed, bodies, leases, queues. ARGV: group, queue. Deletes what depth counts as ready or delayed:
    /// the delayed set, entries never delivered and entries whose lease ran out. Entries under a live lease (and those a
    /// blocking read claimed a moment ago, adopted next) are running: they are left to finish or return. The queue is
    /// forgotten when nothing is left in it. Returns how many messages were deleted.
    /// </summary>
    public const string Purge = Common + """
        local s, d, b, l, group = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]
        local count = redis.call('ZCARD', d)
        redis.call('DEL', d, b)
        local left = 0
        if redis.call('EXISTS', s) == 1 then
          local running, grouped = {}, true
          local start = '-'
          while true do
            local ok, page = pcall(redis.call, 'XPENDING', s, group, start, '+', 1000)
            if not ok then grouped = false; break end
            for _, p in ipairs(page) do
              local deadline = redis.call('ZSCORE', l, p[1])
              if not deadline or tonumber(deadline) > now then running[p[1]] = true end
            end
            if #page < 1000 then break end
            start = '(' .. page[#page][1]
          end
          local from = '-'
          while true do
            local page = redis.call('XRANGE', s, from, '+', 'COUNT', 1000)
            for _, e in ipairs(page) do
              if running[e[1]] then
                left = left + 1
              else
                if grouped then redis.call('XACK', s, group, e[1]) end
                redis.call('XDEL', s, e[1])
                redis.call('ZREM', l, e[1])
                count = count + 1
              end
            end
            if #page < 1000 then break end
            from = '(' .. page[#page][1]
          end
        end
        if left == 0 then redis.call('SREM', KEYS[5], ARGV[2]) end
        return count
        """;
}
