-- KEYS: unacked, unacked_index, then the lists to restore to. ARGV: tag, the entry as read, visibility timeout s, the
-- message marked redelivered. Puts a delivery back at the front of its queues if it is still past the visibility
-- timeout and unchanged (a delivery without entry is only forgotten); returns 1 when it did.
local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not s or tonumber(s) > now - tonumber(ARGV[3]) then return 0 end
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if (entry or '') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
for k = 3, #KEYS do redis.call('RPUSH', KEYS[k], ARGV[4]) end
return 1
