import { validateStoredSessions } from '../migrate/stored-session.js';
import type { StoredSession, StowageAdapter } from '../types.js';

/** Messages per append when copying a log. */
const APPEND_BATCH = 100;

/** JSON text in a canonical form (sorted keys), since JSONB backends reorder keys. */
function canonical(text: string): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      out[key] = sort((value as Record<string, unknown>)[key]);
    }
    return out;
  };
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    // Not JSON (a codec's output is JSON, but compare what is there rather than fail).
    return text;
  }
}

/** The fields in which two stored sessions differ (data and labels compared as JSON). */
export function sessionDifferences(a: StoredSession, b: StoredSession): string[] {
  const fields: string[] = [];
  for (const f of [
    'version',
    'createdAt',
    'updatedAt',
    'expiresAt',
    'maxExpiresAt',
    'state',
  ] as const) {
    if (a[f] !== b[f]) fields.push(`${f} ${String(a[f])} vs ${String(b[f])}`);
  }
  if (canonical(a.data) !== canonical(b.data)) fields.push('data');
  if (canonical(JSON.stringify(a.labels)) !== canonical(JSON.stringify(b.labels))) {
    fields.push('labels');
  }
  return fields;
}

/**
 * Makes `target` hold `session` and its message log exactly (version, createdAt, updatedAt,
 * expiry). With `sessions.restore` that is one exact write, plus, when the target's log has a
 * different length, a delete, the log appended at `updatedAt` and a second restore (appending
 * moves `updatedAt`). Without it the copy is rebuilt through ordinary writes: delete, create at
 * `createdAt`, save up to `version` at `updatedAt`, append the log; sessions past
 * `maxVersions` then get one upsert of their data (their version differs). Returns the fields
 * that still differ afterwards (none when the copy is exact). Idempotency keys of past appends
 * are not carried over.
 */
export async function copySession(
  target: StowageAdapter,
  session: StoredSession,
  messages: readonly string[],
  maxVersions: number,
): Promise<string[]> {
  const sessions = target.sessions;
  if (!sessions) return ['no sessions driver'];
  const { id, createdAt, updatedAt } = session;
  const at = { now: updatedAt };
  const appendLog = async () => {
    for (let i = 0; i < messages.length; i += APPEND_BATCH) {
      await target.messages?.append(id, messages.slice(i, i + APPEND_BATCH), {}, at);
    }
  };
  if (sessions.restore) {
    validateStoredSessions([session]);
    const length = (await target.messages?.length(id, at)) ?? 0;
    if (length !== messages.length) {
      await sessions.delete(id, undefined, at);
      await sessions.restore([session], at);
      await appendLog();
    }
    await sessions.restore([session], at);
  } else {
    const write = {
      id,
      data: session.data,
      state: session.state,
      labels: session.labels,
      expiresAt: session.expiresAt,
      maxExpiresAt: session.maxExpiresAt,
    };
    if (session.version > maxVersions) {
      await sessions.save(write, at);
    } else {
      // At createdAt any copy the target holds is either live (deleted here) or an expired
      // leftover that the creating save clears.
      await sessions.delete(id, undefined, { now: createdAt });
      await sessions.save({ ...write, expectedVersion: 0 }, { now: createdAt });
      for (let v = 2; v <= session.version; v++) {
        await sessions.save({ ...write, expectedVersion: v - 1 }, at);
      }
      await appendLog();
    }
  }
  const copied = await sessions.get(id, at);
  return copied ? sessionDifferences(session, copied) : ['missing after copy'];
}
