import type { SessionDriver, SessionFingerprint } from '@stowage/core';
import type { Guard } from './guard.js';
import { isLive, nextSeqSql, type Store } from './store.js';

interface FingerprintRow {
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  messageCount: number;
}

/**
 * Builds `sessions.deleteIfUnchanged`: in one `BEGIN IMMEDIATE` transaction, reads the row's
 * version, timestamps and log length (next sequence number minus `msg_head`, the length
 * `messages.length` reports) and removes the session with its messages only when all of them
 * match.
 */
export function sessionDeleteIfUnchanged(
  store: Store,
  guard: Guard,
): NonNullable<SessionDriver['deleteIfUnchanged']> {
  const { db, tables: t } = store;
  const select = db.prepare(
    `SELECT version, created_at AS createdAt, updated_at AS updatedAt, expires_at AS expiresAt,
       ${nextSeqSql(t)} - msg_head AS messageCount FROM ${t.sessions} WHERE id = ?`,
  );
  const deleteTx = db.transaction((id: string, expected: SessionFingerprint, now: number) => {
    const row = select.get(id) as FingerprintRow | undefined;
    if (
      !isLive(row, now) ||
      row.version !== expected.version ||
      row.createdAt !== expected.createdAt ||
      row.updatedAt !== expected.updatedAt ||
      row.expiresAt !== expected.expiresAt ||
      row.messageCount !== expected.messageCount
    ) {
      return false;
    }
    return store.removeSession(id);
  });
  return (id, expected, { now }) => guard(() => deleteTx.immediate(id, expected, now));
}
