import { type SessionDriver, type StoredSession, validateStoredSessions } from '@stowage/core';
import type { Guard } from './guard.js';
import { isLive, type Store } from './store.js';

/**
 * Builds `sessions.restore`: exact copies written in one `BEGIN IMMEDIATE` transaction. A live
 * session with the same id is overwritten in place, so its messages stay; an expired leftover
 * is removed first with its messages, as a new session starts empty.
 */
export function sessionRestore(store: Store, guard: Guard): NonNullable<SessionDriver['restore']> {
  const { db, tables: t } = store;
  const selectCurrent = db.prepare(
    `SELECT state, expires_at AS expiresAt FROM ${t.sessions} WHERE id = ?`,
  );
  const upsert = db.prepare(
    `INSERT INTO ${t.sessions} (id, state, labels, version, created_at, updated_at, expires_at, max_expires_at, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, labels = excluded.labels,
       version = excluded.version, created_at = excluded.created_at,
       updated_at = excluded.updated_at, expires_at = excluded.expires_at,
       max_expires_at = excluded.max_expires_at, data = excluded.data`,
  );
  const restoreAll = db.transaction((sessions: readonly StoredSession[], now: number) => {
    for (const s of sessions) {
      const row = selectCurrent.get(s.id) as
        | { state: string; expiresAt: number | null }
        | undefined;
      const live = isLive(row, now);
      if (row && !live) store.removeSession(s.id);
      upsert.run(
        s.id,
        s.state,
        JSON.stringify(s.labels),
        s.version,
        s.createdAt,
        s.updatedAt,
        s.expiresAt,
        s.maxExpiresAt,
        s.data,
      );
      store.writeLabels(s.id, s.labels, s.createdAt, true);
      store.countState(live ? row.state : undefined, s.state);
    }
  });
  return (sessions, { now }) =>
    guard(() => {
      validateStoredSessions(sessions);
      restoreAll.immediate(sessions, now);
    });
}
