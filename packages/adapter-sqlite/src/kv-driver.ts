import {
  isExpired,
  type KvDriver,
  type KvWrite,
  parseCounter,
  prefixUpperBound,
  ValidationError,
} from '@stowage/core';
import type { SqliteStatement } from './database.js';
import { ADAPTER } from './errors.js';
import type { Guard } from './guard.js';
import { kvEntries } from './kv-entries.js';
import { isLive, type Store } from './store.js';

interface KvRow {
  value: string;
  expiresAt: number | null;
}

/**
 * Builds the key-value primitives over an open store. Rows are addressed by the `key` primary
 * key; its BINARY collation compares UTF-8 bytes, which is the contract's code-point order, so
 * listing keys is a plain range scan on that index.
 */
export function kvDriver(store: Store, guard: Guard): KvDriver {
  const { db, tables: t } = store;
  const live = '(expires_at IS NULL OR expires_at > ?)';
  const selectValue = db.prepare(`SELECT value FROM ${t.kv} WHERE key = ? AND ${live}`).pluck();
  const selectRow = db.prepare(`SELECT value, expires_at AS expiresAt FROM ${t.kv} WHERE key = ?`);
  const upsert = db.prepare(
    `INSERT INTO ${t.kv} (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
  );
  // Inserts, or replaces only an expired entry: one statement, so no race between check and write.
  const insertIfAbsent = db.prepare(
    `INSERT INTO ${t.kv} (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
     WHERE ${t.kv}.expires_at IS NOT NULL AND ${t.kv}.expires_at <= ?`,
  );
  const remove = db.prepare(`DELETE FROM ${t.kv} WHERE key = ? RETURNING expires_at`).pluck();
  const setExpiry = db.prepare(`UPDATE ${t.kv} SET expires_at = ? WHERE key = ? AND ${live}`);

  const put = (w: KvWrite): void => {
    upsert.run(w.key, w.value, w.expiresAt);
  };
  const read = (key: string, now: number): string | undefined =>
    selectValue.get(key, now) as string | undefined;
  // A deleted row that had already expired was not live, so it does not count.
  const removeLive = (key: string, now: number): boolean => {
    const rows = remove.all(key) as (number | null)[];
    return rows.length > 0 && !isExpired(rows[0] ?? null, now);
  };
  const setAll = db.transaction((writes: readonly KvWrite[]) => {
    for (const w of writes) put(w);
  });
  const deleteAll = db.transaction((keys: readonly string[], now: number) => {
    let deleted = 0;
    for (const key of keys) if (removeLive(key, now)) deleted++;
    return deleted;
  });
  const incrementTx = db.transaction(
    (key: string, by: number, expiresAt: number | null, now: number) => {
      const row = selectRow.get(key) as KvRow | undefined;
      const current = isLive(row, now) ? row : undefined;
      const next = (current ? parseCounter(current.value, key) : 0) + by;
      if (!Number.isSafeInteger(next)) {
        throw new ValidationError(
          `increment of ${JSON.stringify(key)} would leave the safe integer range`,
          { adapter: ADAPTER },
        );
      }
      put({ key, value: String(next), expiresAt: current ? current.expiresAt : expiresAt });
      return next;
    },
  );

  const keysStatements = new Map<string, SqliteStatement>();
  const keysStatement = (bounded: boolean, after: boolean): SqliteStatement => {
    const name = `${bounded}:${after}`;
    let stmt = keysStatements.get(name);
    if (!stmt) {
      const upper = bounded ? ' AND key < ?' : '';
      const next = after ? ' AND key > ?' : '';
      stmt = db
        .prepare(
          `SELECT key FROM ${t.kv} WHERE key >= ?${upper}${next} AND ${live} ORDER BY key LIMIT ?`,
        )
        .pluck();
      keysStatements.set(name, stmt);
    }
    return stmt;
  };

  return {
    getEntries: kvEntries(store, guard),
    get: (key, { now }) => guard(() => read(key, now)),
    getMany: (keys, { now }) => guard(() => keys.map((key) => read(key, now))),
    set: (write) => guard(() => put(write)),
    setMany: (writes) => guard(() => setAll.immediate(writes)),
    delete: (key, { now }) => guard(() => removeLive(key, now)),
    deleteMany: (keys, { now }) => guard(() => deleteAll.immediate(keys, now)),
    keys: ({ prefix, limit, after }, { now }) =>
      guard(() => {
        // A range on the primary key instead of LIKE/GLOB: wildcards in the prefix stay literal.
        const upper = prefixUpperBound(prefix);
        const params: unknown[] = [prefix];
        if (upper !== undefined) params.push(upper);
        if (after !== undefined) params.push(after);
        params.push(now, limit);
        return keysStatement(upper !== undefined, after !== undefined).all(...params) as string[];
      }),
    expire: (key, expiresAt, { now }) =>
      guard(() => setExpiry.run(expiresAt, key, now).changes > 0),
    increment: (key, by, expiresAt, { now }) =>
      guard(() => incrementTx.immediate(key, by, expiresAt, now)),
    setIfAbsent: (w, { now }) =>
      guard(() => insertIfAbsent.run(w.key, w.value, w.expiresAt, now).changes > 0),
  };
}
