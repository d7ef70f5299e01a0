-- KEYS: unacked, unacked_index, dead letters, then per queue its delay store, then per queue its base list, then the
-- lists to pop in order. ARGV: max, lease ms, visibility timeout s, queue count, the queue names, then per popped list
-- its queue's number. Moves due delayed messages to the front of their queues, then pops up to max messages; returns
-- the score given, then (queue number, tag, message) per message.
local max = tonumber(ARGV[1])
local lease = tonumber(ARGV[2]) / 1000
local vt = tonumber(ARGV[3])
local q = tonumber(ARGV[4])
for i = 1, q do
  local due = redis.call('ZRANGEBYSCORE', KEYS[3 + i], '-inf', math.floor(now * 1000), 'LIMIT', 0, 100)
  for _, m in ipairs(due) do
    redis.call('ZREM', KEYS[3 + i], m)
    redis.call('RPUSH', KEYS[3 + q + i], m)
  end
end
local score = string.format('%.3f', now + lease - vt)
local out = {score}
local got = 0
local first = 4 + 2 * q
for k = first, #KEYS do
  if got >= max then break end
  local qi = tonumber(ARGV[4 + q + k - first + 1])
  local items = redis.call('RPOP', KEYS[k], max - got)
  if items then
    for _, item in ipairs(items) do
      local ok, m = pcall(cjson.decode, item)
      local props = ok and type(m) == 'table' and m.properties
      local tag = type(props) == 'table' and props.delivery_tag
      if type(tag) ~= 'string' or tag == '' then
        redis.call('XADD', KEYS[3], '*', 'queue', ARGV[4 + qi], 'reason',
          'not a kombu message: it is not JSON with properties.delivery_tag', 'at', math.floor(now * 1000), 'body', item)
      else
        local ex, rk = '', ARGV[4 + qi]
        local info = props.delivery_info
        if type(info) == 'table' then
          if type(info.exchange) == 'string' then ex = info.exchange end
          if type(info.routing_key) == 'string' then rk = info.routing_key end
        end
        redis.call('HSET', KEYS[1], tag, '[' .. item .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']')
        redis.call('ZADD', KEYS[2], score, tag)
        out[#out + 1] = qi
        out[#out + 1] = tag
        out[#out + 1] = item
        got = got + 1
      end
    end
  end
end
return out
