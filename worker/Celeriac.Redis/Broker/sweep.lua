-- KEYS: stream. ARGV: group, idle ms, consumer to remove regardless of idleness (or ""). Removes consumers that
-- hold no pending entry and were idle that long (workers that died; their entries were claimed by others) and
-- returns how many. A consumer with pending entries is never removed: that would drop its entries.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not ok then return 0 end
local removed = 0
for _, c in ipairs(consumers) do
  local name, pending, idle = nil, 0, 0
  for j = 1, #c, 2 do
    if c[j] == 'name' then name = c[j + 1] elseif c[j] == 'pending' then pending = c[j + 1] elseif c[j] == 'idle' then idle = c[j + 1] end
  end
  if pending == 0 and (idle >= tonumber(ARGV[2]) or name == ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed = removed + 1
  end
end
return removed
