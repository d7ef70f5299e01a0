-- KEYS: (stream, delayed, bodies, leases) per queue, in priority order, then the dead-letter stream. ARGV: group,
-- consumer, max, lease ms, mode, then (queue name, stream id for mode "adopt" or "") per queue. Returns { next due ms
-- or -1, now, notes, faults, then (queue index, id, body, delivery number, deliveries) per message }. A read that
-- dead-lettered stream entries and handed out none answers "due now": more may be waiting behind them.
-- Mode "wait" (the caller blocks in XREADGROUP next when nothing is ready) creates the streams that do not exist yet,
-- so that the read has a group to wait on. Mode "adopt" runs behind such a read: entries of this consumer's pending
-- list after the given id (everything it had seen before) that hold no lease were claimed by the read and are
-- leased now; those beyond max go back at once with their delivery count reset, for the next receive to take.
-- Each entry is converted on its own: one that cannot be run (no body field, several) is dead-lettered with the
-- reason, in this script, and the others of the same read are handed out; a delayed member without a body or due
-- after the year 9999 is dead-lettered too, and a lease member that names no entry is removed. Each of these adds a
-- line to notes. A queue whose keys hold the wrong types is skipped (a line in faults), never the others; what was
-- done for it before the error stays consistent (every write of an entry comes after the reads that can fail).
local group, consumer = ARGV[1], ARGV[2]
local max, lease, mode = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local dead = KEYS[#KEYS]
local kind = redis.call('TYPE', dead)['ok']
if kind ~= 'stream' and kind ~= 'none' then
  return redis.error_reply('the dead-letter key ' .. dead .. ' holds a ' .. kind .. ', not a stream; nothing was received')
end
local notes, faults = {}, {}
local out = { -1, now, notes, faults }
local n = 0
-- Stream entries dead-lettered by this read.
local dropped = 0

-- Hands one entry out under a lease, or dead-letters it on its own when it cannot be run.
local function hand(q, queue, s, l, id, f, k)
  local body, before, problem = fields(f)
  if problem then
    letter(dead, queue, body, problem)
    redis.call('XACK', s, group, id)
    redis.call('XDEL', s, id)
    redis.call('ZREM', l, id)
    table.insert(notes, 'dead-lettered stream entry ' .. id .. ' of queue ' .. queue .. ': ' .. problem)
    dropped = dropped + 1
    return
  end
  redis.call('ZADD', l, now + lease, id)
  table.insert(out, q); table.insert(out, id); table.insert(out, body); table.insert(out, k)
  table.insert(out, math.min(before + k, 2147483647))
  n = n + 1
end

-- Whatever else goes wrong with one entry stays with it: it is dead-lettered with the error or, if even that
-- fails, gets an expired lease for a later receive. Nothing claimed is left without a lease or a dead letter.
local function failed(queue, s, l, id, e)
  local reason = 'the stream entry could not be read: ' .. why(e)
  if pcall(letter, dead, queue, nil, reason) then
    redis.call('XACK', s, group, id)
    redis.call('XDEL', s, id)
    redis.call('ZREM', l, id)
    table.insert(notes, 'dead-lettered stream entry ' .. id .. ' of queue ' .. queue .. ': ' .. reason)
    dropped = dropped + 1
  else
    redis.call('ZADD', l, now, id)
  end
end

local function take(q, queue, s, l, id, f, k)
  local ok, e = pcall(hand, q, queue, s, l, id, f, k)
  if not ok then failed(queue, s, l, id, e) end
end

-- The entries of one read, { id, fields } each, delivered for the first time: one pcall for the lot (a pcall
-- per entry costs a tenth of the script), resumed after an entry that fails.
local function takeall(q, queue, s, l, entries)
  local i = 1
  local function rest()
    while i <= #entries do
      hand(q, queue, s, l, entries[i][1], entries[i][2], 1)
      i = i + 1
    end
  end
  while i <= #entries do
    local ok, e = pcall(rest)
    if not ok then
      failed(queue, s, l, entries[i][1], e)
      i = i + 1
    end
  end
end

local function promote(queue, s, d, b)
  local due = redis.call('ZRANGEBYSCORE', d, '-inf', now, 'LIMIT', 0, 1000)
  if #due == 0 then return end
  ensure(s, group)
  for _, m in ipairs(due) do
    local body = redis.call('HGET', b, m)
    if body then
      local sep = string.find(m, ':', 1, true)
      local deliveries = 0
      if sep then deliveries = count(string.sub(m, sep + 1)) end
      redis.call('XADD', s, '*', 'b', body, 'd', deliveries)
      redis.call('HDEL', b, m)
    else
      local reason = "the delayed member '" .. quote(m) .. "' has no body in " .. b
      letter(dead, queue, nil, reason)
      table.insert(notes, 'dead-lettered a delayed member of queue ' .. queue .. ': ' .. reason)
    end
    redis.call('ZREM', d, m)
  end
end

local function serve(q, queue, after, s, d, b, l)
  if mode == 'adopt' and redis.call('EXISTS', s) == 1 then
    local ok, pending = pcall(redis.call, 'XPENDING', s, group, after, '+', 100, consumer)
    if ok then
      for _, p in ipairs(pending) do
        local id = p[1]
        if id ~= after and not redis.call('ZSCORE', l, id) then
          local e = redis.call('XRANGE', s, id, id)
          if #e == 0 then
            redis.call('XACK', s, group, id)
          elseif n < max then
            take(q, queue, s, l, id, e[1][2], tonumber(p[4]))
          else
            redis.call('XCLAIM', s, group, consumer, 0, id, 'RETRYCOUNT', 0, 'JUSTID')
            redis.call('ZADD', l, now, id)
          end
        end
      end
    end
  end
  promote(queue, s, d, b)
  if n < max then
    local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'LIMIT', 0, max - n)
    for _, id in ipairs(expired) do
      local ok, claimed = pcall(redis.call, 'XCLAIM', s, group, consumer, 0, id)
      if not ok then
        -- Not a stream id, or no group to claim from: a lease of nothing. A stream key of another type is the
        -- queue's fault, not the member's.
        local e = why(claimed)
        if string.find(e, 'WRONGTYPE', 1, true) then error(claimed) end
        redis.call('ZREM', l, id)
        table.insert(notes, "removed the lease member '" .. quote(id) .. "' of queue " .. queue .. ': ' .. e)
      elseif #claimed > 0 and claimed[1] then
        take(q, queue, s, l, id, claimed[1][2], times(s, group, id))
      else
        redis.call('ZREM', l, id)
      end
    end
  end
  if n < max and redis.call('EXISTS', s) == 1 then
    local ok, res = pcall(redis.call, 'XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - n, 'STREAMS', s, '>')
    if not ok then
      redis.call('XGROUP', 'CREATE', s, group, '0')
      res = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', max - n, 'STREAMS', s, '>')
    end
    if res then takeall(q, queue, s, l, res[1][2]) end
  end
end

-- Nothing was ready: delayed members due after any calendar go to the dead letters; returns the next due time.
local function idle(queue, s, d, b, l)
  if mode ~= '' then ensure(s, group) end
  local late = redis.call('ZRANGEBYSCORE', d, '(253402300799999', '+inf', 'WITHSCORES', 'LIMIT', 0, 100)
  for j = 1, #late, 2 do
    local m = late[j]
    local reason = "the delayed member '" .. quote(m) .. "' is due after the year 9999 (score " .. late[j + 1] .. ')'
    letter(dead, queue, redis.call('HGET', b, m), reason)
    redis.call('HDEL', b, m)
    redis.call('ZREM', d, m)
    table.insert(notes, 'dead-lettered a delayed member of queue ' .. queue .. ': ' .. reason)
  end
  local next = -1
  for _, key in ipairs({ d, l }) do
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    if #first > 0 then
      local score = math.max(0, math.min(latest, tonumber(first[2])))
      if next < 0 or score < next then next = score end
    end
  end
  return next
end

for i = 1, #KEYS - 1, 4 do
  local q = (i - 1) / 4
  local queue, after = ARGV[6 + q * 2], ARGV[7 + q * 2]
  local ok, e = pcall(serve, q, queue, after, KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
  if not ok then table.insert(faults, 'queue ' .. queue .. ' was skipped: ' .. why(e)) end
end
if n == 0 then
  local next = -1
  for i = 1, #KEYS - 1, 4 do
    local q = (i - 1) / 4
    local queue = ARGV[6 + q * 2]
    local ok, due = pcall(idle, queue, KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
    if not ok then
      if #faults == 0 then table.insert(faults, 'queue ' .. queue .. ' was skipped: ' .. why(due)) end
    elseif due >= 0 and (next < 0 or due < next) then
      next = due
    end
  end
  if dropped > 0 then next = now end
  out[1] = next
end
return out
