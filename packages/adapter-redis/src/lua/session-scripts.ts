import { defineScript } from '../script-runner.js';

/**
 * Applies session writes all-or-nothing: ARGV[4] count, then 8 arguments per write
 * (h, data, state, labels JSON, label tokens, expiry 'k'|''|ms, maxExpiresAt, expectedVersion).
 * Returns `{'CONFLICT', index, found}`, or `v, c, e, x` of every write in one flat array (a
 * nested reply costs the client more to decode; updatedAt is the caller's own clock).
 */
export const saveSessions = defineScript(
  'sessions.save',
  `local n = tonumber(ARGV[4])
local metas = {}
for i = 1, n do
  local b = 4 + (i - 1) * 8
  local meta = live_meta(ARGV[b + 1])
  metas[i] = meta or false
  local ev = ARGV[b + 8]
  if ev ~= '' then
    local found = meta and tonumber(meta[2]) or 0
    if tonumber(ev) ~= found then return {'CONFLICT', i, found} end
  end
end
local out = {}
for i = 1, n do
  local b = 4 + (i - 1) * 8
  local h, d, t, l, lx, e, x = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7]
  local meta = metas[i]
  local vs
  if meta then
    vs = string.format('%d', tonumber(meta[2]) + 1)
    local c = meta[3]
    x = meta[6]
    if e == 'k' then e = meta[5] end
    e = clamp(e, x)
    if meta[1] == t and meta[7] == lx and meta[5] == e then
      -- Most saves change only the data: createdAt, state, labels and expiry stay, and so do
      -- the index entries and key expiry, so write just the three fields that moved.
      redis.call('HSET', skey(h), 'd', d, 'v', vs, 'u', ARGV[2])
    else
      unindex(h, meta[1], c, meta[7])
      redis.call('HSET', skey(h), 'd', d, 't', t, 'l', l, 'v', vs, 'u', ARGV[2], 'e', e, 'lx', lx)
      index(h, t, c, lx, e)
      if meta[5] ~= e then keep_until({skey(h), mkey(h), ikey(h)}, e) end
    end
    local k = 4 * (i - 1)
    out[k + 1], out[k + 2], out[k + 3], out[k + 4] = vs, c, e, x
  else
    -- A new session never inherits messages or idempotency records of an earlier one.
    redis.call('DEL', mkey(h), ikey(h))
    vs = '1'
    if e == 'k' then e = '' end
    e = clamp(e, x)
    redis.call('HSET', skey(h), 'd', d, 't', t, 'l', l, 'v', vs, 'c', ARGV[2], 'u', ARGV[2], 'e', e, 'x', x, 'lx', lx)
    index(h, t, ARGV[2], lx, e)
    -- Fresh keys carry no Redis expiry: only the session hash needs one, if any.
    if e ~= '' then keep_until({skey(h)}, e) end
    local k = 4 * (i - 1)
    out[k + 1], out[k + 2], out[k + 3], out[k + 4] = vs, ARGV[2], e, x
  end
end
return out`,
  `-- Fast path, the same result as the general code below: one save that changes only the data
-- of a live session (the common case) moves no index and no key expiry, so it is one HMGET and
-- one HSET, and skips building the helpers. Anything else falls through.
if ARGV[4] == '1' then
  local e, ev = ARGV[10], ARGV[12]
  local k = P .. 's:' .. ARGV[5]
  local m = redis.call('HMGET', k, 't', 'v', 'c', 'e', 'x', 'lx')
  local v, se, x = m[2], m[4], m[5]
  if v and (se == '' or tonumber(se) > NOW) and (ev == '' or tonumber(ev) == tonumber(v)) then
    if e == 'k' then e = se end
    if x ~= '' and (e == '' or tonumber(e) > tonumber(x)) then e = x end
    if m[1] == ARGV[7] and m[6] == ARGV[9] and e == se then
      local vs = string.format('%d', tonumber(v) + 1)
      redis.call('HSET', k, 'd', ARGV[6], 'v', vs, 'u', ARGV[2])
      return {vs, m[3], e, x}
    end
  end
end`,
);

/**
 * Reads sessions without writing: ARGV[4..] encoded ids. Returns the 8 fields `d t l v c u e x`
 * of each id in one flat array (nulls for a missing session); the caller decides expiry. One
 * command instead of a pipeline of HMGETs spares the client a command object, a promise and a
 * timer per id.
 */
export const getSessions = defineScript(
  'sessions.getMany',
  `local out = {}
for i = 4, #ARGV do
  local r = redis.call('HMGET', skey(ARGV[i]), 'd', 't', 'l', 'v', 'c', 'u', 'e', 'x')
  for j = 1, 8 do out[#out + 1] = r[j] end
end
return out`,
);

/**
 * Deletes sessions: ARGV[4] expected version ('' for none), ARGV[5..] encoded ids. Returns
 * `{'CONFLICT', found}` or `{'OK', deleted}`.
 */
