import { type SessionDriver, validateStoredSessions } from '@stowage/core';
import type { Executor } from './database.js';
import { liveAt, type TableNames, ts } from './sql.js';

/**
 * Builds `sessions.restore`: one multi-row upsert writes every copy as given. A live row keeps
 * its message pointers, so its messages stay; an expired row's messages and idempotency keys
 * are deleted in the same statement and its head moves past them, as a new session starts
 * empty.
 */
export function postgresSessionRestore(
  db: Executor,
  t: TableNames,
): NonNullable<SessionDriver['restore']> {
  const sql = `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::int8[], $9::int8[])
        AS u(id, data, state, labels, version, created, updated, exp, max_exp)
    ), stale AS (
      SELECT x.id FROM ${t.sessions} x
      WHERE x.id IN (SELECT id FROM input) AND x.expires_at <= ${ts('$10')}
    ), stale_messages AS (
      DELETE FROM ${t.messages} WHERE session_id IN (SELECT id FROM stale)
    ), stale_keys AS (
      DELETE FROM ${t.idempotency} WHERE session_id IN (SELECT id FROM stale)
    )
    INSERT INTO ${t.sessions} AS s
      (id, data, state, labels, version, created_at, updated_at, expires_at, max_expires_at)
    SELECT i.id, i.data, i.state, i.labels::jsonb, i.version, ${ts('i.created')},
      ${ts('i.updated')}, ${ts('i.exp')}, ${ts('i.max_exp')}
    FROM input i
    ON CONFLICT (id) DO UPDATE SET data = excluded.data, state = excluded.state,
      labels = excluded.labels, version = excluded.version, created_at = excluded.created_at,
      updated_at = excluded.updated_at, expires_at = excluded.expires_at,
      max_expires_at = excluded.max_expires_at,
      msg_head = CASE WHEN ${liveAt('s', '$10')} THEN s.msg_head ELSE s.msg_next END`;
  return async (sessions, { now }) => {
    validateStoredSessions(sessions);
    if (sessions.length === 0) return;
    await db.query('sessions.restore', sql, [
      sessions.map((s) => s.id),
      sessions.map((s) => s.data),
      sessions.map((s) => s.state),
      sessions.map((s) => JSON.stringify(s.labels)),
      sessions.map((s) => s.version),
      sessions.map((s) => s.createdAt),
      sessions.map((s) => s.updatedAt),
      sessions.map((s) => s.expiresAt),
      sessions.map((s) => s.maxExpiresAt),
      now,
    ]);
  };
}
