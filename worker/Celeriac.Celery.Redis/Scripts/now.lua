-- The server's time in seconds (TIME), as `now`: every script that scores deliveries starts with this.
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
