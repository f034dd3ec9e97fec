import { defineScript } from '../script-runner.js';

/**
 * Writes exact copies of sessions: ARGV[4..] groups of 10 (h, data, state, labels JSON, label
 * tokens, version, createdAt, updatedAt, expiresAt '' | ms, maxExpiresAt '' | ms). A live
 * session with the same id keeps its messages and idempotency records and gives up its index
 * entries; an expired leftover goes entirely, like any session that ends. Returns how many
 * sessions were written.
 */
export const restoreSessions = defineScript(
  'sessions.restore',
  `local n = 0
for b = 4, #ARGV, 10 do
  local h, t, lx, c, e = ARGV[b], ARGV[b + 2], ARGV[b + 4], ARGV[b + 6], ARGV[b + 8]
  local meta = live_meta(h)
  if meta then
    unindex(h, meta[1], meta[3], meta[7])
  else
    -- No live session: whatever Redis still holds under this id (messages whose session hash
    -- was reclaimed first) is not part of the copy.
    redis.call('DEL', skey(h), mkey(h), ikey(h))
  end
  redis.call('HSET', skey(h), 'd', ARGV[b + 1], 't', t, 'l', ARGV[b + 3], 'v', ARGV[b + 5],
    'c', c, 'u', ARGV[b + 7], 'e', e, 'x', ARGV[b + 9], 'lx', lx)
  index(h, t, c, lx, e)
  keep_until({skey(h), mkey(h), ikey(h)}, e)
  n = n + 1
end
return n`,
);
