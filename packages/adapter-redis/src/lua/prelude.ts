/**
 * Lua shared by the scripts. Conventions: `ARGV[1]` is the namespace prefix, `ARGV[2]` the
 * caller's clock (`ctx.now`, never the server's clock), `ARGV[3]` the safety margin added to
 * the Redis-side expiry. Timestamps stay strings end to end: Lua numbers are doubles and
 * `tostring` would print large ones in exponent form.
 *
 * Session hash fields: d data, t state, l labels JSON, v version, c createdAt, u updatedAt,
 * e expiresAt ('' = none), x maxExpiresAt ('' = none), lx label tokens `;a;b;`.
 */
const BASE = `local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local MARGIN = tonumber(ARGV[3])`;

/**
 * The shared helpers, each defined before any helper that calls it. A script carries only the
 * helpers it names (and theirs): Redis runs the whole chunk on every call, so every closure
 * and table the prelude builds is paid per call, and most scripts need a few of them.
 */
const HELPERS: readonly (readonly [name: string, code: string])[] = [
  ['skey', `local function skey(h) return P .. 's:' .. h end`],
  ['mkey', `local function mkey(h) return P .. 'm:' .. h end`],
  ['ikey', `local function ikey(h) return P .. 'i:' .. h end`],
  ['kkey', `local function kkey(h) return P .. 'k:' .. h end`],
  [
    'member',
    `local function member(c, h) return string.format('%016x', math.max(0, tonumber(c))) .. h end`,
  ],
  ['expired', `local function expired(e) return e ~= '' and tonumber(e) <= NOW end`],
  [
    'keep_until',
    `-- Redis reclaims memory itself MARGIN ms after the logical expiry; reads never rely on it.
local function keep_until(keys, e)
  for _, k in ipairs(keys) do
    if e == '' then
      redis.call('PERSIST', k)
    else
      local ms = math.max(1, tonumber(e) - NOW + MARGIN)
      redis.call('PEXPIRE', k, string.format('%d', ms))
    end
  end
end`,
  ],
  ['FIELDS', `local FIELDS = {'d', 't', 'l', 'v', 'c', 'u', 'e', 'x', 'lx'}`],
  ['META', `local META = {'t', 'v', 'c', 'u', 'e', 'x', 'lx'}`],
  [
    'load',
    `-- The stored session as {d, t, l, v, c, u, e, x, lx}, or nil when no hash exists.
local function load(h)
  local r = redis.call('HMGET', skey(h), unpack(FIELDS))
  if not r[4] then return nil end
  return r
end`,
  ],
  [
    'load_meta',
    `-- Metadata only (no data): {t, v, c, u, e, x, lx}, or nil.
local function load_meta(h)
  local r = redis.call('HMGET', skey(h), unpack(META))
  if not r[2] then return nil end
  return r
end`,
  ],
  [
    'unindex',
    `local function unindex(h, t, c, lx)
  local m = member(c, h)
  redis.call('ZREM', P .. 'ix:c', m)
  redis.call('ZREM', P .. 'ix:t:' .. t, m)
  for token in string.gmatch(lx, '[^;]+') do redis.call('ZREM', P .. 'ix:l:' .. token, m) end
  redis.call('ZREM', P .. 'ix:x', h)
end`,
  ],
  [
    'index',
    `local function index(h, t, c, lx, e)
  local m = member(c, h)
  redis.call('ZADD', P .. 'ix:c', 0, m)
  redis.call('ZADD', P .. 'ix:t:' .. t, 0, m)
  for token in string.gmatch(lx, '[^;]+') do redis.call('ZADD', P .. 'ix:l:' .. token, 0, m) end
  if e ~= '' then redis.call('ZADD', P .. 'ix:x', e, h) end
end`,
  ],
  [
    'purge',
    `-- Removes a session, its messages, idempotency records and index entries (meta from load_meta).
local function purge(h, meta)
  unindex(h, meta[1], meta[3], meta[7])
  redis.call('DEL', skey(h), mkey(h), ikey(h))
end`,
  ],
  [
    'live_meta',
    `-- The live session's meta, or nil; an expired leftover is purged on the way.
local function live_meta(h)
  local meta = load_meta(h)
  if meta and expired(meta[5]) then
    purge(h, meta)
    return nil
  end
  return meta
end`,
  ],
  [
    'clamp',
    `local function clamp(e, x)
  if x == '' then return e end
  if e == '' or tonumber(e) > tonumber(x) then return x end
  return e
end`,
  ],
  [
    'kv_purge',
    `-- kv entries: hash {v, e}; index ix:k (lex, score 0) and expiry index ix:kx (score = e).
local function kv_purge(h)
  redis.call('DEL', kkey(h))
  redis.call('ZREM', P .. 'ix:k', h)
  redis.call('ZREM', P .. 'ix:kx', h)
end`,
  ],
  [
    'kv_live',
    `local function kv_live(h)
  local r = redis.call('HMGET', kkey(h), 'v', 'e')
  if not r[1] then return nil end
  if expired(r[2]) then
    kv_purge(h)
    return nil
  end
  return r
end`,
  ],
  [
    'kv_put',
    `local function kv_put(h, v, e)
  redis.call('HSET', kkey(h), 'v', v, 'e', e)
  redis.call('ZADD', P .. 'ix:k', 0, h)
  if e == '' then redis.call('ZREM', P .. 'ix:kx', h) else redis.call('ZADD', P .. 'ix:kx', e, h) end
  keep_until({kkey(h)}, e)
end`,
  ],
];

const PATTERNS = new Map(HELPERS.map(([name]) => [name, new RegExp(`\\b${name}\\b`)]));

/**
 * The prelude a script body needs: the base locals, then `head` (a fast path that may return
 * before the helpers exist; it must name none of them), then every helper the body names,
 * directly or through another helper. Matching is by word, so a helper named only in a comment
 * is included too, which costs a little time and is never wrong.
 */
export function preludeFor(body: string, head = ''): string {
  const wanted = new Set<string>();
  let text = body;
  for (;;) {
    const before = wanted.size;
    for (const [name, code] of HELPERS) {
      if (!wanted.has(name) && PATTERNS.get(name)?.test(text)) {
        wanted.add(name);
        text += `\n${code}`;
      }
    }
    if (wanted.size === before) break;
  }
  const helpers = HELPERS.filter(([name]) => wanted.has(name)).map(([, code]) => code);
  return [BASE, ...(head === '' ? [] : [head]), ...helpers].join('\n\n');
}
