-- Newest first from one of the index's sorted sets (KEYS[1]: recent, a name's or a state's), reading at most a bounded
-- number of entries. ARGV: prefix, max score ('(ms' or '+inf'), min score (ms or '-inf'), limit, entries to read at most,
-- state filter, name filter ('' for none). Returns id, fields pairs; drops ids whose record expired.
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'LIMIT', 0, tonumber(ARGV[5]))
local limit = tonumber(ARGV[4])
local out = {}
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[1] .. 'task:' .. id)
  if #h == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    local ok = true
    if ARGV[6] ~= '' or ARGV[7] ~= '' then
      local state, name
      for i = 1, #h, 2 do
        if h[i] == 'state' then state = h[i + 1] elseif h[i] == 'name' then name = h[i + 1] end
      end
      if ARGV[6] ~= '' and state ~= ARGV[6] then ok = false end
      if ARGV[7] ~= '' and name ~= ARGV[7] then ok = false end
    end
    if ok then
      out[#out + 1] = id
      out[#out + 1] = h
      if #out / 2 >= limit then break end
    end
  end
end
return out
