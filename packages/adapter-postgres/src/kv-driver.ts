import { BackendError, type KvDriver, parseCounter, ValidationError } from '@stowage/core';
import type { Executor } from './database.js';
import { ADAPTER } from './errors.js';
import { postgresKvEntries } from './kv-entries.js';
import { likePrefix, liveAt, type TableNames, ts } from './sql.js';

/** Largest integer a counter may reach, as in core: results stay exact in JavaScript. */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/**
 * Key-value entries on PostgreSQL. Values are kept as the exact text core hands over (so bare
 * integer counters and any codec's output round-trip byte for byte); `increment` and
 * `setIfAbsent` are single upserts, atomic without locks held across round trips.
 */
export function postgresKvDriver(db: Executor, t: TableNames): KvDriver {
  const K = t.kv;
  const live = liveAt('k', '$2');
  // Built once, as in the session driver.
  const sql = {
    get: `SELECT k.value FROM ${K} k WHERE k.key = $1 AND ${live}`,
    getMany: `SELECT k.key, k.value FROM ${K} k WHERE k.key = ANY($1::text[]) AND ${live}`,
    set: `INSERT INTO ${K} AS k (key, value, expires_at) VALUES ($1, $2, ${ts('$3')})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    setMany: `INSERT INTO ${K} AS k (key, value, expires_at)
      SELECT u.key, u.value, ${ts('u.exp')} FROM unnest($1::text[], $2::text[], $3::int8[]) AS u(key, value, exp)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    delete: `DELETE FROM ${K} k WHERE k.key = $1 RETURNING ${live} AS live`,
    deleteMany: `WITH gone AS (DELETE FROM ${K} k WHERE k.key = ANY($1::text[]) RETURNING ${live} AS live)
      SELECT count(*) FILTER (WHERE live)::int AS n FROM gone`,
    keys: `SELECT k.key FROM ${K} k
      WHERE k.key LIKE $1 ESCAPE '\\' AND ($3::text IS NULL OR k.key > $3::text) AND ${live}
      ORDER BY k.key LIMIT $4`,
    expire: `UPDATE ${K} k SET expires_at = ${ts('$3')} WHERE k.key = $1 AND ${live} RETURNING 1`,
    setIfAbsent: `INSERT INTO ${K} AS k (key, value, expires_at) VALUES ($1, $3, ${ts('$4')})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
      WHERE NOT ${live} RETURNING 1`,
  };

  const read = async (what: string, key: string, now: number): Promise<string | undefined> => {
    const rows = await db.query<{ value: string }>(what, sql.get, [key, now]);
    return rows[0]?.value;
  };

  const incrementSql = `INSERT INTO ${K} AS k (key, value, expires_at) VALUES ($1, $3::int8::text, ${ts('$4')})
    ON CONFLICT (key) DO UPDATE SET
      value = CASE WHEN ${live} THEN (k.value::int8 + $3::int8)::text ELSE excluded.value END,
      expires_at = CASE WHEN ${live} THEN k.expires_at ELSE excluded.expires_at END
    WHERE CASE WHEN NOT ${live} THEN true
      WHEN k.value ~ '^-?[0-9]{1,16}$' THEN abs(k.value::numeric + $3::int8) <= $5::numeric
      ELSE false END
    RETURNING k.value`;

  return {
    getEntries: postgresKvEntries(db, t),
    async get(key, { now }) {
      return read('kv.get', key, now);
    },

    async getMany(keys, { now }) {
      const rows = await db.query<{ key: string; value: string }>('kv.getMany', sql.getMany, [
        keys,
        now,
      ]);
      const byKey = new Map(rows.map((r) => [r.key, r.value]));
      return keys.map((key) => byKey.get(key));
    },

    async set(w) {
      await db.query('kv.set', sql.set, [w.key, w.value, w.expiresAt]);
    },

    async setMany(writes) {
      if (writes.length === 0) return;
      // One statement, so the batch is all-or-nothing without an explicit transaction.
      await db.query('kv.setMany', sql.setMany, [
        writes.map((w) => w.key),
        writes.map((w) => w.value),
        writes.map((w) => w.expiresAt),
      ]);
    },

    async delete(key, { now }) {
      const rows = await db.query<{ live: boolean }>('kv.delete', sql.delete, [key, now]);
      return rows[0]?.live === true;
    },

    async deleteMany(keys, { now }) {
      const rows = await db.query<{ n: number }>('kv.deleteMany', sql.deleteMany, [keys, now]);
      return rows[0]?.n ?? 0;
    },

    async keys({ prefix, limit, after }, { now }) {
      const rows = await db.query<{ key: string }>(
        'kv.keys',
        sql.keys,
        [likePrefix(prefix), now, after ?? null, limit],
        // Planned per call: only a plan that sees the literal prefix turns LIKE into a key range.
        'fresh',
      );
      return rows.map((r) => r.key);
    },

    async expire(key, expiresAt, { now }) {
      const rows = await db.query('kv.expire', sql.expire, [key, now, expiresAt]);
      return rows.length > 0;
    },

    async increment(key, by, expiresAt, { now }) {
      // A live entry that is not a bare integer, or a sum outside the safe range, matches no
      // row and stays unchanged; a follow-up read says which. An entry deleted in between
      // makes the next attempt create it.
      for (let attempt = 0; attempt < 3; attempt++) {
        const rows = await db.query<{ value: string }>('kv.increment', incrementSql, [
          key,
          now,
          by,
          expiresAt,
          MAX_COUNTER,
        ]);
        if (rows[0]) return Number(rows[0].value);
        const current = await read('kv.increment', key, now);
        if (current === undefined) continue;
        parseCounter(current, key);
        throw new ValidationError(
          `increment of ${JSON.stringify(key)} would leave the safe integer range`,
          { adapter: ADAPTER },
        );
      }
      throw new BackendError(`increment of ${JSON.stringify(key)} raced with deletes three times`, {
        adapter: ADAPTER,
      });
    },

    async setIfAbsent(w, { now }) {
      const rows = await db.query('kv.setIfAbsent', sql.setIfAbsent, [
        w.key,
        now,
        w.value,
        w.expiresAt,
      ]);
      return rows.length > 0;
    },
  };
}
