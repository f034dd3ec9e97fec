import {
  CorruptionError,
  type SessionDriver,
  type StoredSession,
  validateStoredSessions,
} from '@stowage/core';
import { live, newLog } from './session-driver.js';
import type { FileStore, SessionRecord } from './store.js';

/**
 * The session file that a copy replaces, or undefined; a damaged file is simply replaced. A
 * damaged message log is not: its error stands, rather than its messages being dropped.
 */
async function replaced(store: FileStore, id: string): Promise<SessionRecord | undefined> {
  let record: SessionRecord | undefined;
  try {
    record = await store.readSessionRaw(id);
  } catch (error) {
    if (error instanceof CorruptionError) return undefined;
    throw error;
  }
  return record && store.resolveTail(record);
}

/**
 * Builds `sessions.restore`: each copy is written atomically under its session's lock. A live
 * session's message log (kept in its record) carries over to the copy; an expired or absent
 * one's messages are removed first, so the copy starts with none.
 */
export function sessionRestore(store: FileStore): NonNullable<SessionDriver['restore']> {
  const restoreOne = (s: StoredSession, now: number) =>
    store.withSessionLock(s.id, async () => {
      const current = live(await replaced(store, s.id), now);
      if (!current) await store.removeMessages(s.id);
      const record: SessionRecord = {
        ...s,
        labels: { ...s.labels },
        log: current?.log ?? newLog(),
      };
      await store.writeSession(record);
      store.commits.note(s.id, s.version);
    });
  return async (sessions, { now }) => {
    validateStoredSessions(sessions);
    for (const s of sessions) await restoreOne(s, now);
  };
}
