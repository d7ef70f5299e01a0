-- KEYS: unacked, unacked_index, dead letters. ARGV: tag, score, queue, reason, message. Returns 1, or 0 when the
-- delivery was no longer held.
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s or tonumber(s) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[3], '*', 'queue', ARGV[3], 'reason', ARGV[4], 'at', math.floor(now * 1000), 'body', ARGV[5])
return 1
