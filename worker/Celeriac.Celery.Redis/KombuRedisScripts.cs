namespace Celeriac.Celery.Redis;

/// <summary>
/// The transport's Lua scripts. Taking a message off a list and recording it as unacknowledged is one script, so a worker
/// that dies in between cannot lose it (kombu's own BRPOP and HSET are two steps). Every later change of a delivery (ack,
/// lease extension, release, dead letter, restore) checks first that the delivery is still this receiver's: the index
/// score it set is still there, so a delivery kombu (or another Celeriac worker) has restored in the meantime is left alone.
/// Scores follow kombu's rule: a message is restored once its score is more than the visibility timeout in the past. A
/// Celeriac lease therefore scores <c>now + lease - visibility timeout</c>, and either side restores it when the lease runs
/// out. Time is the server's (TIME).
/// </summary>
internal static class KombuRedisScripts
{
    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

        """;

    /// <summary>
    /// KEYS: unacked, unacked_index, dead letters, then per queue its delay store, then per queue its base list, then the
    /// lists to pop in order. ARGV: max, lease ms, visibility timeout s, queue count, the queue names, then per popped list
    /// its queue's number. Moves due delayed messages to the front of their queues, then pops up to max messages; returns
    /// the score given, then (queue number, tag, message) per message.
    /// </summary>
    public const string Receive = Now + """
        local max = tonumber(ARGV[1])
        local lease = tonumber(ARGV[2]) / 1000
        local vt = tonumber(ARGV[3])
        local q = tonumber(ARGV[4])
        for i = 1, q do
          local due = redis.call('ZRANGEBYSCORE', KEYS[3 + i], '-inf', math.floor(now * 1000), 'LIMIT', 0, 100)
          for _, m in ipairs(due) do
            redis.call('ZREM', KEYS[3 + i], m)
            redis.call('RPUSH', KEYS[3 + q + i], m)
          end
        end
        local score = string.format('%.3f', now + lease - vt)
        local out = {score}
        local got = 0
        local first = 4 + 2 * q
        for k = first, #KEYS do
          if got >= max then break end
          local qi = tonumber(ARGV[4 + q + k - first + 1])
          local items = redis.call('RPOP', KEYS[k], max - got)
          if items then
            for _, item in ipairs(items) do
              local ok, m = pcall(cjson.decode, item)
              local props = ok and type(m) == 'table' and m.properties
              local tag = type(props) == 'table' and props.delivery_tag
              if type(tag) ~= 'string' or tag == '' then
                redis.call('XADD', KEYS[3], '*', 'queue', ARGV[4 + qi], 'reason',
                  'not a kombu message: it is not JSON with properties.delivery_tag', 'at', math.floor(now * 1000), 'body', item)
              else
                local ex, rk = '', ARGV[4 + qi]
                local info = props.delivery_info
                if type(info) == 'table' then
                  if type(info.exchange) == 'string' then ex = info.exchange end
                  if type(info.routing_key) == 'string' then rk = info.routing_key end
                end
                redis.call('HSET', KEYS[1], tag, '[' .. item .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']')
                redis.call('ZADD', KEYS[2], score, tag)
                out[#out + 1] = qi
                out[#out + 1] = tag
                out[#out + 1] = item
                got = got + 1
              end
            end
          end
        end
        return out
        """;

    /// <summary>KEYS: unacked, unacked_index. ARGV: (tag, score) pairs. Forgets the deliveries still scored as given; returns how many.</summary>
    public const string Ack = """
        local n = 0
        for i = 1, #ARGV, 2 do
          local s = redis.call('ZSCORE', KEYS[2], ARGV[i])
          if s and tonumber(s) == tonumber(ARGV[i + 1]) then
            redis.call('ZREM', KEYS[2], ARGV[i])
            redis.call('HDEL', KEYS[1], ARGV[i])
            n = n + 1
          end
        end
        return n
        """;

    /// <summary>KEYS: unacked_index. ARGV: lease ms, visibility timeout s, then (tag, score) pairs. Returns the new score per delivery, or '' for one no longer held.</summary>
    public const string Extend = Now + """
        local score = string.format('%.3f', now + tonumber(ARGV[1]) / 1000 - tonumber(ARGV[2]))
        local out = {}
        for i = 3, #ARGV, 2 do
          local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if s and tonumber(s) == tonumber(ARGV[i + 1]) then
            redis.call('ZADD', KEYS[1], 'XX', score, ARGV[i])
            out[#out + 1] = score
          else
            out[#out + 1] = ''
          end
        end
        return out
        """;

    /// <summary>
    /// KEYS: unacked, unacked_index, target (a list, or a delay store). ARGV: tag, score, message, mode (front, back or
    /// delay), delay ms. Puts a delivery still held back: at the front (RPUSH, what is popped next), at the back (LPUSH, as
    /// kombu's reject with requeue does) or into the delay store. Returns 1, or 0 when it was no longer held.
    /// </summary>
    public const string Release = Now + """
        local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not s or tonumber(s) ~= tonumber(ARGV[2]) then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        if ARGV[4] == 'delay' then redis.call('ZADD', KEYS[3], math.floor(now * 1000) + tonumber(ARGV[5]), ARGV[3])
        elseif ARGV[4] == 'back' then redis.call('LPUSH', KEYS[3], ARGV[3])
        else redis.call('RPUSH', KEYS[3], ARGV[3]) end
        return 1
        """;

    /// <summary>KEYS: unacked, unacked_index, dead letters. ARGV: tag, score, queue, reason, message. Returns 1, or 0 when the delivery was no longer held.</summary>
    public const string DeadLetter = Now + """
        local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not s or tonumber(s) ~= tonumber(ARGV[2]) then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('XADD', KEYS[3], '*', 'queue', ARGV[3], 'reason', ARGV[4], 'at', math.floor(now * 1000), 'body', ARGV[5])
        return 1
        """;

    /// <summary>KEYS: unacked, unacked_index. ARGV: visibility timeout s, limit. The deliveries past the visibility timeout: (tag, entry) pairs.</summary>
    public const string Expired = Now + """
        local tags = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
        local out = {}
        for _, tag in ipairs(tags) do
          out[#out + 1] = tag
          out[#out + 1] = redis.call('HGET', KEYS[1], tag) or ''
        end
        return out
        """;

    /// <summary>
    /// KEYS: unacked, unacked_index, then the lists to restore to. ARGV: tag, the entry as read, visibility timeout s, the
    /// message marked redelivered. Puts a delivery back at the front of its queues if it is still past the visibility
    /// timeout and unchanged (a delivery without entry is only forgotten); returns 1 when it did.
    /// </summary>
    public const string Restore = Now + """
        local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not s or tonumber(s) > now - tonumber(ARGV[3]) then return 0 end
        local entry = redis.call('HGET', KEYS[1], ARGV[1])
        if (entry or '') ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        for k = 3, #KEYS do redis.call('RPUSH', KEYS[k], ARGV[4]) end
        return 1
        """;

    /// <summary>
    /// KEYS: unacked, unacked_index, dead letters. ARGV: tag, the entry as read, visibility timeout s, queue, reason, message.
    /// Like <see cref="Restore"/>, for a delivery with nowhere to go back to: it becomes a dead letter instead of being lost.
    /// </summary>
    public const string Expel = Now + """
        local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not s or tonumber(s) > now - tonumber(ARGV[3]) then return 0 end
        if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('XADD', KEYS[3], '*', 'queue', ARGV[4], 'reason', ARGV[5], 'at', math.floor(now * 1000), 'body', ARGV[6])
        return 1
        """;
}
