-- KEYS: stream, delayed, bodies, seq, queues. ARGV: group, queue, channel, then (due ms or 0, body) pairs.
local s, d, b, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group = ARGV[1]
redis.call('SADD', KEYS[5], ARGV[2])
local ready = 0
for i = 4, #ARGV, 2 do
  local due = tonumber(ARGV[i])
  if due > now then
    local m = redis.call('INCR', seq) .. ':0'
    redis.call('HSET', b, m, ARGV[i + 1])
    redis.call('ZADD', d, due, m)
  else
    if ready == 0 then ensure(s, group) end
    redis.call('XADD', s, '*', 'b', ARGV[i + 1])
    ready = ready + 1
  end
end
if ready > 0 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
return ready
