-- A request has ended: the semantics of EmbeddedLimitStore.settle in one round trip. Its tokens bucket gets back what
-- was reserved and not used (or is charged what was used beyond it), the spend of the day and month it was admitted in
-- is corrected by what it cost beyond its estimate, and the usage account of that day counts it. bucket.lua is
-- prepended.
--
-- KEYS[1] the key's rate hash, KEYS[2] the reservation day's spend, KEYS[3] its month's spend, KEYS[4] that day's usage
--         hash (one hash tag: one slot)
-- ARGV now millis, tokens/min (-1: none), tokens to give back (reserved minus used; negative: charged), spend
--      correction (used minus reserved micro-dollars), usage field prefix ("<provider>|<model>|"), input tokens,
--      output tokens, cost, TTL seconds of the day spend, the month spend and the usage hash, least TTL millis of the
--      rate hash

local rate, day_key, month_key, usage_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
local token_delta, cost_delta = tonumber(ARGV[3]), tonumber(ARGV[4])
local field = ARGV[5]
local input, output, cost = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local day_ttl, month_ttl, usage_ttl, rate_ttl = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]),
    tonumber(ARGV[12])

local toks = bucket(rate, 't', tpm, now)
if toks then
  toks.level = math.min(toks.cap, toks.level + token_delta) -- a level may go below zero: a debt
  save(rate, 't', toks)
  expire_rate(rate, rate_ttl, nil, toks)
end
if cost_delta ~= 0 then
  redis.call('INCRBY', day_key, cost_delta)
  redis.call('EXPIRE', day_key, day_ttl)
  redis.call('INCRBY', month_key, cost_delta)
  redis.call('EXPIRE', month_key, month_ttl)
end
redis.call('HINCRBY', usage_key, field .. 'req', 1)
redis.call('HINCRBY', usage_key, field .. 'in', input)
redis.call('HINCRBY', usage_key, field .. 'out', output)
redis.call('HINCRBY', usage_key, field .. 'cost', cost)
redis.call('EXPIRE', usage_key, usage_ttl)
return 1
