import type { KvDriver, KvWrite } from '@stowage/core';
import type { Guard } from './guard.js';
import type { Store } from './store.js';

/** Builds `kv.getEntries`: live entries with their expiry, in the order of the keys asked for. */
export function kvEntries(store: Store, guard: Guard): NonNullable<KvDriver['getEntries']> {
  const { db, tables: t } = store;
  const select = db.prepare(
    `SELECT value, expires_at AS expiresAt FROM ${t.kv} WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)`,
  );
  return (keys, { now }) =>
    guard(() =>
      keys.map((key): KvWrite | undefined => {
        const row = select.get(key, now) as Omit<KvWrite, 'key'> | undefined;
        return row && { key, value: row.value, expiresAt: row.expiresAt };
      }),
    );
}
