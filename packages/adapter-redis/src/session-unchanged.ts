import type { SessionDriver } from '@stowage/core';
import { encodeId } from './keys.js';
import { defineScript, type ScriptRunner } from './script-runner.js';

/**
 * Compare-and-delete of one session: ARGV[4] id, then the expected version, createdAt,
 * updatedAt, expiresAt ('' for none) and message count. Timestamps are compared as the decimal
 * strings the session hash stores (never as Lua doubles). The session hash, its message list
 * and idempotency records share the namespace's hash tag, so in Cluster the comparison and the
 * purge run in one script on one slot. Returns 1 when it deleted, else 0.
 */
export const deleteIfUnchangedScript = defineScript(
  'sessions.deleteIfUnchanged',
  `local h = ARGV[4]
local meta = live_meta(h)
if not meta then return 0 end
if meta[2] ~= ARGV[5] or meta[3] ~= ARGV[6] or meta[4] ~= ARGV[7] or meta[5] ~= ARGV[8] then
  return 0
end
if redis.call('LLEN', mkey(h)) ~= tonumber(ARGV[9]) then return 0 end
purge(h, meta)
return 1`,
);

/** `SessionDriver.deleteIfUnchanged` for Redis: one script, atomic on the namespace's slot. */
export function deleteIfUnchanged(
  runner: ScriptRunner,
): NonNullable<SessionDriver['deleteIfUnchanged']> {
  return async (id, expected, ctx) => {
    const reply = await runner.write(deleteIfUnchangedScript, ctx.now, [
      encodeId(id),
      String(expected.version),
      String(expected.createdAt),
      String(expected.updatedAt),
      expected.expiresAt === null ? '' : String(expected.expiresAt),
      String(expected.messageCount),
    ]);
    return Number(reply) === 1;
  };
}
