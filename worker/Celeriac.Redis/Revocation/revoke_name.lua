-- KEYS: revoked-names set (score: expiry), revoked-names hash (name: revoked at). ARGV: name, expiry ms.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], now)
return now
