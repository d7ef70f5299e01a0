-- KEYS: stream, leases. ARGV: group, idle ms. Pending entries idle that long without a lease were claimed by a blocking
-- read whose adopting script never ran (the worker died in between); they get an expired lease, so that the next
-- receive takes them. Returns how many. Needs Redis 6.2 (XPENDING IDLE); on older servers it finds none.
local s, l = KEYS[1], KEYS[2]
if redis.call('EXISTS', s) == 0 then return 0 end
local ok, pending = pcall(redis.call, 'XPENDING', s, ARGV[1], 'IDLE', tonumber(ARGV[2]), '-', '+', 1000)
if not ok then return 0 end
local n = 0
for _, p in ipairs(pending) do
  if not redis.call('ZSCORE', l, p[1]) then
    redis.call('ZADD', l, now, p[1])
    n = n + 1
  end
end
return n
