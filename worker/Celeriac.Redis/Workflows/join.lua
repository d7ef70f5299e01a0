-- One member of a workflow group reports its result; exactly one member completes the group.
-- KEYS: the group's member results (a hash by index), its completer. ARGV: index, result JSON, size, expiry ms.
-- Returns the hash's fields and values when this member completed the group, else nil.
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
