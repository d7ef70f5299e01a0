-- KEYS: unacked, unacked_index, dead letters. ARGV: tag, the entry as read, visibility timeout s, queue, reason,
-- message. Like restore.lua, for a delivery with nowhere to go back to: it becomes a dead letter instead of
-- being lost.
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s or tonumber(s) > now - tonumber(ARGV[3]) then return 0 end
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[3], '*', 'queue', ARGV[4], 'reason', ARGV[5], 'at', math.floor(now * 1000), 'body', ARGV[6])
return 1
