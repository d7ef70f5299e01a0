-- KEYS: stream, delayed, bodies, leases, queues. ARGV: group, queue. Deletes what depth counts as ready or delayed:
-- the delayed set, entries never delivered and entries whose lease ran out. Entries under a live lease (and those a
-- blocking read claimed a moment ago, adopted next) are running: they are left to finish or return. The queue is
-- forgotten when nothing is left in it. Returns how many messages were deleted.
local s, d, b, l, group = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]
local count = redis.call('ZCARD', d)
redis.call('DEL', d, b)
local left = 0
if redis.call('EXISTS', s) == 1 then
  local running, grouped = {}, true
  local start = '-'
  while true do
    local ok, page = pcall(redis.call, 'XPENDING', s, group, start, '+', 1000)
    if not ok then grouped = false; break end
    for _, p in ipairs(page) do
      local deadline = redis.call('ZSCORE', l, p[1])
      if not deadline or tonumber(deadline) > now then running[p[1]] = true end
    end
    if #page < 1000 then break end
    start = '(' .. page[#page][1]
  end
  local from = '-'
  while true do
    local page = redis.call('XRANGE', s, from, '+', 'COUNT', 1000)
    for _, e in ipairs(page) do
      if running[e[1]] then
        left = left + 1
      else
        if grouped then redis.call('XACK', s, group, e[1]) end
        redis.call('XDEL', s, e[1])
        redis.call('ZREM', l, e[1])
        count = count + 1
      end
    end
    if #page < 1000 then break end
    from = '(' .. page[#page][1]
  end
end
if left == 0 then redis.call('SREM', KEYS[5], ARGV[2]) end
return count
