import { defineScript } from '../script-runner.js';

/**
 * Appends to a live session's list: ARGV[4] id, ARGV[5] '1' when ARGV[6] is an idempotency
 * key, ARGV[7..] messages. Returns the new length, or -1 when the session is missing. The
 * idempotency check runs in the same script as the push, so a retried or resent append with
 * the same key never lands twice.
 */
export const appendMessages = defineScript(
  'messages.append',
  `local h = ARGV[4]
local meta = live_meta(h)
if not meta then return -1 end
local keyed = ARGV[5] == '1'
if keyed and redis.call('HEXISTS', ikey(h), ARGV[6]) == 1 then
  return redis.call('LLEN', mkey(h))
end
local n = 0
local batch = {}
for i = 7, #ARGV do
  batch[#batch + 1] = ARGV[i]
  -- unpack() is bounded by the Lua C stack, so push in slices.
  if #batch == 1000 then
    n = redis.call('RPUSH', mkey(h), unpack(batch))
    batch = {}
  end
end
if #batch > 0 then n = redis.call('RPUSH', mkey(h), unpack(batch)) end
if n == 0 then n = redis.call('LLEN', mkey(h)) end
if keyed then redis.call('HSET', ikey(h), ARGV[6], n) end
redis.call('HSET', skey(h), 'u', ARGV[2])
keep_until({mkey(h), ikey(h)}, meta[5])
return n`,
  `-- Fast path, the same result as the general code below: up to 1,000 messages without an
-- idempotency key, appended to a live session. The list's Redis expiry follows the session's:
-- every session write that changes the expiry sets it on the list too, so an append only sets
-- it when it creates the list, and costs one HGET, one RPUSH and one HSET.
if ARGV[5] == '0' and #ARGV <= 1006 then
  local k = P .. 's:' .. ARGV[4]
  local e = redis.call('HGET', k, 'e')
  if e and (e == '' or tonumber(e) > NOW) then
    local list = P .. 'm:' .. ARGV[4]
    local n = redis.call('RPUSH', list, unpack(ARGV, 7))
    redis.call('HSET', k, 'u', ARGV[2])
    if e ~= '' and n == #ARGV - 6 then
      redis.call('PEXPIRE', list, string.format('%d', math.max(1, tonumber(e) - NOW + MARGIN)))
    end
    return n
  end
end`,
);

/** LRANGE of a live session's list: ARGV[4] id, ARGV[5] start, ARGV[6] end. */
export const rangeMessages = defineScript(
  'messages.range',
  `local h = ARGV[4]
if not live_meta(h) then return {} end
return redis.call('LRANGE', mkey(h), ARGV[5], ARGV[6])`,
);

/** Length of a live session's list (0 when missing): ARGV[4] id. */
export const messageLength = defineScript(
  'messages.length',
  `local h = ARGV[4]
if not live_meta(h) then return 0 end
return redis.call('LLEN', mkey(h))`,
);

/** Keeps the newest ARGV[5] messages of session ARGV[4]; returns how many were removed. */
export const trimMessages = defineScript(
  'messages.trim',
  `local h = ARGV[4]
if not live_meta(h) then return 0 end
local n = redis.call('LLEN', mkey(h))
local keep = tonumber(ARGV[5])
if n <= keep then return 0 end
if keep == 0 then
  redis.call('DEL', mkey(h))
else
  redis.call('LTRIM', mkey(h), n - keep, -1)
end
return n - keep`,
);
