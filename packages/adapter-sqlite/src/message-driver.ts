import { type MessageDriver, NotFoundError, sliceRange } from '@stowage/core';
import { ADAPTER } from './errors.js';
import type { Guard } from './guard.js';
import { isLive, nextSeqSql, type Store } from './store.js';

interface LogRow {
  head: number;
  next: number;
}

/**
 * Builds the message primitives. Messages are rows keyed by `(session_id, seq)`. The session row
 * keeps the first sequence number (`msg_head`, moved by trim); the next one is read from the end
 * of the `(session_id, seq)` index (`nextSeqSql`). So append, length and range cost the same for
 * the first message and the millionth, and an append writes only `updated_at` on the session
 * row, never the session document.
 */
export function messageDriver(store: Store, guard: Guard): MessageDriver {
  const { db, tables: t } = store;
  const selectLog = db.prepare(
    `SELECT expires_at AS expiresAt, msg_head AS head, ${nextSeqSql(t)} AS next FROM ${t.sessions} WHERE id = ?`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO ${t.messages} (session_id, seq, body) VALUES (?, ?, ?)`,
  );
  const insertKey = db.prepare(
    `INSERT INTO ${t.idempotency} (session_id, key) VALUES (?, ?) ON CONFLICT DO NOTHING`,
  );
  // Appends within the same millisecond leave the row as it was, and SQLite then writes no page
  // for it.
  const touch = db.prepare(`UPDATE ${t.sessions} SET updated_at = ? WHERE id = ?`);
  const selectRange = db
    .prepare(
      `SELECT body FROM ${t.messages} WHERE session_id = ? AND seq >= ? AND seq < ? ORDER BY seq`,
    )
    .pluck();
  const dropBefore = db.prepare(`DELETE FROM ${t.messages} WHERE session_id = ? AND seq < ?`);
  const setHead = db.prepare(`UPDATE ${t.sessions} SET msg_head = ? WHERE id = ?`);

  const liveLog = (sessionId: string, now: number): LogRow | undefined => {
    const row = selectLog.get(sessionId) as (LogRow & { expiresAt: number | null }) | undefined;
    return isLive(row, now) ? row : undefined;
  };

  const appendTx = db.transaction(
    (sessionId: string, messages: readonly string[], key: string | undefined, now: number) => {
      const log = liveLog(sessionId, now);
      if (!log) {
        throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
          adapter: ADAPTER,
        });
      }
      // A key already recorded makes the append a no-op that reports the current length.
      if (key !== undefined && insertKey.run(sessionId, key).changes === 0) {
        return log.next - log.head;
      }
      let seq = log.next;
      for (const body of messages) insertMessage.run(sessionId, seq++, body);
      touch.run(now, sessionId);
      return seq - log.head;
    },
  );
  // A deferred transaction gives range one snapshot, so a concurrent trim cannot shift it.
  const rangeTx = db.transaction((sessionId: string, start: number, end: number, now: number) => {
    const log = liveLog(sessionId, now);
    if (!log) return [];
    const [from, to] = sliceRange(log.next - log.head, start, end);
    if (from >= to) return [];
    return selectRange.all(sessionId, log.head + from, log.head + to) as string[];
  });
  const trimTx = db.transaction((sessionId: string, keepLast: number, now: number) => {
    const log = liveLog(sessionId, now);
    if (!log || log.next - log.head <= keepLast) return 0;
    const head = log.next - keepLast;
    dropBefore.run(sessionId, head);
    setHead.run(head, sessionId);
    return head - log.head;
  });

  return {
    append: (sessionId, messages, { idempotencyKey }, { now }) =>
      guard(() => appendTx.immediate(sessionId, messages, idempotencyKey, now)),
    range: (sessionId, start, end, { now }) =>
      guard(() => rangeTx.deferred(sessionId, start, end, now)),
    length: (sessionId, { now }) =>
      guard(() => {
        const log = liveLog(sessionId, now);
        return log ? log.next - log.head : 0;
      }),
    trim: (sessionId, keepLast, { now }) => guard(() => trimTx.immediate(sessionId, keepLast, now)),
  };
}
