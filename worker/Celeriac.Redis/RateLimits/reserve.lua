-- The rate limit's slot for one ticket (a generic cell rate algorithm on the server's clock).
-- KEYS: next free slot of the limit, the ticket's reservation. ARGV: interval µs, consume-within µs.
-- Returns the wait in µs. Numbers are formatted with %.0f since Lua's tostring would round them.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = tonumber(redis.call('GET', KEYS[2]) or '-1')
if slot < 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now then tat = now end
  slot = tat
  local nextSlot = tat + tonumber(ARGV[1])
  redis.call('SET', KEYS[1], string.format('%.0f', nextSlot), 'PX', math.ceil((nextSlot - now) / 1000) + 1000)
end
local wait = slot - now
if wait <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[2])
else
  redis.call('SET', KEYS[2], string.format('%.0f', slot), 'PX', math.ceil(wait / 1000) + 60000)
end
return wait
