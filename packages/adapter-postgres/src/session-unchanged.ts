import type { SessionDriver } from '@stowage/core';
import type { Executor } from './database.js';
import { liveAt, ms, type TableNames } from './sql.js';

/**
 * Builds `sessions.deleteIfUnchanged`: one `DELETE` whose WHERE clause compares the version,
 * the timestamps (in epoch ms, exactly as reads return them) and the log length
 * (`msg_next - msg_head`, the length `messages.length` reports). Messages and idempotency keys
 * go with the row through their foreign keys' `ON DELETE CASCADE`.
 */
export function postgresDeleteIfUnchanged(
  db: Executor,
  t: TableNames,
): NonNullable<SessionDriver['deleteIfUnchanged']> {
  const sql = `DELETE FROM ${t.sessions} s
    WHERE s.id = $1 AND ${liveAt('s', '$2')} AND s.version = $3
      AND ${ms('s.created_at')} = $4::int8 AND ${ms('s.updated_at')} = $5::int8
      AND ${ms('s.expires_at')} IS NOT DISTINCT FROM $6::int8
      AND s.msg_next - s.msg_head = $7::int8
    RETURNING 1 AS deleted`;
  return async (id, expected, { now }) => {
    const rows = await db.query<{ deleted: number }>('sessions.deleteIfUnchanged', sql, [
      id,
      now,
      expected.version,
      expected.createdAt,
      expected.updatedAt,
      expected.expiresAt,
      expected.messageCount,
    ]);
    return rows.length > 0;
  };
}
