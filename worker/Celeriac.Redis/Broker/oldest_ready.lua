-- KEYS: stream, delayed, leases. ARGV: group. Returns milliseconds since the oldest ready message became receivable, or
-- -1: the first stream entry after the group's last delivered id (its id is the server time it was added: sent, or
-- promoted when due), the oldest expired lease (its deadline) and the oldest due delayed member (its due time).
local s, d, l, group = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local oldest = -1
local function older(ms) if oldest < 0 or ms < oldest then oldest = ms end end
if redis.call('EXISTS', s) == 1 then
  local start = '-'
  local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', s)
  if ok then
    for _, g in ipairs(groups) do
      local name, last = nil, nil
      for j = 1, #g, 2 do
        if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then last = g[j + 1] end
      end
      if name == group and last then start = '(' .. last end
    end
  end
  local first = redis.call('XRANGE', s, start, '+', 'COUNT', 1)
  if #first > 0 then older(tonumber(string.match(first[1][1], '^(%d+)'))) end
end
local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
if #expired > 0 then older(tonumber(expired[2])) end
local due = redis.call('ZRANGEBYSCORE', d, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
if #due > 0 then older(tonumber(due[2])) end
if oldest < 0 then return -1 end
return math.max(0, now - oldest)