export const deleteSessions = defineScript(
  'sessions.delete',
  `local ev = ARGV[4]
local deleted = 0
for i = 5, #ARGV do
  local h = ARGV[i]
  local meta = live_meta(h)
  if ev ~= '' then
    local found = meta and tonumber(meta[2]) or 0
    if tonumber(ev) ~= found then return {'CONFLICT', found} end
  end
  if meta then
    purge(h, meta)
    deleted = deleted + 1
  end
end
return {'OK', deleted}`,
);

/** Sets a live session's expiry: ARGV[4] id, ARGV[5] expiry ('' none). Returns `{0}` or `{1, e}`. */
export const touchSession = defineScript(
  'sessions.touch',
  `local h = ARGV[4]
local meta = live_meta(h)
if not meta then return {0} end
local e = clamp(ARGV[5], meta[6])
redis.call('HSET', skey(h), 'e', e)
if e == '' then redis.call('ZREM', P .. 'ix:x', h) else redis.call('ZADD', P .. 'ix:x', e, h) end
keep_until({skey(h), mkey(h), ikey(h)}, e)
return {1, e}`,
);

/**
 * Walks one index from a lex bound for at most ARGV[9] members and filters sessions.
 * ARGV: 4 mode (list|count|delete), 5 index key suffix, 6 asc|desc, 7 bound, 8 page size,
 * 9 budget, 10 updatedAfter, 11 updatedBefore, 12 number of states, then states, then label
 * tokens. Returns `{next bound or '', items or count}`.
 */
export const scanSessions = defineScript(
  'sessions.scan',
  `local mode, idx, dir, bound = ARGV[4], P .. ARGV[5], ARGV[6], ARGV[7]
local want, budget = tonumber(ARGV[8]), tonumber(ARGV[9])
local ua, ub = ARGV[10], ARGV[11]
local ns = tonumber(ARGV[12])
local states = {}
for i = 1, ns do states[ARGV[12 + i]] = true end
local tokens = {}
for i = 13 + ns, #ARGV do tokens[#tokens + 1] = ';' .. ARGV[i] .. ';' end
local members
if dir == 'asc' then
  members = redis.call('ZRANGEBYLEX', idx, bound, '+', 'LIMIT', 0, budget)
else
  members = redis.call('ZREVRANGEBYLEX', idx, bound, '-', 'LIMIT', 0, budget)
end
local items, count = {}, 0
for _, m in ipairs(members) do
  local h = string.sub(m, 17)
  local meta = load_meta(h)
  if not meta or member(meta[3], h) ~= m then
    -- Left behind when Redis reclaimed an expired session before a sweep did.
    redis.call('ZREM', idx, m)
  elseif expired(meta[5]) then
    purge(h, meta)
  else
    local u = tonumber(meta[4])
    local ok = (ns == 0 or states[meta[1]] == true)
      and (ua == '' or u > tonumber(ua)) and (ub == '' or u < tonumber(ub))
    if ok then
      for _, token in ipairs(tokens) do
        if not string.find(meta[7], token, 1, true) then
          ok = false
          break
        end
      end
    end
    if ok then
      if mode == 'list' then
        local r = redis.call('HMGET', skey(h), 'd', 'l')
        items[#items + 1] = {h, r[1], meta[1], r[2], meta[2], meta[3], meta[4], meta[5], meta[6]}
        if #items >= want then return {'', items} end
      elseif mode == 'delete' then
        purge(h, meta)
        count = count + 1
      else
        count = count + 1
      end
    end
  end
end
local nxt = ''
if #members >= budget then nxt = '(' .. members[#members] end
if mode == 'list' then return {nxt, items} end
return {nxt, count}`,
);

/**
 * Removes expired sessions, then expired kv entries, at most ARGV[4] in all; returns how many.
 */
export const sweepExpired = defineScript(
  'sweep',
  `local limit = tonumber(ARGV[4])
local removed = 0
for _, h in ipairs(redis.call('ZRANGEBYSCORE', P .. 'ix:x', '-inf', ARGV[2], 'LIMIT', 0, limit)) do
  local meta = load_meta(h)
  if meta and expired(meta[5]) then
    purge(h, meta)
    removed = removed + 1
  elseif meta then
    -- The expiry index lagged behind the session; put it right instead of meeting it again.
    if meta[5] == '' then redis.call('ZREM', P .. 'ix:x', h) else redis.call('ZADD', P .. 'ix:x', meta[5], h) end
  else
    redis.call('ZREM', P .. 'ix:x', h)
    redis.call('DEL', mkey(h), ikey(h))
  end
end
if removed < limit then
  for _, h in ipairs(redis.call('ZRANGEBYSCORE', P .. 'ix:kx', '-inf', ARGV[2], 'LIMIT', 0, limit - removed)) do
    if redis.call('EXISTS', kkey(h)) == 1 then removed = removed + 1 end
    kv_purge(h)
  end
end
return removed`,
);
