import type { ExpiredCounts } from '@stowage/core';
import type { Executor } from './database.js';
import { type TableNames, ts } from './sql.js';

/**
 * `countExpired`: expired sessions and kv entries not yet swept, in one statement counted on
 * the partial `expires_at` indexes (an index-only scan once the tables are vacuumed).
 */
export async function countExpired(
  db: Executor,
  t: TableNames,
  now: number,
): Promise<ExpiredCounts> {
  const [row] = await db.query<{ sessions: string; kv: string }>(
    'countExpired',
    `SELECT (SELECT count(*) FROM ${t.sessions} WHERE expires_at <= ${ts('$1')}) AS sessions,
            (SELECT count(*) FROM ${t.kv} WHERE expires_at <= ${ts('$1')}) AS kv`,
    [now],
  );
  // count(*) is int8, which pg hands over as a string.
  return { sessions: Number(row?.sessions ?? 0), kv: Number(row?.kv ?? 0) };
}
