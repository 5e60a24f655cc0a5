-- Admits one request against every limit of its key at once, or refuses it without counting anything: the semantics
-- of EmbeddedLimitStore.admit, in one round trip and atomically (a script runs alone), so that replicas sharing a key
-- can never both take its last request. bucket.lua is prepended.
--
-- KEYS[1] the key's rate hash, KEYS[2] its spend this UTC day, KEYS[3] its spend this UTC month (one hash tag: one slot)
-- ARGV now millis (the caller's clock, as the embedded store), requests/min, tokens/min, day budget, month budget
--      (-1: none), tokens asked, cost asked (micro-dollars), millis to the next day, to the next month, TTL seconds
--      of the day and the month spend, least TTL millis of the rate hash
-- Returns admitted (1/0), refused by (0 none, 1 requests, 2 tokens, 3 day budget, 4 month budget), retry-after millis,
-- then the requests' and the tokens' window (limit, remaining, reset millis).

local rate, day_key, month_key = KEYS[1], KEYS[2], KEYS[3]
local now = tonumber(ARGV[1])
local rpm, tpm = tonumber(ARGV[2]), tonumber(ARGV[3])
local day_budget, month_budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local tokens, cost = tonumber(ARGV[6]), tonumber(ARGV[7])
local to_next_day, to_next_month = tonumber(ARGV[8]), tonumber(ARGV[9])
local day_ttl, month_ttl, rate_ttl = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])

local requests = bucket(rate, 'r', rpm, now)
local toks = bucket(rate, 't', tpm, now)
-- The buckets are written back even when refused: the embedded store keeps its refilled level too, and refilling in
-- one step or in two does not round the same.
if requests then save(rate, 'r', requests) end
if toks then save(rate, 't', toks) end
expire_rate(rate, rate_ttl, requests, toks)

local function answer(admitted, by, retry)
  local rl, rr, rz = window(requests)
  local tl, tr, tz = window(toks)
  return { admitted, by, retry, rl, rr, rz, tl, tr, tz }
end

local function over(budget, spent)
  return budget >= 0 and spent + cost > budget
end

-- Budgets first: when a budget refuses, its wait (the rest of the day or month) is the one worth telling. A request
-- that costs nothing is never refused by a budget (local models stay usable).
if cost > 0 then
  if over(month_budget, tonumber(redis.call('GET', month_key) or '0')) then
    return answer(0, 4, to_next_month)
  end
  if over(day_budget, tonumber(redis.call('GET', day_key) or '0')) then
    return answer(0, 3, to_next_day)
  end
end
if toks then
  if tokens > toks.cap then
    return answer(0, 2, -1) -- larger than the whole minute: waiting cannot help
  end
  if toks.level < tokens then
    return answer(0, 2, millis_until(toks, tokens))
  end
end
if requests and requests.level < 1 then
  return answer(0, 1, millis_until(requests, 1))
end

-- Everything passed: only now is anything taken.
if requests then
  requests.level = requests.level - 1
  save(rate, 'r', requests)
end
if toks then
  toks.level = toks.level - tokens
  save(rate, 't', toks)
end
expire_rate(rate, rate_ttl, requests, toks)
if cost > 0 then
  redis.call('INCRBY', day_key, cost)
  redis.call('EXPIRE', day_key, day_ttl)
  redis.call('INCRBY', month_key, cost)
  redis.call('EXPIRE', month_key, month_ttl)
end
return answer(1, 0, 0)
