-- KEYS: as revoke_name.lua. Drops expired name revocations, returns name, revoked-at pairs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, name in ipairs(expired) do redis.call('HDEL', KEYS[2], name) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local result = {}
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    result[#result + 1] = name
    result[#result + 1] = tonumber(redis.call('HGET', KEYS[2], name))
end
return result
