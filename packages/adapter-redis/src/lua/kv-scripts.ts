import { defineScript } from '../script-runner.js';

/** Writes kv entries: ARGV[4..] triples (encoded key, value, expiry '' or ms). */
export const setEntries = defineScript(
  'kv.set',
  `for i = 4, #ARGV, 3 do kv_put(ARGV[i], ARGV[i + 1], ARGV[i + 2]) end
return #ARGV`,
);

/**
 * Reads kv entries without writing: ARGV[4..] encoded keys. Returns `v, e` of each key in one
 * flat array (nulls when missing); the caller decides expiry.
 */
export const getEntriesScript = defineScript(
  'kv.getMany',
  `local out = {}
for i = 4, #ARGV do
  local r = redis.call('HMGET', kkey(ARGV[i]), 'v', 'e')
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
end
return out`,
);

/** Deletes kv entries: ARGV[4..] encoded keys; returns how many live ones were deleted. */
export const deleteEntries = defineScript(
  'kv.delete',
  `local deleted = 0
for i = 4, #ARGV do
  if kv_live(ARGV[i]) then
    kv_purge(ARGV[i])
    deleted = deleted + 1
  end
end
return deleted`,
);

/**
 * Walks the key index: ARGV[4] start bound, ARGV[5] end bound, ARGV[6] page size, ARGV[7]
 * budget. Returns `{next bound or '', live encoded keys}`.
 */
export const scanKeys = defineScript(
  'kv.keys',
  `local want, budget = tonumber(ARGV[6]), tonumber(ARGV[7])
local members = redis.call('ZRANGEBYLEX', P .. 'ix:k', ARGV[4], ARGV[5], 'LIMIT', 0, budget)
local found = {}
for _, h in ipairs(members) do
  if kv_live(h) then
    found[#found + 1] = h
    if #found >= want then return {'', found} end
  elseif redis.call('EXISTS', kkey(h)) == 0 then
    redis.call('ZREM', P .. 'ix:k', h)
  end
end
local nxt = ''
if #members >= budget then nxt = '(' .. members[#members] end
return {nxt, found}`,
);

/** Sets a live entry's expiry: ARGV[4] key, ARGV[5] expiry ('' none). Returns 1 or 0. */
export const expireEntry = defineScript(
  'kv.expire',
  `local h = ARGV[4]
local r = kv_live(h)
if not r then return 0 end
kv_put(h, r[1], ARGV[5])
return 1`,
);

/**
 * Adds ARGV[5] to the integer entry ARGV[4]; a new entry gets expiry ARGV[6]. Returns
 * `{'OK', text}`, `{'NOTINT', stored}` or `{'RANGE'}`; nothing changes on refusal.
 */
export const incrementEntry = defineScript(
  'kv.increment',
  `local h = ARGV[4]
local r = kv_live(h)
local current, e = 0, ARGV[6]
if r then
  local digits = string.match(r[1], '^%-?(%d+)$')
  if not digits or #digits > 16 or math.abs(tonumber(r[1])) > 9007199254740991 then
    return {'NOTINT', r[1]}
  end
  current, e = tonumber(r[1]), r[2]
end
local nxt = current + tonumber(ARGV[5])
if nxt > 9007199254740991 or nxt < -9007199254740991 then return {'RANGE'} end
local text = string.format('%d', nxt)
kv_put(h, text, e)
return {'OK', text}`,
);

/** Stores ARGV[5] under ARGV[4] with expiry ARGV[6] unless a live entry exists; 1 or 0. */
export const setEntryIfAbsent = defineScript(
  'kv.setIfAbsent',
  `if kv_live(ARGV[4]) then return 0 end
kv_put(ARGV[4], ARGV[5], ARGV[6])
return 1`,
);
