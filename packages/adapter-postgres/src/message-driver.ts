import { type MessageDriver, NotFoundError } from '@stowage/core';
import type { Executor } from './database.js';
import { ADAPTER } from './errors.js';
import { liveAt, type TableNames, ts } from './sql.js';

/**
 * Message logs on PostgreSQL. The session row holds the next sequence number and the head
 * after trims, so append, length and negative-index ranges cost the same at any log length:
 * appending inserts the new rows and moves the counter, never rewriting the session document.
 */
export function postgresMessageDriver(db: Executor, t: TableNames): MessageDriver {
  const S = t.sessions;
  const M = t.messages;
  const I = t.idempotency;
  const live = liveAt('s', '$2');

  // The key row is inserted first; only when it is new does the session move its counter and
  // take the messages. A key already used (even by a concurrent append) appends nothing. The
  // session's current length is only looked up when nothing was appended (a subquery in an
  // untaken CASE branch never runs), to tell a used key from a missing session.
  const appendSql = (withKey: boolean): string => `WITH ${
    withKey
      ? `claimed AS (
          INSERT INTO ${I} (session_id, key)
          SELECT s.id, $4 FROM ${S} s WHERE s.id = $1 AND ${live}
          ON CONFLICT DO NOTHING RETURNING session_id
        ), `
      : ''
  }moved AS (
      UPDATE ${S} s SET msg_next = s.msg_next + cardinality($3::text[]), updated_at = ${ts('$2')}
      WHERE s.id = $1 AND ${live}${withKey ? ' AND EXISTS (SELECT 1 FROM claimed)' : ''}
      RETURNING s.msg_next, s.msg_head
    ), added AS (
      INSERT INTO ${M} (session_id, seq, body)
      SELECT $1, moved.msg_next - cardinality($3::text[]) + u.ord - 1, u.body::jsonb
      FROM moved, unnest($3::text[]) WITH ORDINALITY AS u(body, ord)
    )
    SELECT a.n AS appended,
      CASE WHEN a.n IS NULL THEN (SELECT s.msg_next - s.msg_head FROM ${S} s WHERE s.id = $1 AND ${live}) END AS existing
    FROM (SELECT (SELECT msg_next - msg_head FROM moved) AS n) a`;
  const appendPlain = appendSql(false);
  const appendKeyed = appendSql(true);
  const lengthSql = `SELECT s.msg_next - s.msg_head AS n FROM ${S} s WHERE s.id = $1 AND ${live}`;
  const rangeSql = `SELECT m.body::text AS body
    FROM ${S} s
    CROSS JOIN LATERAL (SELECT s.msg_next - s.msg_head AS len) l
    JOIN ${M} m ON m.session_id = s.id
      AND m.seq >= s.msg_head + GREATEST(0, CASE WHEN $3::int8 < 0 THEN l.len + $3::int8 ELSE $3::int8 END)
      AND m.seq < s.msg_head + LEAST(l.len, CASE WHEN $4::int8 < 0 THEN l.len + $4::int8 ELSE $4::int8 END + 1)
    WHERE s.id = $1 AND ${live}
    ORDER BY m.seq`;
  const trimSql = `WITH moved AS (
      UPDATE ${S} s SET msg_head = s.msg_next - $3::int8
      WHERE s.id = $1 AND ${live} AND s.msg_next - s.msg_head > $3::int8
      RETURNING s.id, s.msg_head
    ), gone AS (
      DELETE FROM ${M} m USING moved WHERE m.session_id = moved.id AND m.seq < moved.msg_head
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM gone`;

  /** The live session's message count, or `undefined` when it is missing or expired. */
  const liveLength = async (sessionId: string, now: number): Promise<number | undefined> => {
    const rows = await db.query<{ n: string }>('messages.length', lengthSql, [sessionId, now]);
    return rows[0] ? Number(rows[0].n) : undefined;
  };

  return {
    async append(sessionId, messages, { idempotencyKey }, { now }) {
      const keyed = idempotencyKey !== undefined;
      const rows = await db.query<{ appended: string | null; existing: string | null }>(
        'messages.append',
        keyed ? appendKeyed : appendPlain,
        keyed ? [sessionId, now, messages, idempotencyKey] : [sessionId, now, messages],
      );
      const row = rows[0];
      if (row?.appended != null) return Number(row.appended);
      // Nothing appended. With a key that the statement saw used, the append is a no-op that
      // reports the current length, read afresh: the statement's snapshot may predate a
      // concurrent append that used the key, or a delete that removed the session since (its
      // UPDATE then found no row while the lookup still saw the old one). Without a key,
      // nothing appended means the session is gone, whatever that lookup saw.
      const current = keyed && row?.existing != null ? await liveLength(sessionId, now) : undefined;
      if (current !== undefined) return current;
      throw new NotFoundError(`Cannot append to missing session ${JSON.stringify(sessionId)}`, {
        adapter: ADAPTER,
      });
    },

    async range(sessionId, start, end, { now }) {
      const rows = await db.query<{ body: string }>('messages.range', rangeSql, [
        sessionId,
        now,
        start,
        end,
      ]);
      return rows.map((r) => r.body);
    },

    async length(sessionId, { now }) {
      return (await liveLength(sessionId, now)) ?? 0;
    },

    async trim(sessionId, keepLast, { now }) {
      const rows = await db.query<{ n: number }>('messages.trim', trimSql, [
        sessionId,
        now,
        keepLast,
      ]);
      return rows[0]?.n ?? 0;
    },
  };
}
