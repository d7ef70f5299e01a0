-- KEYS: stream, leases, dead. ARGV: group, id, delivery number, reason, queue.
local s, l, dead = KEYS[1], KEYS[2], KEYS[3]
local group, id = ARGV[1], ARGV[2]
if times(s, group, id) ~= tonumber(ARGV[3]) then return 0 end
local e = redis.call('XRANGE', s, id, id)
if #e > 0 then letter(dead, ARGV[5], fields(e[1][2]), ARGV[4]) end
redis.call('XACK', s, group, id)
redis.call('XDEL', s, id)
redis.call('ZREM', l, id)
return #e
