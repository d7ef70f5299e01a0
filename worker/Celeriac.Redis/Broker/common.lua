-- Prepended to every broker script that needs it (RedisScripts): the server's time in ms, and helpers.
-- Keys of one queue: stream, delayed (zset member "seq:deliveries" scored by due ms), bodies (hash of the delayed
-- members), leases (zset stream id scored by lease deadline ms), seq (counter). Stream entries carry fields b (body)
-- and d (deliveries before this entry, when not 0).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- The latest time a .NET DateTimeOffset holds (9999-12-31T23:59:59.999Z): nothing Celeriac sends is due later.
local latest = 253402300799999
local function ensure(s, group)
  if redis.call('EXISTS', s) == 0 then redis.call('XGROUP', 'CREATE', s, group, '0', 'MKSTREAM') end
end
-- A delivery count as Celeriac writes it (decimal digits, fewer than ten); anything else counts as none.
local function count(text)
  if type(text) == 'string' and #text < 10 and string.find(text, '^%d+$') then return tonumber(text) end
  return 0
end
local function quote(text)
  if #text > 60 then return string.sub(text, 1, 60) .. '...' end
  return text
end
-- A stream entry's body (field b), the deliveries before it (field d, the first if repeated) and, when the entry
-- cannot be run, why: no body field, or several (which one to run would be a guess).
local function fields(f)
  if type(f) ~= 'table' then f = {} end
  local body, bodies, d = nil, 0, nil
  for j = 1, #f - 1, 2 do
    if f[j] == 'b' then
      bodies = bodies + 1
      if bodies == 1 then body = f[j + 1] end
    elseif f[j] == 'd' and d == nil then
      d = f[j + 1]
    end
  end
  if bodies == 1 then return body, count(d), nil end
  if bodies > 1 then
    return body, count(d), 'the stream entry has ' .. bodies .. " body fields 'b'; running either would be a guess"
  end
  local names = {}
  for j = 1, math.min(#f - 1, 9), 2 do table.insert(names, "'" .. quote(f[j]) .. "'") end
  local has = 'no other field'
  if #names > 0 then has = 'fields ' .. table.concat(names, ', ') end
  return nil, count(d), "the stream entry has no body field 'b' (it has " .. has .. ')'
end
-- Adds a dead letter, without a body when there is none.
local function letter(dead, queue, body, reason)
  if body then
    redis.call('XADD', dead, '*', 'q', queue, 'b', body, 'r', reason, 't', now)
  else
    redis.call('XADD', dead, '*', 'q', queue, 'r', reason, 't', now)
  end
end
local function times(s, group, id)
  if redis.call('EXISTS', s) == 0 then return -1 end
  local p = redis.call('XPENDING', s, group, id, id, 1)
  if #p == 0 then return -1 end
  return tonumber(p[1][4])
end
-- The text of an error caught by pcall: a table with err from redis.call, a string from Lua itself.
local function why(e)
  if type(e) == 'table' then return tostring(e.err) end
  return tostring(e)
end
