-- KEYS: unacked, unacked_index. ARGV: (tag, score) pairs. Forgets the deliveries still scored as given; returns how
-- many.
local n = 0
for i = 1, #ARGV, 2 do
  local s = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if s and tonumber(s) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
