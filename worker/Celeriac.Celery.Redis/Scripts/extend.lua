-- KEYS: unacked_index. ARGV: lease ms, visibility timeout s, then (tag, score) pairs. Returns the new score per
-- delivery, or '' for one no longer held.
local score = string.format('%.3f', now + tonumber(ARGV[1]) / 1000 - tonumber(ARGV[2]))
local out = {}
for i = 3, #ARGV, 2 do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s and tonumber(s) == tonumber(ARGV[i + 1]) then
    redis.call('ZADD', KEYS[1], 'XX', score, ARGV[i])
    out[#out + 1] = score
  else
    out[#out + 1] = ''
  end
end
return out
