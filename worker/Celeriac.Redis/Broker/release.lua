-- KEYS: stream, delayed, bodies, leases, seq. ARGV: group, id, delivery number, delay ms, channel, queue.
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
