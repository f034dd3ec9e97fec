import { type CallContext, type StoredSession, validateStoredSessions } from '@stowage/core';
import { encodeId, labelTokens } from './keys.js';
import { restoreSessions } from './lua/restore-script.js';
import type { ScriptRunner } from './script-runner.js';

/** Timestamps as the session hash stores them: decimal epoch ms, or '' for none. */
function stamp(value: number | null): string {
  return value === null ? '' : String(value);
}

/**
 * `SessionDriver.restore` for Redis: validates the copies before any I/O, then writes them all
 * in one script on the namespace's slot, so a batch lands whole (or not at all) and every
 * index entry moves with its session, in Cluster too.
 */
export function restoreSessionCopies(
  runner: ScriptRunner,
): (sessions: readonly StoredSession[], ctx: CallContext) => Promise<void> {
  return async (sessions, ctx) => {
    validateStoredSessions(sessions);
    if (sessions.length === 0) return;
    const args: string[] = [];
    for (const s of sessions) {
      args.push(
        encodeId(s.id),
        s.data,
        s.state,
        JSON.stringify(s.labels),
        labelTokens(s.labels),
        String(s.version),
        String(s.createdAt),
        String(s.updatedAt),
        stamp(s.expiresAt),
        stamp(s.maxExpiresAt),
      );
    }
    await runner.write(restoreSessions, ctx.now, args);
  };
}
