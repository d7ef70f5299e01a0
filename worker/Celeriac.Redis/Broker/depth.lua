-- KEYS: stream, delayed, leases. ARGV: group. Returns { ready, in flight, delayed }.
local s, d, l, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local length, pending = 0, 0
if redis.call('EXISTS', s) == 1 then
  length = redis.call('XLEN', s)
  local ok, p = pcall(redis.call, 'XPENDING', s, group)
  if ok then pending = tonumber(p[1]) end
end
local expired = redis.call('ZCOUNT', l, '-inf', now)
local due = redis.call('ZCOUNT', d, '-inf', now)
local delayed = redis.call('ZCARD', d)
return { length - pending + expired + due, pending - expired, delayed - due }
