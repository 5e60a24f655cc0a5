-- What settles added while Redis was unreachable (usage counts, spend corrections), added to Redis once it is back:
-- one gateway key's increments in one script, so that they land all or none and a failed replay can be kept and
-- tried again without counting anything twice.
--
-- KEYS    the gateway key's spend and usage keys (one hash tag: one slot)
-- ARGV[i] for i in 1..#KEYS: the TTL in seconds of KEYS[i]; then triples: index into KEYS, hash field ('' for a
--         plain counter: INCRBY), amount

local n = #KEYS
for i = n + 1, #ARGV, 3 do
  local key = KEYS[tonumber(ARGV[i])]
  local field, amount = ARGV[i + 1], tonumber(ARGV[i + 2])
  if field == '' then
    redis.call('INCRBY', key, amount)
  else
    redis.call('HINCRBY', key, field, amount)
  end
end
for i = 1, n do
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[i]))
end
return 1
