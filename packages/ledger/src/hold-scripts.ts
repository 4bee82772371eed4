/**
 * The Lua scripts of the hold lifecycle. Each runs on the sale's shard as one atomic step, so
 * `available + held + sold = total` holds between any two commands any client can observe, and a
 * hold changes state (H held → C consumed, or → released and deleted) exactly once.
 *
 * Time comes from the Redis server (TIME), never from a replica's clock: every replica and the
 * payment service agree on when a hold expires. A hold is valid while now < expiresAt.
 *
 * Every script takes the sale's key prefix as ARGV[1]; the keys it builds from it (a released
 * hold's token) share the sale's hash tag and so its slot.
 */
const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Returns the seats of a held hold to stock; 0 when it is not held (consumed or gone).
local function release(inv, holds, users, prefix, hold_id)
  local hold_key = prefix .. 'hold:' .. hold_id
  local h = redis.call('HMGET', hold_key, 'state', 'user', 'qty', 'tok')
  if h[1] ~= 'H' then return 0 end
  local qty = tonumber(h[3])
  redis.call('ZREM', holds, hold_id)
  redis.call('HINCRBY', inv, 'held', -qty)
  redis.call('HINCRBY', inv, 'available', qty)
  if redis.call('HINCRBY', users, h[2], -qty) <= 0 then redis.call('HDEL', users, h[2]) end
  redis.call('DEL', hold_key, prefix .. 'tok:' .. h[4])
  return qty
end

-- Releases up to max holds whose expiry has passed; returns how many.
local function sweep(inv, holds, users, prefix, now, max)
  local ids = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, max)
  local n = 0
  for _, id in ipairs(ids) do
    if release(inv, holds, users, prefix, id) > 0 then n = n + 1 end
  end
  return n
end
`;

/**
 * KEYS inv, holds, users, hold, token, queue admitted, queue meta. ARGV prefix, holdId, token,
 * userId, qty, sku, unitPrice, saleId, tokenGraceMs, admission ('1': the sale's waiting room is on).
 * Returns {code, expiredReleased, value}: code 1 held (value = expiresAt), -1 not armed,
 * -2 the user would exceed the per-user limit, -3 not enough stock (value = available),
 * -4 the room is on and the user holds no live admission.
 * A few overdue holds are released first, so stock comes back at expiry even between sweeps.
 * With the room on, the hold consumes the user's admission in the same step (the user is served),
 * and the hold that takes the last seat closes the room, so waiting shoppers learn it at once.
 */
export const RESERVE = `${COMMON}
local inv, holds, users = KEYS[1], KEYS[2], KEYS[3]
local s = redis.call('HMGET', inv, 'available', 'limit', 'holdTtl')
if not s[1] then return {-1, 0, 0} end
local now = now_ms()
local room = ARGV[10] == '1'
if room then
  local until_ms = redis.call('ZSCORE', KEYS[6], ARGV[4])
  if not until_ms or tonumber(until_ms) <= now then return {-4, 0, 0} end
end
local expired = sweep(inv, holds, users, ARGV[1], now, 16)
local available = tonumber(redis.call('HGET', inv, 'available'))
local qty = tonumber(ARGV[5])
local owned = tonumber(redis.call('HGET', users, ARGV[4]) or '0')
if owned + qty > tonumber(s[2]) then return {-2, expired, 0} end
if available < qty then return {-3, expired, available} end
local exp = now + tonumber(s[3]) * 1000
redis.call('HINCRBY', inv, 'available', -qty)
redis.call('HINCRBY', inv, 'held', qty)
redis.call('HINCRBY', users, ARGV[4], qty)
redis.call('ZADD', holds, exp, ARGV[2])
redis.call('HSET', KEYS[4], 'state', 'H', 'user', ARGV[4], 'qty', qty, 'tok', ARGV[3], 'exp', exp)
local payload = cjson.encode({holdId = ARGV[2], userId = ARGV[4], saleId = ARGV[8], sku = ARGV[6],
  unitPrice = tonumber(ARGV[7]), qty = qty, issuedAt = now, expiresAt = exp})
redis.call('SET', KEYS[5], payload, 'PX', exp - now + tonumber(ARGV[9]))
redis.call('HINCRBY', KEYS[7], 'holds', 1)
if room then
  redis.call('ZREM', KEYS[6], ARGV[4])
  redis.call('HINCRBY', KEYS[7], 'served', 1)
  if available - qty <= 0 and not redis.call('HGET', KEYS[7], 'closed') then
    redis.call('HSET', KEYS[7], 'closed', now)
  end
end
return {1, expired, exp}
`;

/** KEYS token, hold. Returns nil, or {payload, state, paymentRef}. */
export const OPEN = `
local p = redis.call('GET', KEYS[1])
if not p then return nil end
local h = redis.call('HMGET', KEYS[2], 'state', 'ref')
return {p, h[1] or '', h[2] or ''}
`;

/**
 * KEYS inv, holds, users, hold, token. ARGV prefix, holdId, paymentRef, keepMs.
 * Returns {'CONSUMED'}, {'ALREADY_CONSUMED', ref} or {'EXPIRED', released}. A hold past its
 * expiry is released here and then, so a late payment never takes a seat stock already got back.
 */
export const CONSUME = `${COMMON}
local inv, holds, users = KEYS[1], KEYS[2], KEYS[3]
local h = redis.call('HMGET', KEYS[4], 'state', 'exp', 'ref', 'qty')
if h[1] == 'C' then return {'ALREADY_CONSUMED', h[3]} end
if h[1] ~= 'H' then return {'EXPIRED', 0} end
if tonumber(h[2]) <= now_ms() then
  return {'EXPIRED', release(inv, holds, users, ARGV[1], ARGV[2])}
end
local qty = tonumber(h[4])
redis.call('ZREM', holds, ARGV[2])
redis.call('HINCRBY', inv, 'held', -qty)
redis.call('HINCRBY', inv, 'sold', qty)
redis.call('HSET', KEYS[4], 'state', 'C', 'ref', ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[5], ARGV[4])
return {'CONSUMED'}
`;

/** KEYS inv, holds, users. ARGV prefix, holdId. Returns the seats released (0: not held). */
export const RELEASE = `${COMMON}
return release(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
`;

/** KEYS inv, holds, users. ARGV prefix, max. Releases overdue holds; returns how many. */
export const EXPIRE = `${COMMON}
return sweep(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now_ms(), tonumber(ARGV[2]))
`;

/**
 * KEYS inv, users, refund marker. ARGV userId, qty, refundRef ('' for none).
 * Returns 1 when sold seats went back on sale, 0 when nothing changed (unknown sale, not that
 * many sold to this user, or this refund was already returned).
 */
export const RETURN_SOLD = `
local sold = tonumber(redis.call('HGET', KEYS[1], 'sold') or '-1')
local qty = tonumber(ARGV[2])
local owned = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if sold < qty or owned < qty then return 0 end
if ARGV[3] ~= '' and not redis.call('SET', KEYS[3], '1', 'NX', 'PX', 604800000) then return 0 end
redis.call('HINCRBY', KEYS[1], 'sold', -qty)
redis.call('HINCRBY', KEYS[1], 'available', qty)
if redis.call('HINCRBY', KEYS[2], ARGV[1], -qty) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
`;
