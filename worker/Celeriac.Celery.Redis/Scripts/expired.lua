-- KEYS: unacked, unacked_index. ARGV: visibility timeout s, limit. The deliveries past the visibility timeout: (tag,
-- entry) pairs.
local tags = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, tag in ipairs(tags) do
  out[#out + 1] = tag
  out[#out + 1] = redis.call('HGET', KEYS[1], tag) or ''
end
return out
