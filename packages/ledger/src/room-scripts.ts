/**
 * The Lua scripts of a sale's waiting room. Each runs on the sale's shard as one atomic step, on
 * Redis time, so every replica may run any of them at any moment: places are numbered by one
 * INCR (arrival order), admission pops the lowest numbers, and the admission budget (rate credit,
 * seats left plus margin) lives in the room's meta hash, not in any replica.
 *
 * Every script takes the room's keys in this order: KEYS seq, wait, beat, admitted, meta, inv.
 *
 *   meta fields: last (ms of the last admission step), credit (admissions owed at a fixed rate),
 *   hwm (highest arrival number admitted), admitted, abandoned (places dropped for lack of
 *   heartbeats), lapsed (admissions never used), served (admissions turned into holds), holds
 *   (holds of the sale, room on or off), closed (ms: no seat left, the queue is shut),
 *   waitingAtClose, winStart, winCount and rate (admissions per second over the last full second).
 */
const COMMON = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Shuts the queue for good once no seat is left: every waiting place learns it from 'closed'.
local function close(wait, beat, meta, now)
  if not redis.call('HGET', meta, 'closed') then redis.call('HSET', meta, 'closed', now) end
  if not redis.call('HGET', meta, 'waitingAtClose') then
    redis.call('HSET', meta, 'waitingAtClose', redis.call('ZCARD', wait))
    redis.call('DEL', wait, beat)
  end
end

local function closed_or_sold_out(wait, beat, meta, inv, now)
  if redis.call('HGET', meta, 'closed') then
    close(wait, beat, meta, now)
    return true
  end
  local available = redis.call('HGET', inv, 'available')
  if available and tonumber(available) <= 0 then
    close(wait, beat, meta, now)
    return true
  end
  return false
end

-- An admission past its expiry no longer counts as admitted-but-unserved.
local function lapse(adm, meta, now)
  local gone = redis.call('ZRANGEBYSCORE', adm, '-inf', now, 'LIMIT', 0, 1000)
  if #gone > 0 then
    redis.call('ZREM', adm, unpack(gone))
    redis.call('HINCRBY', meta, 'lapsed', #gone)
  end
end

-- The caller's place: {'SOLD_OUT'}, {'ADMITTED', expiresAt}, {'WAITING', seq, ahead} or {'NONE'}.
local function place(seq_key, wait, beat, adm, meta, inv, user, now, beats)
  if closed_or_sold_out(wait, beat, meta, inv, now) then return {'SOLD_OUT'} end
  local until_ms = redis.call('ZSCORE', adm, user)
  if until_ms and tonumber(until_ms) > now then return {'ADMITTED', until_ms} end
  local seq = redis.call('ZSCORE', wait, user)
  if not seq then return {'NONE'} end
  if beats then redis.call('ZADD', beat, now, user) end
  return {'WAITING', seq, redis.call('ZRANK', wait, user)}
end
`;

/**
 * ARGV userId. Joins (or re-joins: a place already held is kept) and counts as a heartbeat.
 * Returns place's answer, never NONE; a user whose admission lapsed or was served queues again.
 */
export const JOIN = `${COMMON}
local now = now_ms()
local p = place(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], now, true)
if p[1] ~= 'NONE' then return p end
if redis.call('ZREM', KEYS[4], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[5], 'lapsed', 1) end
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
return {'WAITING', tostring(seq), redis.call('ZRANK', KEYS[2], ARGV[1])}
`;

/** ARGV userId, heartbeat ('1' or '0'). The caller's place, as JOIN answers, or {'NONE'}. */
export const PLACE = `${COMMON}
return place(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], now_ms(), ARGV[2] == '1')
`;

/** ARGV userId... Heartbeats for places still waiting (an open live stream); others are left alone. */
export const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = 0
for i = 1, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', now, ARGV[i])
end
return n
`;

