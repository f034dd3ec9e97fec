import {
  type AdapterListQuery,
  ConflictError,
  type SessionDriver,
  type SessionWrite,
  type StoredSession,
} from '@stowage/core';
import type { Executor, RunQuery } from './database.js';
import { ADAPTER } from './errors.js';
import {
  countLabelSql,
  countStateSql,
  listLabelSql,
  oneLabel,
  oneState,
} from './session-indexed.js';
import { postgresSessionRestore } from './session-restore.js';
import {
  filterConditions,
  Params,
  type SessionRow,
  toSession,
  toWritten,
  type WrittenRow,
} from './session-rows.js';
import { postgresDeleteIfUnchanged } from './session-unchanged.js';
import { batchParams, sessionWriteSql, updateParams, upsertParams } from './session-writes.js';
import { liveAt, ms, sessionColumns, type TableNames, ts } from './sql.js';

/**
 * Sessions on PostgreSQL. Every write is one statement whose WHERE clause carries the version
 * check, so correctness never depends on the isolation level; expired rows are filtered with
 * the storage clock's `now`, never the server's.
 */
export function postgresSessionDriver(db: Executor, t: TableNames): SessionDriver {
  const writes = sessionWriteSql(t);
  const columns = sessionColumns('s');
  const S = t.sessions;
  const live = liveAt('s', '$2');
  // The fixed statements, built once: a text built per call costs a string build and a hash
  // for its statement name on every call.
  const sql = {
    version: `SELECT s.version FROM ${S} s WHERE s.id = $1 AND ${live}`,
    get: `SELECT ${columns} FROM ${S} s WHERE s.id = $1 AND ${live}`,
    getMany: `SELECT ${columns} FROM ${S} s WHERE s.id = ANY($1::text[]) AND ${live}`,
    delete: `DELETE FROM ${S} s WHERE s.id = $1 RETURNING ${live} AS live`,
    deleteAt: `DELETE FROM ${S} s WHERE s.id = $1 AND s.version = $3 AND ${live} RETURNING s.id`,
    deleteMany: `WITH gone AS (DELETE FROM ${S} s WHERE s.id = ANY($1::text[]) RETURNING ${live} AS live)
      SELECT count(*) FILTER (WHERE live)::int AS live FROM gone`,
    touch: `UPDATE ${S} s SET expires_at = LEAST(${ts('$3')}, s.max_expires_at)
      WHERE s.id = $1 AND ${live} RETURNING ${ms('s.expires_at')} AS expires_at`,
  };

  const currentVersion = async (id: string, now: number, query?: RunQuery): Promise<number> => {
    const rows = query
      ? await query<{ version: number }>(sql.version, [id, now])
      : await db.query<{ version: number }>('sessions.save', sql.version, [id, now]);
    return rows[0]?.version ?? 0;
  };

  const conflict = (id: string, expected: number, found: number): ConflictError =>
    new ConflictError(id, expected, found, { adapter: ADAPTER });

  return {
    restore: postgresSessionRestore(db, t),
    deleteIfUnchanged: postgresDeleteIfUnchanged(db, t),
    async get(id, { now }) {
      const rows = await db.query<SessionRow>('sessions.get', sql.get, [id, now]);
      return rows[0] ? toSession(rows[0]) : null;
    },

    async getMany(ids, { now }) {
      const rows = await db.query<SessionRow>('sessions.getMany', sql.getMany, [ids, now]);
      const byId = new Map(rows.map((r) => [r.id, toSession(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async save(write, { now }) {
      const expected = write.expectedVersion;
      if (expected !== undefined && expected > 0) {
        const rows = await db.query<WrittenRow>(
          'sessions.save',
          writes.update,
          updateParams(write, now, expected),
        );
        if (rows[0]) return toWritten(rows[0], write);
        throw conflict(write.id, expected, await currentVersion(write.id, now));
      }
      const rows = await db.query<WrittenRow>(
        'sessions.save',
        expected === 0 ? writes.create : writes.upsert,
        upsertParams(write, now),
      );
      if (rows[0]) return toWritten(rows[0], write);
      throw conflict(write.id, 0, await currentVersion(write.id, now));
    },

    async saveMany(batch, { now }) {
      if (batch.length === 0) return [];
      // One unconditional multi-row upsert, then a check of every version it produced: a
      // write expecting version n must have produced n + 1. Any miss rolls the whole batch back.
      const checked = (rows: WrittenRow[]): StoredSession[] => {
        const byId = new Map(rows.map((r) => [r.id, r]));
        return batch.map((w: SessionWrite): StoredSession => {
          const stored = toWritten(byId.get(w.id) as WrittenRow, w);
          if (w.expectedVersion !== undefined && stored.version !== w.expectedVersion + 1) {
            throw conflict(w.id, w.expectedVersion, stored.version - 1);
          }
          return stored;
        });
      };
      const params = batchParams(batch, now);
      if (batch.every((w) => w.expectedVersion === undefined)) {
        // Nothing can conflict, and one statement is all-or-nothing by itself: the explicit
        // transaction (two more round trips) is only needed to undo a failed version check.
        return checked(await db.query<WrittenRow>('sessions.saveMany', writes.upsertMany, params));
      }
      return db.transaction('sessions.saveMany', async (query) =>
        checked(await query<WrittenRow>(writes.upsertMany, params)),
      );
    },

    async delete(id, expectedVersion, { now }) {
      if (expectedVersion === undefined) {
        // Expired leftovers go too (with their messages), but only a live row counts.
        const rows = await db.query<{ live: boolean }>('sessions.delete', sql.delete, [id, now]);
        return rows[0]?.live === true;
      }
      if (expectedVersion === 0) {
        const found = await currentVersion(id, now);
        if (found !== 0) throw conflict(id, 0, found);
        return false;
      }
      const rows = await db.query<{ id: string }>('sessions.delete', sql.deleteAt, [
        id,
        now,
        expectedVersion,
      ]);
      if (rows.length > 0) return true;
      throw conflict(id, expectedVersion, await currentVersion(id, now));
    },

    async deleteMany(ids, { now }) {
      const rows = await db.query<{ live: number }>('sessions.deleteMany', sql.deleteMany, [
        ids,
        now,
      ]);
      return rows[0]?.live ?? 0;
    },

    async touch(id, expiresAt, { now }) {
      const rows = await db.query<{ expires_at: string | null }>('sessions.touch', sql.touch, [
        id,
        now,
        expiresAt,
      ]);
      const row = rows[0];
      if (!row) return undefined;
      return row.expires_at === null ? null : Number(row.expires_at);
    },

    async list(query: AdapterListQuery, { now }) {
      const params = new Params();
      const dir = query.order === 'desc' ? 'DESC' : 'ASC';
      const order = `ORDER BY s.created_at ${dir}, s.id ${dir}`;
      const label = oneLabel(query);
      if (label) {
        // One label: walk its entries in the label table in keyset order (see session-indexed).
        // Prepared, unlike the general listing: the label index is the only index that gives
        // this page in order whatever the label's frequency, so one plan fits every value (the
        // generic plan is the same nested loop as a custom one), and the server may skip
        // planning, which cost about as much as running the page at a million sessions.
        const rows = await db.query<SessionRow>(
          'sessions.list',
          `SELECT ${columns} FROM (${listLabelSql(t, label, query, now, params)}) s ${order}`,
          params.values,
        );
        return rows.map(toSession);
      }
      const where = filterConditions('s', query, now, params);
      if (query.after) {
        const at = ts(params.add(query.after.createdAt));
        const op = query.order === 'desc' ? '<' : '>';
        where.push(`(s.created_at, s.id) ${op} (${at}, ${params.add(query.after.id)}::text)`);
      }
      // The page is cut in a subquery and converted (labels to text, timestamps to ms) outside
      // it: when the rows have to be sorted, the conversions would otherwise run on every
      // matching row instead of the page. Listings, counts and deleteWhere are planned per call
      // ('fresh'): a prepared generic plan knows neither how many rows a state or label matches
      // nor the page size, and for a rare value it can walk the whole created_at index.
      const rows = await db.query<SessionRow>(
        'sessions.list',
        `SELECT ${columns} FROM (
           SELECT * FROM ${S} s WHERE ${where.join(' AND ')} ${order} LIMIT ${params.add(query.limit)}
         ) s ${order}`,
        params.values,
        'fresh',
      );
      return rows.map(toSession);
    },

    async count(filter, { now }) {
      const params = new Params();
      const state = oneState(filter);
      const label = state === undefined ? oneLabel(filter) : undefined;
      if (state !== undefined || label) {
        // One state or one label: counters or the label index (see session-indexed).
        const text =
          state !== undefined
            ? countStateSql(t, state, now, params)
            : countLabelSql(t, label as NonNullable<typeof label>, now, params);
        const rows = await db.query<{ n: string }>('sessions.count', text, params.values, 'fresh');
        return Number(rows[0]?.n ?? 0);
      }
      const where = filterConditions('s', filter, now, params);
      const rows = await db.query<{ n: number }>(
        'sessions.count',
        `SELECT count(*)::int AS n FROM ${S} s WHERE ${where.join(' AND ')}`,
        params.values,
        'fresh',
      );
      return rows[0]?.n ?? 0;
    },

    async deleteWhere(filter, { now }) {
      const params = new Params();
      const where = filterConditions('s', filter, now, params);
      const rows = await db.query<{ n: number }>(
        'sessions.deleteWhere',
        `WITH gone AS (DELETE FROM ${S} s WHERE ${where.join(' AND ')} RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        params.values,
        'fresh',
      );
      return rows[0]?.n ?? 0;
    },
  };
}
