-- KEYS: stream, leases. ARGV: group, then (id, delivery number) pairs. Acks only receipts that still hold their delivery.
local s, l, group = KEYS[1], KEYS[2], ARGV[1]
local n = 0
for i = 2, #ARGV, 2 do
  if times(s, group, ARGV[i]) == tonumber(ARGV[i + 1]) then
    redis.call('XACK', s, group, ARGV[i])
    redis.call('XDEL', s, ARGV[i])
    redis.call('ZREM', l, ARGV[i])
    n = n + 1
  end
end
return n
