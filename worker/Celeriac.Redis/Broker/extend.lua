-- KEYS: stream, leases. ARGV: group, consumer, lease ms, then (id, delivery number) pairs. XCLAIM JUSTID
-- (which does not count a delivery) resets the entry's idle time, so XPENDING shows operators a live task as live.
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
