-- KEYS: lock. ARGV: owner, ttl ms. Returns the owner holding the lock afterwards.
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
