import type { KvDriver } from '@stowage/core';
import type { Executor } from './database.js';
import { liveAt, ms, type TableNames } from './sql.js';

/** Builds `kv.getEntries`: one query reads the live entries and their expiry for all keys. */
export function postgresKvEntries(
  db: Executor,
  t: TableNames,
): NonNullable<KvDriver['getEntries']> {
  const sql = `SELECT k.key, k.value, ${ms('k.expires_at')} AS expires_at FROM ${t.kv} k
    WHERE k.key = ANY($1::text[]) AND ${liveAt('k', '$2')}`;
  return async (keys, { now }) => {
    const rows = await db.query<{ key: string; value: string; expires_at: string | null }>(
      'kv.getEntries',
      sql,
      [keys, now],
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.map((key) => {
      const row = byKey.get(key);
      if (!row) return undefined;
      return {
        key,
        value: row.value,
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      };
    });
  };
}
