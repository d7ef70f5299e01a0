-- KEYS: as set.lua. ARGV: the version the caller has. Returns nil when unchanged, else the version and the entries.
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
if version == tonumber(ARGV[1]) then return false end
return { version, redis.call('HGETALL', KEYS[1]) }
