-- KEYS: unacked, unacked_index, target (a list, or a delay store). ARGV: tag, score, message, mode (front, back or
-- delay), delay ms. Puts a delivery still held back: at the front (RPUSH, what is popped next), at the back (LPUSH, as
-- kombu's reject with requeue does) or into the delay store. Returns 1, or 0 when it was no longer held.
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s or tonumber(s) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[4] == 'delay' then redis.call('ZADD', KEYS[3], math.floor(now * 1000) + tonumber(ARGV[5]), ARGV[3])
elseif ARGV[4] == 'back' then redis.call('LPUSH', KEYS[3], ARGV[3])
else redis.call('RPUSH', KEYS[3], ARGV[3]) end
return 1
