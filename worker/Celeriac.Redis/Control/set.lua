-- KEYS: the control entries (a hash), their version. ARGV: key, value ('' with ARGV[3] = '1': remove). Returns the new version.
if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return redis.call('INCR', KEYS[2])
