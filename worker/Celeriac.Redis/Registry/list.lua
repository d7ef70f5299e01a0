-- KEYS: the workers' index. ARGV: the prefix of the entries' keys. Drops expired ids, returns the entries that exist.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local entries = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local entry = redis.call('GET', ARGV[1] .. id)
  if entry then entries[#entries + 1] = entry end
end
return entries
