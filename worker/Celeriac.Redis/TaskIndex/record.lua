-- Applies a batch of task index events, adds per-minute counts, then trims the index by age and count.
-- The same rule as TaskRecord.Apply: a state replaces the record's only when its rank is not lower; a reset first forgets
-- the run. All keys share one hash tag (ARGV[1] is their common prefix); KEYS[1] is the recent set (score: last update).
-- ARGV: prefix, max tasks, max age ms, activity JSON ([[minute ms, name, state, count], ...]), activity retention ms,
-- then one JSON object per event (timestamps as ms strings).
local prefix = ARGV[1]
local maxTasks = tonumber(ARGV[2])
local maxAge = tonumber(ARGV[3])
local recent = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lowest = -9.2e18

local function drop(id)
  local key = prefix .. 'task:' .. id
  local f = redis.call('HMGET', key, 'name', 'state')
  if f[1] then redis.call('ZREM', prefix .. 'name:' .. f[1], id) end
  if f[2] then redis.call('ZREM', prefix .. 'state:' .. f[2], id) end
  redis.call('DEL', key)
  redis.call('ZREM', recent, id)
end

for i = 6, #ARGV do
  local e = cjson.decode(ARGV[i])
  local key = prefix .. 'task:' .. e.id
  local cur = redis.call('HMGET', key, 'rank', 'state', 'name', 'argsMasked', 'enqueuedAt', 'updatedAt')
  local rank = tonumber(cur[1] or lowest)
  local oldState = cur[2]
  local enqueued = cur[5]
  if e.reset then
    redis.call('HDEL', key, 'startedAt', 'finishedAt', 'worker', 'durationMs', 'exceptionType', 'exceptionMessage', 'progress', 'progressMessage', 'enqueuedAt')
    rank = lowest
    enqueued = nil
  end
  local sets = {}
  local function put(f, v) if v ~= nil then sets[#sets + 1] = f; sets[#sets + 1] = tostring(v) end end
  put('name', e.name)
  put('queue', e.queue)
  put('traceId', e.trace)
  local updated = tonumber(cur[6] or '0')
  if tonumber(e.at) > updated then updated = tonumber(e.at) end
  put('updatedAt', string.format('%.0f', updated))
  if not enqueued then put('enqueuedAt', e.enq) end
  if e.masked then
    redis.call('HDEL', key, 'args')
    put('argsMasked', '1')
  elseif e.args and cur[4] ~= '1' then
    put('args', e.args)
  end
  local newState = oldState
  if e.state and e.rank >= rank then
    newState = e.state
    put('state', e.state)
    put('rank', string.format('%.0f', e.rank))
    put('attempt', string.format('%.0f', e.attempt or 0))
    put('worker', e.worker)
    put('startedAt', e.start)
    if e.state == 'Queued' or e.state == 'Started' then
      redis.call('HDEL', key, 'finishedAt', 'durationMs')
    else
      put('finishedAt', e.fin or e.at)
      if e.dur then put('durationMs', e.dur) else redis.call('HDEL', key, 'durationMs') end
      if e.exType then put('exceptionType', e.exType) else redis.call('HDEL', key, 'exceptionType') end
      if e.exMsg then put('exceptionMessage', e.exMsg) else redis.call('HDEL', key, 'exceptionMessage') end
    end
  end
  if e.progress then
    put('progress', e.progress)
    if e.progressMsg then put('progressMessage', e.progressMsg) else redis.call('HDEL', key, 'progressMessage') end
  end
  if #sets > 0 then redis.call('HSET', key, unpack(sets)) end
  redis.call('PEXPIRE', key, maxAge)
  redis.call('ZADD', recent, updated, e.id)
  local name = e.name or cur[3]
  if name then
    local k = prefix .. 'name:' .. name
    redis.call('ZADD', k, updated, e.id)
    redis.call('PEXPIRE', k, maxAge)
  end
  if oldState and oldState ~= newState then redis.call('ZREM', prefix .. 'state:' .. oldState, e.id) end
  if newState then
    local k = prefix .. 'state:' .. newState
    redis.call('ZADD', k, updated, e.id)
    redis.call('PEXPIRE', k, maxAge)
  end
end

for _, a in ipairs(cjson.decode(ARGV[4])) do
  local k = prefix .. 'activity:' .. a[1]
  redis.call('HINCRBY', k, a[2] .. '\n' .. a[3], a[4])
  redis.call('PEXPIRE', k, ARGV[5])
end

for _, id in ipairs(redis.call('ZRANGEBYSCORE', recent, '-inf', '(' .. string.format('%.0f', now - maxAge), 'LIMIT', 0, 10000)) do drop(id) end
local over = redis.call('ZCARD', recent) - maxTasks
if over > 0 then
  for _, id in ipairs(redis.call('ZRANGE', recent, 0, over - 1)) do drop(id) end
end
return 1
