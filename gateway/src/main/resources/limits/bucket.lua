-- The per-minute bucket of TokenBucket.java, in Lua: the Java store prepends this file to admit.lua and settle.lua
-- (a script cannot include another), so both scripts run exactly the arithmetic the embedded store runs. Lua numbers
-- are doubles, as TokenBucket's level is, and the operations are done in the same order, so both stores agree to the
-- last bit. A bucket lives in the key's rate hash as <p>l (level), <p>t (updated, epoch millis), <p>c (capacity).

local WINDOW = 60000

-- Levels are written with 17 significant digits: what Redis would write for a bare number may lose the last bits.
local function num(x)
  return string.format('%.17g', x)
end

-- The bucket of prefix p brought up to now, or nil when the key has no such limit (a limit removed in the key file
-- drops the bucket, so that one set again later starts full, as the embedded store's does).
local function bucket(rate, p, limit, now)
  if limit < 0 then
    redis.call('HDEL', rate, p .. 'l', p .. 't', p .. 'c')
    return nil
  end
  local v = redis.call('HMGET', rate, p .. 'l', p .. 't', p .. 'c')
  if not v[1] then
    return { level = limit, updated = now, cap = limit }
  end
  local b = { level = tonumber(v[1]), updated = tonumber(v[2]), cap = tonumber(v[3]) }
  if limit ~= b.cap then
    b.level = math.min(b.level, limit)
    b.cap = limit
  end
  local elapsed = math.max(0, now - b.updated)
  b.level = math.min(limit, b.level + elapsed * limit / WINDOW)
  b.updated = math.max(b.updated, now)
  return b
end

local function save(rate, p, b)
  redis.call('HSET', rate, p .. 'l', num(b.level), p .. 't', num(b.updated), p .. 'c', num(b.cap))
end

-- How long until amount is in the bucket; 0 when it is.
local function millis_until(b, amount)
  local missing = amount - b.level
  if missing <= 0 then
    return 0
  end
  return math.ceil(missing * WINDOW / b.cap)
end

-- limit, remaining, reset: a RateWindow; -1, 0, 0 (RateWindow.NONE) without a bucket.
local function window(b)
  if not b then
    return -1, 0, 0
  end
  return b.cap, math.max(0, math.floor(b.level)), millis_until(b, b.cap)
end

-- The rate hash outlives its last use by a minute past the time its buckets need to be whole again (a debt after a
-- long answer may take minutes to repay), and by at least min_ttl: a bucket gone is a full bucket, which is what an
-- idle key's bucket is anyway.
local function expire_rate(rate, min_ttl, a, b)
  local ttl = min_ttl
  if a then
    ttl = math.max(ttl, millis_until(a, a.cap) + 60000)
  end
  if b then
    ttl = math.max(ttl, millis_until(b, b.cap) + 60000)
  end
  redis.call('PEXPIRE', rate, ttl)
end