/**
 * ARGV mode ('2': the sale is open and its room on: admit; '1': the room is on but the sale not
 * open: only drop and lapse; '0': only read), ratePerSecond (0: as fast as seats allow),
 * margin, heartbeatTimeoutMs, admissionTtlMs, maxBatch.
 * One admission step, then the room's state: drops waiting places whose last heartbeat is older
 * than the timeout (abandoned), lapses unused admissions, closes the queue when no seat is left,
 * otherwise admits the lowest arrival numbers, at most
 *   min(rate credit, available + margin - admitted-but-unserved, maxBatch).
 * Returns {closed, hwm, seq, waiting, unserved, admitted, abandoned, lapsed, served, holds,
 * rate, available, held, sold, total, closedAt, waitingAtClose, armed}; numbers as strings where fractional.
 */
export const TICK = `${COMMON}
local seq_key, wait, beat, adm, meta, inv = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local now = now_ms()
local admit = ARGV[1] == '2'
local maintain = ARGV[1] ~= '0'
local rate = tonumber(ARGV[2])
local margin = tonumber(ARGV[3])
local batch = tonumber(ARGV[6])
local armed = redis.call('EXISTS', inv) == 1
local count = 0
if maintain and armed and not closed_or_sold_out(wait, beat, meta, inv, now) then
  local stale = redis.call('ZRANGEBYSCORE', beat, '-inf', now - tonumber(ARGV[4]), 'LIMIT', 0, 1000)
  if #stale > 0 then
    redis.call('ZREM', wait, unpack(stale))
    redis.call('ZREM', beat, unpack(stale))
    redis.call('HINCRBY', meta, 'abandoned', #stale)
  end
  lapse(adm, meta, now)
end
if admit and armed and not redis.call('HGET', meta, 'closed') then
  local available = tonumber(redis.call('HGET', inv, 'available'))
  local room = available + margin - redis.call('ZCARD', adm)
  local budget = batch
  local last = tonumber(redis.call('HGET', meta, 'last') or now)
  local credit = tonumber(redis.call('HGET', meta, 'credit') or '0')
  if rate > 0 then
    -- At most one second of credit builds up, so an idle queue does not release a burst.
    credit = math.min(credit + rate * (now - last) / 1000, math.max(rate, 1))
    budget = math.floor(credit)
  end
  local n = math.min(budget, room, batch)
  if n > 0 then
    local popped = redis.call('ZPOPMIN', wait, n)
    local exp = now + tonumber(ARGV[5])
    for i = 1, #popped, 2 do
      redis.call('ZREM', beat, popped[i])
      redis.call('ZADD', adm, exp, popped[i])
      redis.call('HSET', meta, 'hwm', popped[i + 1])
      count = count + 1
    end
    redis.call('HINCRBY', meta, 'admitted', count)
  end
  if rate > 0 then redis.call('HSET', meta, 'credit', tostring(credit - count)) end
  redis.call('HSET', meta, 'last', now)
end
if admit and armed then
  -- The measured admission rate: admissions over the last full second (wait estimates use it).
  local win = redis.call('HMGET', meta, 'winStart', 'winCount')
  local start = tonumber(win[1] or now)
  local in_win = tonumber(win[2] or '0') + count
  if now - start >= 1000 then
    redis.call('HSET', meta, 'rate', tostring(in_win * 1000 / (now - start)), 'winStart', now, 'winCount', 0)
  else
    redis.call('HSET', meta, 'winStart', start, 'winCount', in_win)
  end
end
local m = redis.call('HMGET', meta, 'closed', 'hwm', 'admitted', 'abandoned', 'lapsed', 'served', 'holds', 'rate', 'waitingAtClose')
local i = redis.call('HMGET', inv, 'available', 'held', 'sold', 'total')
return {m[1] and 1 or 0, m[2] or '0', redis.call('GET', seq_key) or '0', redis.call('ZCARD', wait), redis.call('ZCARD', adm),
  m[3] or '0', m[4] or '0', m[5] or '0', m[6] or '0', m[7] or '0', m[8] or '0',
  i[1] or '0', i[2] or '0', i[3] or '0', i[4] or '0', m[1] or '0', m[9] or '0', armed and 1 or 0}
`;
