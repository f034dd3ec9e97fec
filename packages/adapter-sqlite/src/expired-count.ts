import type { ExpiredCounts } from '@stowage/core';
import type { Store } from './store.js';

/**
 * `countExpired`: expired sessions and kv entries not yet swept, counted on the partial
 * `expires_at` indexes (no row is read).
 */
export function countExpired(store: Store, now: number): ExpiredCounts {
  const { tables: t } = store;
  const row = store
    .statement(
      `SELECT (SELECT count(*) FROM ${t.sessions} WHERE expires_at <= ?) AS sessions,
              (SELECT count(*) FROM ${t.kv} WHERE expires_at <= ?) AS kv`,
    )
    .get(now, now) as { sessions: number; kv: number };
  return { sessions: row.sessions, kv: row.kv };
}
